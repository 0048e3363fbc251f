"""The warehouse's settings the dashboard follows: the reporting currency amounts are shown in."""

from __future__ import annotations

import duckdb
import polars as pl

from queries.runner import run


def warehouse_settings(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row: reporting_currency (ISO 4217 code, CNY unless chosen before the first load)."""
    return run(con, "warehouse_settings")


def reporting_currency(settings: pl.DataFrame) -> str | None:
    """The currency of a `warehouse_settings` result; None when it holds no row (a scope that
    hides the state, which pages then show in the default currency)."""
    return settings["reporting_currency"][0] if settings.height else None
