"""Output model of the freshness query (queries/freshness.py)."""

from __future__ import annotations

from datetime import date, datetime

import pandera.polars as pa

from schemas.results import register


@register("warehouse_freshness")
class WarehouseFreshness(pa.DataFrameModel):
    """At most one row: the last build's time (null before the first) and its as-of date."""

    loaded_at: datetime = pa.Field(nullable=True)
    data_through: date = pa.Field(nullable=True)
