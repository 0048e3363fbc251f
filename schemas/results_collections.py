"""Output model of the Collections page's query (collections_month_ratios).

Money in the reporting currency; counts are open payment rows (instalments); collection rate and
roll rates are shares 0-1; DSO in days; CEI on 0-100. A ratio is null when its denominator is
zero (nothing to collect, no credit sales, nothing in the bucket a month earlier), never 0.
"""

from __future__ import annotations

from datetime import date

import pandera.polars as pa

from schemas.results import register

# Sums of floating amounts can land a hair outside a bound.
SLACK = 1e-6


@register("collections_month_ratios")
class CollectionsMonthly(pa.DataFrameModel):
    """One row per grid date (24 months to as_of) for the filtered portfolio."""

    as_of: date = pa.Field(unique=True)
    receivables: float = pa.Field(ge=-SLACK)
    current_receivables: float = pa.Field(ge=-SLACK)
    overdue_1_30: float = pa.Field(ge=-SLACK)
    overdue_31_60: float = pa.Field(ge=-SLACK)
    overdue_61_90: float = pa.Field(ge=-SLACK)
    overdue_90p: float = pa.Field(ge=-SLACK)
    count_current: int = pa.Field(ge=0)
    count_1_30: int = pa.Field(ge=0)
    count_31_60: int = pa.Field(ge=0)
    count_61_90: int = pa.Field(ge=0)
    count_90p: int = pa.Field(ge=0)
    collected: float = pa.Field(ge=-SLACK)
    written_off: float = pa.Field(ge=-SLACK)
    credited: float = pa.Field(ge=-SLACK)
    recovered: float = pa.Field(ge=-SLACK)
    collection_rate: float = pa.Field(nullable=True, ge=0)
    overdue_90p_share: float = pa.Field(nullable=True, ge=0, le=1 + SLACK)  # of receivables
    dso: float = pa.Field(nullable=True, ge=0)
    # Not bounded: a month whose current receivables exceed what could be collected goes negative.
    cei: float = pa.Field(nullable=True)
    rolled_from_current: float = pa.Field(ge=-SLACK)
    rolled_from_1_30: float = pa.Field(ge=-SLACK)
    rolled_from_31_60: float = pa.Field(ge=-SLACK)
    rolled_from_61_90: float = pa.Field(ge=-SLACK)
    roll_current_1_30: float = pa.Field(nullable=True, ge=0, le=1 + SLACK)
    roll_1_30_31_60: float = pa.Field(nullable=True, ge=0, le=1 + SLACK)
    roll_31_60_61_90: float = pa.Field(nullable=True, ge=0, le=1 + SLACK)
    roll_61_90_90p: float = pa.Field(nullable=True, ge=0, le=1 + SLACK)

    class Config:
        strict = True
        coerce = False
