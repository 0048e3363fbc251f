"""The Collections page's question: aging, collection rate, DSO, CEI and roll rates per month, for
the global filters (`filters`, queries.filters.Filters)."""

from __future__ import annotations

import duckdb
import polars as pl

from queries.filters import Filters
from queries.runner import run

# Aging buckets by days past due, healthiest first; the query has amount and count columns for each.
BUCKETS = ("current", "1_30", "31_60", "61_90", "90p")
# Roll-rate columns (0-1): share of one bucket that was in a worse bucket a month later.
ROLLS = ("roll_current_1_30", "roll_1_30_31_60", "roll_31_60_61_90", "roll_61_90_90p")
# The amount (money) at the previous month-end each roll rate is a share of, column by column.
ROLLED_FROM = dict(
    zip(
        ROLLS,
        ("rolled_from_current", "rolled_from_1_30", "rolled_from_31_60", "rolled_from_61_90"),
        strict=True,
    )
)


def monthly(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
) -> pl.DataFrame:
    """One row per grid date over the 24 months to as_of for the filtered portfolio.

    The additive components of collections_month are summed over the segment x region x industry
    rows that match the filters first, then turned into ratios (a ratio of sums, not an average
    of ratios): aging amounts (money) and open instalment counts by bucket, collected (money),
    collection_rate (share 0-1), dso (days), cei (0-100) and the roll rates of ROLLS (share 0-1).
    A ratio whose denominator is zero is null.
    """
    return run(
        con,
        "collections_month_ratios",
        **filters.params(),
    )
