"""Output models of the Concentration page's queries (queries/concentration.py).

Money in the reporting currency, shares 0-1, HHI 0-10 000. Floating sums may land a hair above a
bound (a cumulative share of 1.0000000000000002), hence the small slack on upper bounds.
"""

from __future__ import annotations

from datetime import date

import pandera.polars as pa

from schemas.results import register

SLACK = 1e-9
DIMENSIONS = ["customer", "industry", "region"]
GRADES = ["A", "B", "C", "D", "E"]


@register("concentration_top")
class ConcentrationTop(pa.DataFrameModel):
    """The largest names of the filtered portfolio, one row per customer."""

    customer_id: str = pa.Field(unique=True)
    name: str
    industry: str
    grade: str = pa.Field(isin=GRADES)
    exposure: float = pa.Field(gt=0)
    share: float = pa.Field(gt=0, le=1 + SLACK)
    cumulative_share: float = pa.Field(gt=0, le=1 + SLACK)
    rank: int = pa.Field(ge=1, unique=True)


@register("concentration_lorenz")
class ConcentrationLorenz(pa.DataFrameModel):
    """Sampled Lorenz points; gini and names repeat on every row (null gini with no names)."""

    names_share: float = pa.Field(ge=0, le=1 + SLACK)
    exposure_share: float = pa.Field(ge=0, le=1 + SLACK)
    gini: float = pa.Field(nullable=True, ge=-SLACK, le=1)
    names: int = pa.Field(nullable=True, ge=1)


@register("concentration_hhi_trend")
class ConcentrationHhiTrend(pa.DataFrameModel):
    """One row per grid date x dimension; scope says whose shares these are."""

    as_of: date
    dimension: str = pa.Field(isin=DIMENSIONS)
    names: int = pa.Field(ge=1)
    top10_share: float = pa.Field(nullable=True, gt=0, le=1 + SLACK)
    hhi: float = pa.Field(gt=0, le=10_000 * (1 + SLACK))
    effective_names: float = pa.Field(ge=1 - SLACK)
    scope: str = pa.Field(isin=["portfolio", "filtered"])

    class Config:
        unique = ["as_of", "dimension"]


register("concentration_hhi_trend_portfolio")(ConcentrationHhiTrend)


@register("concentration_treemap")
class ConcentrationTreemap(pa.DataFrameModel):
    """Largest customers per industry plus one 'other' row (null customer) per industry."""

    industry: str
    customer_id: str = pa.Field(nullable=True)
    name: str = pa.Field(nullable=True)
    grade: str = pa.Field(nullable=True, isin=GRADES)
    exposure: float = pa.Field(gt=0)


@register("concentration_breaches")
class ConcentrationBreaches(pa.DataFrameModel):
    """Customers in breach (single-name share or credit limit), largest first."""

    customer_id: str = pa.Field(unique=True)
    exposure: float = pa.Field(gt=0)
    credit_limit: float = pa.Field(ge=0)
    exposure_share: float = pa.Field(nullable=True, ge=0, le=1 + SLACK)
    single_name_limit: float = pa.Field(nullable=True, gt=0, le=1)
    matching: int = pa.Field(ge=1)


@register("concentration_policy")
class ConcentrationPolicy(pa.DataFrameModel):
    """The policy's single-name limit, one row."""

    single_name_share: float = pa.Field(nullable=True, gt=0, le=1)
