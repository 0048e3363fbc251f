"""How deep query results are checked: values in the tests, columns and types in the dashboard."""

from __future__ import annotations

import polars as pl
import pytest
from pandera.errors import SchemaErrors

from schemas.results import validate_result


def bad_watchlist_month() -> pl.DataFrame:
    # a negative member count: a value check fails, the columns and types are right
    from datetime import date

    return pl.DataFrame(
        {
            "as_of": [date(2026, 1, 31)],
            "trigger": ["any"],
            "members": [-1],
            "inflow": [None],
            "outflow": [None],
        },
        schema_overrides={"inflow": pl.Int64, "outflow": pl.Int64},
    )


def test_the_suite_runs_every_value_check(monkeypatch):
    monkeypatch.setenv("RISK_RESULT_CHECKS", "full")
    with pytest.raises(SchemaErrors, match="greater_than_or_equal_to"):
        validate_result("watchlist_month", bad_watchlist_month())


def test_the_dashboard_checks_columns_and_types(monkeypatch):
    monkeypatch.setenv("RISK_RESULT_CHECKS", "schema")
    assert validate_result("watchlist_month", bad_watchlist_month()).height == 1
    missing = bad_watchlist_month().drop("members")
    with pytest.raises(SchemaErrors, match="members"):
        validate_result("watchlist_month", missing)
    wrong_type = bad_watchlist_month().with_columns(pl.col("members").cast(pl.String))
    with pytest.raises(SchemaErrors, match="members"):
        validate_result("watchlist_month", wrong_type)
