"""Output models of the What-if page's queries (queries/sql/whatif_*.sql).

Scores 0-100; PD, LGD 0-1; money in the reporting currency; max_dpd in days.
"""

from __future__ import annotations

from datetime import date

import pandera.polars as pa
import polars as pl

from schemas.results import register

GRADES = ["A", "B", "C", "D", "E"]
BANDS = ["Low", "Medium", "High"]


@register("policy_in_force_entries")
class PolicyInForceEntries(pa.DataFrameModel):
    """One row per policy entry (dotted key, value as text)."""

    key: str = pa.Field(unique=True)
    value: str

    class Config:
        strict = True


@register("whatif_history")
class WhatifHistory(pa.DataFrameModel):
    """One row per customer per grid date with the factor scores."""

    customer_id: str
    as_of: date
    dpd_score: float = pa.Field(ge=0, le=100)
    late_score: float = pa.Field(ge=0, le=100)
    rating_score: float = pa.Field(ge=0, le=100)
    utilisation_score: float = pa.Field(ge=0, le=100)
    operational_score: float = pa.Field(ge=0, le=100)
    legal_score: float = pa.Field(ge=0, le=100)
    max_dpd: pl.Int32 = pa.Field(ge=0)
    defaulted: bool
    other_trigger: bool
    default_12m: bool
    pd_observation: bool
    earlier_on: date

    class Config:
        strict = True


@register("whatif_snapshot")
class WhatifSnapshot(pa.DataFrameModel):
    """One row per customer at the as-of date under the current policy."""

    customer_id: str = pa.Field(unique=True)
    name: str
    segment: str
    region: str
    industry: str
    exposure: float = pa.Field(ge=0)
    collateral: float = pa.Field(ge=0)
    credit_limit: float = pa.Field(ge=0)
    max_dpd: pl.Int32 = pa.Field(ge=0)
    score: float = pa.Field(ge=0, le=100)
    grade: str = pa.Field(isin=GRADES)
    band: str = pa.Field(isin=BANDS)
    pd: float = pa.Field(ge=0, le=1)
    lgd: float = pa.Field(ge=0, le=1)
    lgd_unsecured: float = pa.Field(ge=0, le=1)
    defaulted: bool
    expected_loss: float = pa.Field(ge=0)
    on_watchlist: bool
    triggers: pl.List(pl.String)

    class Config:
        strict = True


@register("whatif_defaults")
class WhatifDefaults(pa.DataFrameModel):
    """One row per past default up to the as-of date."""

    customer_id: str = pa.Field(unique=True)
    defaulted_on: date
    on_watchlist_before: bool

    class Config:
        strict = True
