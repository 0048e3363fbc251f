"""The Collections page's question: aging, collection rate, DSO, CEI and roll rates per month."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from queries.runner import run

Filter = tuple[str, ...]
BUCKETS = ("1_30", "31_60", "61_90", "90p")
ROLLS = ("roll_current_1_30", "roll_1_30_31_60", "roll_31_60_61_90", "roll_61_90_90p")


def monthly(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    segments: Filter = (),
    regions: Filter = (),
    industries: Filter = (),
) -> pl.DataFrame:
    """One row per grid date over the 24 months to as_of: aging amounts (¥) and counts by bucket,
    collection_rate (0-1), dso (days), cei (0-100) and roll rates (0-1) for the filtered portfolio."""
    return run(
        con,
        "collections_month_ratios",
        as_of=as_of,
        segments=segments,
        regions=regions,
        industries=industries,
    )
