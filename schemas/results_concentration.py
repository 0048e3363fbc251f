"""Output models of the Concentration page's queries (queries/concentration.py)."""

from __future__ import annotations

import pandera.polars as pa

from schemas.results import register


@register("concentration_top")
class ConcentrationTop(pa.DataFrameModel):
    customer_id: str = pa.Field(unique=True)
    exposure: float = pa.Field(gt=0)
    share: float = pa.Field(gt=0, le=1 + 1e-9)
    cumulative_share: float = pa.Field(gt=0, le=1 + 1e-9)
    rank: int = pa.Field(ge=1, unique=True)


@register("concentration_lorenz")
class ConcentrationLorenz(pa.DataFrameModel):
    names_share: float = pa.Field(ge=0, le=1 + 1e-9)
    exposure_share: float = pa.Field(ge=0, le=1 + 1e-9)
    gini: float = pa.Field(nullable=True, ge=-1e-9, le=1)


@register("concentration_hhi_trend")
class ConcentrationHhiTrend(pa.DataFrameModel):
    dimension: str = pa.Field(isin=["customer", "industry", "region"])
    hhi: float = pa.Field(gt=0, le=10_000 + 1e-6)
    effective_names: float = pa.Field(ge=1 - 1e-9)


register("concentration_hhi_trend_portfolio")(ConcentrationHhiTrend)
