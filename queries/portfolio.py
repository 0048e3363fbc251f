"""The Overview page's questions: KPIs with the previous month, grades, trends, concentration, drivers.

Every function takes the global filters as one `filters` (queries.filters.Filters): its `as_of`
(a grid date) and segments, regions, industries (empty = all). Money in ¥, shares 0-1.
"""

from __future__ import annotations

import duckdb
import polars as pl

from queries.filters import Filters
from queries.runner import run


def kpis(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
) -> pl.DataFrame:
    """Rows 'current' and 'previous' (the grid date before): customers, exposure, expected_loss,
    expected_loss_in_default, defaulted_customers, cures, written_off, recovered (money of the
    period), high_band_exposure, watchlist, overdue_90p, overdue, new_on_watchlist."""
    return run(con, "portfolio_kpis", **filters.params())


def collection_rate(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
) -> pl.DataFrame:
    """Collection rate (0-1), receivables and their part 90+ days past due (money) and its share
    of receivables (0-1) per grid date, newest first, the last 25 dates up to as_of."""
    return run(con, "portfolio_collection_rate", **filters.params())


def grades(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
) -> pl.DataFrame:
    """Customers with exposure, exposure and expected loss per grade A-E (all five rows)."""
    return run(con, "portfolio_grades", **filters.params())


def trend(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
) -> pl.DataFrame:
    """Exposure, expected loss and watchlist size per grid date over the 24 months to as_of."""
    return run(con, "portfolio_trend", **filters.params())


def largest(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    limit: int = 5,
) -> pl.DataFrame:
    """The `limit` largest exposures with their share of the filtered portfolio."""
    return run(con, "portfolio_largest", limit=limit, **filters.params())


def concentration(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
) -> pl.DataFrame:
    """One row: names, top10_share, hhi (0-10 000), effective_names of the filtered portfolio."""
    return run(con, "portfolio_concentration", **filters.params())


def el_drivers(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
) -> pl.DataFrame:
    """The (at most 5) customers whose expected loss moved most in the direction of the portfolio's
    change since the previous grid date: current_el, previous_el, change, total_change (money) and
    share_of_change (0-1), largest contribution first."""
    return run(con, "portfolio_el_drivers", **filters.params())


def new_triggers(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
) -> pl.DataFrame:
    """Per trigger, how many customers that joined the watchlist at as_of it fired for."""
    return run(con, "portfolio_new_triggers", **filters.params())
