"""The Risk grades page's questions: grades by dimension, score distribution, migration, PD/LGD/EL.

The filtered questions take the global filters as one `filters` (queries.filters.Filters).
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from queries.filters import ALL, Filters
from queries.runner import run

DIMENSIONS = ("segment", "industry", "region")


def by_dimension(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    dimension: str,
) -> pl.DataFrame:
    """(grp, grade, customers, exposure) at as_of; `dimension` must be one of DIMENSIONS."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"dimension must be one of {DIMENSIONS}, not {dimension!r}")
    return run(
        con,
        "grades_by_dimension",
        dimension=dimension,
        **filters.params(),
    )


def score_histogram(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
) -> pl.DataFrame:
    """Customers and exposure per 5-point score bin (bin = lower edge)."""
    return run(
        con,
        "grades_score_histogram",
        **filters.params(),
    )


def migration(
    con: duckdb.DuckDBPyConnection,
    filters: Filters = ALL,
    *,
    from_date: date,
    to_date: date,
) -> pl.DataFrame:
    """Customers per (from_grade, to_grade) between two grid dates (the filters' segments, regions
    and industries apply at from_date; their as_of is not used)."""
    return run(
        con,
        "grades_migration",
        from_date=from_date,
        to_date=to_date,
        **filters.params(),
    )


def calibration(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
) -> pl.DataFrame:
    """Per grade: calibration counts, observed rate and PD used, plus customers, exposure,
    exposure-weighted LGD and expected loss of the filtered portfolio at as_of."""
    return run(
        con,
        "grades_calibration",
        **filters.params(),
    )


def month_ends(con: duckdb.DuckDBPyConnection, *, as_of: date) -> pl.DataFrame:
    """Month-end grid dates up to as_of, newest first."""
    return run(con, "grades_month_ends", as_of=as_of)


def migration_rates(counts: pl.DataFrame) -> pl.DataFrame:
    """A 5 x 5 matrix (from_grade rows, columns A-E) of row shares 0-1 from migration counts;
    a grade with no customers at the start has a row of nulls."""
    grades = ["A", "B", "C", "D", "E"]
    full = (
        pl.DataFrame({"from_grade": grades})
        .join(pl.DataFrame({"to_grade": grades}), how="cross")
        .join(counts, on=["from_grade", "to_grade"], how="left")
        .with_columns(pl.col("customers").fill_null(0))
    )
    shares = full.with_columns(
        pl.when(pl.col("customers").sum().over("from_grade") > 0)
        .then(pl.col("customers") / pl.col("customers").sum().over("from_grade"))
        .alias("share")
    )
    return (
        shares.pivot(on="to_grade", index="from_grade", values="share")
        .select("from_grade", *grades)
        .sort("from_grade")
    )


def cut_offs(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """(grade, lower_edge) for grades B-E of the policy the warehouse was built with."""
    return run(con, "grades_cut_offs")
