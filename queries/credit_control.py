"""The Credit control & contracts page's questions: limits and utilisation, policy actions, reviews, contracts."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from queries.runner import run

Filter = tuple[str, ...]
LISTS = ("review", "expiring", "dispute")


def _f(as_of: date, segments: Filter, regions: Filter, industries: Filter) -> dict:
    return {"as_of": as_of, "segments": segments, "regions": regions, "industries": industries}


def customers(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    limit: int = 2000,
    segments: Filter = (),
    regions: Filter = (),
    industries: Filter = (),
) -> pl.DataFrame:
    """Customers by utilisation (highest first) with band controls and review status; `matching` = all."""
    return run(
        con, "credit_control_customers", limit=limit, **_f(as_of, segments, regions, industries)
    )


def summary(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    segments: Filter = (),
    regions: Filter = (),
    industries: Filter = (),
) -> pl.DataFrame:
    """One row of counts: customers, over_limit, near_limit, review_overdue, expiring_90d, in_dispute, contracts_due_review."""
    return run(con, "credit_control_summary", **_f(as_of, segments, regions, industries))


def contracts(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    which: str,
    limit: int = 500,
    segments: Filter = (),
    regions: Filter = (),
    industries: Filter = (),
) -> pl.DataFrame:
    """Live contracts needing attention; `which` is one of LISTS (review, expiring, dispute)."""
    if which not in LISTS:
        raise ValueError(f"which must be one of {LISTS}, not {which!r}")
    return run(
        con,
        "credit_control_contracts",
        list=which,
        limit=limit,
        **_f(as_of, segments, regions, industries),
    )


def utilisation(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    segments: Filter = (),
    regions: Filter = (),
    industries: Filter = (),
) -> pl.DataFrame:
    """Customers and exposure per 10-point utilisation bin (percent lower edge; 200 = 200 %+)."""
    return run(con, "credit_control_utilisation", **_f(as_of, segments, regions, industries))
