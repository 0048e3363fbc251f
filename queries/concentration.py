"""The Concentration page's questions: top names, Lorenz curve and Gini, HHI over time, treemap, breaches.

Every query takes the global filters as one `filters` (queries.filters.Filters). Shares are 0-1,
exposure is money in the reporting currency, HHI is on 0-10 000.
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from queries.filters import Filters
from queries.runner import run

BREACH_KINDS = ("single_name", "limit")


def top(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    limit: int = 20,
) -> pl.DataFrame:
    """The `limit` largest exposures with share and cumulative share (0-1) of the filtered portfolio."""
    return run(con, "concentration_top", limit=limit, **filters.params())


def lorenz(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
) -> pl.DataFrame:
    """Lorenz points (names_share, exposure_share; 0-1), at most 202, with the exact gini and names."""
    return run(con, "concentration_lorenz", **filters.params())


def hhi_trend(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
) -> pl.DataFrame:
    """Names, top-10 share, HHI and effective names by customer / industry / region per grid date
    over the 24 months to `filters.as_of`.

    Without filters this reads the materialised, portfolio-wide concentration_month (scope
    'portfolio'); with filters the figures are recomputed from customer_month with shares within
    the filtered set (scope 'filtered'), because portfolio-wide shares would mislead there.
    """
    if not filters.narrowed:
        return run(con, "concentration_hhi_trend_portfolio", as_of=filters.as_of)
    return run(con, "concentration_hhi_trend", **filters.params())


def latest_and_previous(
    trend: pl.DataFrame, as_of: date, dimension: str, column: str
) -> tuple[float | None, float | None]:
    """The value of `column` for `dimension` at `as_of` and at the trend's latest date before it
    (None where there is no such row: no exposure then, or no earlier date)."""
    rows = trend.filter(pl.col("dimension") == dimension, pl.col("as_of") <= as_of).sort("as_of")
    at = rows.filter(pl.col("as_of") == as_of)[column].to_list()
    before = rows.filter(pl.col("as_of") < as_of)[column].to_list()
    return (at[0] if at else None), (before[-1] if before else None)


def treemap(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    per_industry: int = 8,
) -> pl.DataFrame:
    """Industry → its `per_industry` largest customers, plus one 'other' row per industry for the
    rest (customer_id, name and grade null); exposure in money."""
    return run(
        con,
        "concentration_treemap",
        per_industry=per_industry,
        **filters.params(),
    )


def policy(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row: single_name_share, the policy's single-name limit (share 0-1 of the whole portfolio)."""
    return run(con, "concentration_policy")


def breaches(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    kind: str,
    limit: int = 200,
) -> pl.DataFrame:
    """Customers in breach, largest exposure first, at most `limit` rows; `matching` counts them all.

    `kind` is 'single_name' (share of the whole portfolio above the policy's single-name limit,
    `single_name_limit`, 0-1) or 'limit' (exposure above the credit limit; `excess` in money).
    """
    if kind not in BREACH_KINDS:
        raise ValueError(f"kind must be one of {BREACH_KINDS}, not {kind!r}")
    return run(
        con,
        "concentration_breaches",
        kind=kind,
        limit=limit,
        **filters.params(),
    )
