"""The Customer page's questions: one customer's profile, score explanation, history and records.

Money is in ¥; pd, lgd and utilisation are shares 0-1; days_late is in days.
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from queries.runner import run


def search(con: duckdb.DuckDBPyConnection, *, text: str, as_of: date) -> pl.DataFrame:
    """Up to 20 customers whose name or id contains `text` (any case, taken literally; '' = all),
    largest exposure at as_of first (0 before a customer's first grid date)."""
    return run(con, "customer_search", search=text.strip(), as_of=as_of)


def profile(con: duckdb.DuckDBPyConnection, *, customer_id: str, as_of: date) -> pl.DataFrame:
    """Master data and the risk position at as_of: one row, or none for an unknown id; the risk
    columns are null before the customer's first grid date."""
    return run(con, "customer_profile", customer_id=customer_id, as_of=as_of)


def history(con: duckdb.DuckDBPyConnection, *, customer_id: str, as_of: date) -> pl.DataFrame:
    """One row per grid date up to as_of: exposure, overdue, score, grade, limit, PD, LGD, EL."""
    return run(con, "customer_history", customer_id=customer_id, as_of=as_of)


def explanation(con: duckdb.DuckDBPyConnection, *, customer_id: str, as_of: date) -> pl.DataFrame:
    """One row per score factor at as_of; contributions (points) sum to the score."""
    return run(con, "customer_explanation", customer_id=customer_id, as_of=as_of)


def contracts(con: duckdb.DuckDBPyConnection, *, customer_id: str, as_of: date) -> pl.DataFrame:
    """Every contract, newest signature first, with its outstanding and overdue amount at as_of."""
    return run(con, "customer_contracts", customer_id=customer_id, as_of=as_of)


def payments(con: duckdb.DuckDBPyConnection, *, customer_id: str, as_of: date) -> pl.DataFrame:
    """Instalments due in the 24 months to as_of with outstanding amount and days late at as_of."""
    return run(con, "customer_payments", customer_id=customer_id, as_of=as_of)


def events(con: duckdb.DuckDBPyConnection, *, customer_id: str, as_of: date) -> pl.DataFrame:
    """Risk events up to as_of, newest first (notes are user text)."""
    return run(con, "customer_events", customer_id=customer_id, as_of=as_of)


def spells(con: duckdb.DuckDBPyConnection, *, customer_id: str, as_of: date) -> pl.DataFrame:
    """Watchlist spells begun by as_of, as they stood at as_of (months, entry triggers, outcome)."""
    return run(con, "customer_spells", customer_id=customer_id, as_of=as_of)
