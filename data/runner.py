"""The one path every SQL statement takes: read the file, bind parameters, return Polars, validate.

SQL never gets values by string formatting: `$name` placeholders in the file are bound from keyword
arguments. A result is validated against the Pandera model registered under the file's name in
`schemas.results`, when there is one.

A `Statements` object runs the files of one folder. This module's own functions run data/sql/: the
warehouse's definitions (the build's steps, the load's statements, the policy in force, the alert
keys the worklog stores). queries/runner.py runs the pages' questions in queries/sql/ the same way.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

SQL_DIR = Path(__file__).resolve().parent / "sql"


def bound(text: str, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters `text` names, from `params`: DuckDB refuses parameters a statement does not
    use. Tuples (the cache-friendly form of a filter) bind as lists: `$segments::varchar[]`."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items() if f"${k}" in text}


class Statements:
    """The SQL files of one folder, run by name."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.text = cache(self._read)

    def _read(self, name: str) -> str:
        path = self.folder / f"{name}.sql"
        if not path.is_file():
            raise FileNotFoundError(f"no query named {name!r} (looked for {path})")
        return path.read_text(encoding="utf-8")

    def run(self, con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> pl.DataFrame:
        """Run <folder>/<name>.sql on a fresh cursor of `con` and return the validated result."""
        text = self.text(name)
        cursor = con.cursor()
        try:
            frame = cursor.sql(text, params=bound(text, params)).pl()
        finally:
            cursor.close()
        from schemas.results import validate_result  # late import: schemas import nothing from here

        return validate_result(name, frame)

    def execute(self, con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> None:
        """Run a statement that changes the warehouse (a derived-table build) on `con` itself.

        Uses the caller's connection, not a cursor, so it joins the caller's open transaction.
        """
        text = self.text(name)
        con.execute(text, bound(text, params))


_STATEMENTS = Statements(SQL_DIR)
sql_text = _STATEMENTS.text
run = _STATEMENTS.run
execute = _STATEMENTS.execute
