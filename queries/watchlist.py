"""The Watchlist page's questions: members with filters and a chosen sort, alerts, the list's trend.

Every query takes the global filters as one `filters` (queries.filters.Filters); the page's own
filters (grades, triggers, owners, exposure range, search) are `members`' other arguments.
"""

from __future__ import annotations

import duckdb
import polars as pl

from queries.filters import Filter, Filters
from queries.runner import run

SORTS = ("exposure", "score", "months_on_list", "overdue")
TRIGGERS = (
    "overdue",
    "downgrade",
    "limit_breach",
    "legal",
    "operational",
    "rating_downgrade",
    "concentration",
)
EXPORT_LIMIT = 1_000_000


def members(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    grades: Filter = (),
    triggers: Filter = (),
    owners: Filter = (),
    min_exposure: float | None = None,
    max_exposure: float | None = None,
    search: str = "",
    sort: str = "exposure",
    limit: int = 500,
) -> pl.DataFrame:
    """Watchlist members at as_of, largest `sort` first (ties by id), at most `limit` rows; column
    `matching` is the number of members before the limit. `sort` must be one of SORTS (it picks a
    branch of a fixed ORDER BY, never text in the SQL). Exposure bounds are ¥ and inclusive;
    `search` is a literal, case-insensitive part of the name or id."""
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {SORTS}, not {sort!r}")
    return run(
        con,
        "watchlist_members",
        **filters.params(),
        grades=grades,
        triggers=triggers,
        owners=owners,
        min_exposure=min_exposure,
        max_exposure=max_exposure,
        search=search.strip(),
        sort=sort,
        limit=limit,
    )


def new_entrants(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
) -> pl.DataFrame:
    """Customers who joined the list at as_of with the triggers that are new, largest exposure first."""
    return run(
        con,
        "watchlist_new_entrants",
        **filters.params(),
    )


def trend(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
) -> pl.DataFrame:
    """Per grid date (24 months) and trigger ('any' = the list): members, inflow, outflow.

    The whole portfolio reads the materialised watchlist_month; a filtered one is computed."""
    if not filters.narrowed:
        return run(con, "watchlist_trend_portfolio", as_of=filters.as_of)
    return run(
        con,
        "watchlist_trend",
        **filters.params(),
    )


def owners(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every owner (analyst) in the customer table."""
    return run(con, "watchlist_owners")
