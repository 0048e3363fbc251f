"""What the Data page shows: the warehouse's content, its loads, rejected rows, data quality."""

from __future__ import annotations

import duckdb
import polars as pl

from data import warehouse
from queries.runner import run


def source_summary(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Per source table: rows and first/last date of its main date column."""
    return run(con, "data_source_summary")


def derived_summary(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every other table in the warehouse with its row count (derived tables, bookkeeping). In
    the warehouse a Spark build writes (data.spark_build) a derived table is a view over its
    Parquet files: counted as the table it stands for."""
    counts = warehouse.table_counts(con) | warehouse.parquet_view_counts(con)
    rows = [(n, counts[n]) for n in sorted(counts) if n not in warehouse.SOURCE_TABLES]
    return pl.DataFrame(rows, schema={"table_name": pl.String, "rows": pl.Int64}, orient="row")


def recent_loads(con: duckdb.DuckDBPyConnection, limit: int = 20) -> pl.DataFrame:
    """The most recent file loads, newest first."""
    return run(con, "data_recent_loads", limit=limit)


def quarantine(
    con: duckdb.DuckDBPyConnection, table_name: str = "", limit: int = 5000
) -> pl.DataFrame:
    """Rejected rows (one per broken rule), newest load first; '' means every table."""
    return run(con, "data_quarantine", table_name=table_name, limit=limit)


def data_quality(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per quality check: table, check, offending rows, total rows, share 0-1."""
    return run(con, "data_quality")
