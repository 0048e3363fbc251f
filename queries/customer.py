"""The Customer page's questions: one customer's profile, score explanation, history and records."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from queries.runner import run


def search(con: duckdb.DuckDBPyConnection, *, text: str, as_of: date) -> pl.DataFrame:
    """Up to 20 customers whose name or id contains `text`, largest exposure first."""
    return run(con, "customer_search", search=text.strip(), as_of=as_of)


def _one(name: str):
    def query(con: duckdb.DuckDBPyConnection, *, customer_id: str, as_of: date) -> pl.DataFrame:
        return run(con, name, customer_id=customer_id, as_of=as_of)

    query.__name__ = name.removeprefix("customer_")
    query.__doc__ = f"Rows of queries/sql/{name}.sql for one customer at as_of."
    query.__qualname__ = query.__name__
    return query


profile = _one("customer_profile")
history = _one("customer_history")
explanation = _one("customer_explanation")
contracts = _one("customer_contracts")
payments = _one("customer_payments")
events = _one("customer_events")
spells = _one("customer_spells")
