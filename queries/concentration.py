"""The Concentration page's questions: top names, Lorenz curve and Gini, HHI over time, treemap, breaches."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from queries.runner import run

Filter = tuple[str, ...]


def _f(as_of: date, segments: Filter, regions: Filter, industries: Filter) -> dict:
    return {"as_of": as_of, "segments": segments, "regions": regions, "industries": industries}


def top(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    limit: int = 20,
    segments: Filter = (),
    regions: Filter = (),
    industries: Filter = (),
) -> pl.DataFrame:
    """The `limit` largest exposures with share and cumulative share (0-1) of the filtered portfolio."""
    return run(con, "concentration_top", limit=limit, **_f(as_of, segments, regions, industries))


def lorenz(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    segments: Filter = (),
    regions: Filter = (),
    industries: Filter = (),
) -> pl.DataFrame:
    """Lorenz points (names_share, exposure_share), at most ~200, with the exact gini and names."""
    return run(con, "concentration_lorenz", **_f(as_of, segments, regions, industries))


def hhi_trend(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    segments: Filter = (),
    regions: Filter = (),
    industries: Filter = (),
) -> pl.DataFrame:
    """HHI and effective names by customer / industry / region per grid date (24 months).

    The whole portfolio reads the materialised concentration_month; a filtered one is computed."""
    if not (segments or regions or industries):
        return run(con, "concentration_hhi_trend_portfolio", as_of=as_of)
    return run(con, "concentration_hhi_trend", **_f(as_of, segments, regions, industries))


def treemap(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    per_industry: int = 8,
    segments: Filter = (),
    regions: Filter = (),
    industries: Filter = (),
) -> pl.DataFrame:
    """Industry → largest customers (+ one 'other' row per industry, customer_id null)."""
    return run(
        con,
        "concentration_treemap",
        per_industry=per_industry,
        **_f(as_of, segments, regions, industries),
    )


def breaches(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    segments: Filter = (),
    regions: Filter = (),
    industries: Filter = (),
) -> pl.DataFrame:
    """Customers above the policy's single-name share or their credit limit, largest first."""
    return run(con, "concentration_breaches", **_f(as_of, segments, regions, industries))
