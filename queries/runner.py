"""The one path every SQL statement takes: read the file, bind parameters, return Polars, validate.

SQL never gets values by string formatting: `$name` placeholders in the file are bound from keyword
arguments. A result is validated against the Pandera model registered under the file's name in
`schemas.results`, when there is one.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

SQL_DIR = Path(__file__).resolve().parent / "sql"


@cache
def sql_text(name: str) -> str:
    """The text of queries/sql/<name>.sql."""
    path = SQL_DIR / f"{name}.sql"
    if not path.is_file():
        raise FileNotFoundError(f"no query named {name!r} (looked for {path})")
    return path.read_text(encoding="utf-8")


def _bound(text: str, params: dict[str, Any]) -> dict[str, Any]:
    # DuckDB refuses parameters the statement does not use, so pass only the ones it names.
    # Tuples (the cache-friendly form of a filter) bind as lists: `$segments::varchar[]`.
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items() if f"${k}" in text}


def run(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> pl.DataFrame:
    """Run queries/sql/<name>.sql on a fresh cursor of `con` and return the validated result."""
    text = sql_text(name)
    cursor = con.cursor()
    try:
        frame = cursor.sql(text, params=_bound(text, params)).pl()
    finally:
        cursor.close()
    from schemas.results import validate_result  # late import: schemas import nothing from here

    return validate_result(name, frame)


def execute(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> None:
    """Run a statement that changes the warehouse (a derived-table build) on `con` itself.

    Uses the caller's connection, not a cursor, so it joins the caller's open transaction.
    """
    text = sql_text(name)
    con.execute(text, _bound(text, params))
