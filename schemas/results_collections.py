"""Output model of the Collections page's query."""

from __future__ import annotations

from datetime import date

import pandera.polars as pa

from schemas.results import register


@register("collections_month_ratios")
class CollectionsMonthly(pa.DataFrameModel):
    as_of: date = pa.Field(unique=True)
    receivables: float = pa.Field(ge=-1e-6)
    overdue_1_30: float = pa.Field(ge=-1e-6)
    overdue_90p: float = pa.Field(ge=-1e-6)
    collection_rate: float = pa.Field(nullable=True, ge=0)
    dso: float = pa.Field(nullable=True, ge=0)
    cei: float = pa.Field(nullable=True)
    roll_current_1_30: float = pa.Field(nullable=True, ge=0, le=1 + 1e-9)
    roll_61_90_90p: float = pa.Field(nullable=True, ge=0, le=1 + 1e-9)
