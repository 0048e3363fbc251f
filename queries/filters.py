"""The choices behind the global filters (as-of date, segment, region, industry)."""

from __future__ import annotations

import duckdb
import polars as pl

from queries.runner import run


def as_of_dates(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every as-of date in the derived tables (column as_of), newest first."""
    return run(con, "filter_as_of_dates")


def dimension_values(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """(dimension, value) pairs for segment, region and industry, sorted."""
    return run(con, "filter_dimensions")
