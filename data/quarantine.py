"""The quarantine as the command line shows it (`python -m data quarantine`): the rejected rows of
earlier loads grouped like a load's report (file, table, rule, column, count, three examples), and
the matching rows themselves for export to CSV or Parquet.

Reading only: every function takes a connection the caller opened (read-only for the command).
"""

from __future__ import annotations

import string
from pathlib import Path

import duckdb
import polars as pl

from data.ingest import EXAMPLES
from data.runner import run
from schemas.rules import RULES

# Export formats by the suffix of the path asked for.
EXPORT_FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


class ExportRefused(Exception):
    """The export path cannot be written in a format we know; the message says why."""


def _like_literal(text: str) -> str:
    """`text` matched literally by ILIKE ... ESCAPE '\\'."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def rule_pattern(rule: str | None) -> str:
    """The ILIKE pattern (escape '\\') that `--rule` stands for; '' matches every rule.

    A rule code of schemas.rules (`one_of`, `not_a_date`, `reference`) matches its messages
    whatever their parameters ("must be one of %"); any other text matches the rules that
    contain it, ignoring case (`--rule "ISO format"`).
    """
    if not rule:
        return ""
    if rule in RULES:
        parts = string.Formatter().parse(RULES[rule])
        return "".join(
            _like_literal(literal) + ("%" if field is not None else "")
            for literal, field, _, _ in parts
        )
    return f"%{_like_literal(rule)}%"


def _filters(rule: str | None, file: str | None, table: str | None) -> dict[str, str]:
    return {
        "rule_pattern": rule_pattern(rule),
        "source_file": file or "",
        "table_name": table or "",
    }


def groups(
    con: duckdb.DuckDBPyConnection,
    rule: str | None = None,
    file: str | None = None,
    table: str | None = None,
    examples: int = EXAMPLES,
) -> pl.DataFrame:
    """Quarantined failures by file, table, column and rule: count, loads, last_load_id,
    last_loaded_at and `examples` (row_number, value, load_id), newest load first."""
    return run(con, "quarantine_groups", examples=examples, **_filters(rule, file, table))


def rows(
    con: duckdb.DuckDBPyConnection,
    rule: str | None = None,
    file: str | None = None,
    table: str | None = None,
) -> pl.DataFrame:
    """Every quarantined row the filters match, with all its columns (row_data holds the whole
    original row as JSON)."""
    return run(con, "quarantine_rows", **_filters(rule, file, table))


def export_format(path: str | Path) -> str:
    """csv or parquet, from the suffix of `path`; ExportRefused for any other suffix."""
    suffix = Path(path).suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise ExportRefused(
            f"cannot export to {Path(path).name}: unsupported file type {suffix or '(none)'}; "
            "use .csv or .parquet"
        )
    return EXPORT_FORMATS[suffix]


def export(frame: pl.DataFrame, path: str | Path) -> str:
    """Write `frame` to `path` as its suffix says; returns the format.

    CSV is what a spreadsheet opens: UTF-8 with a BOM and spreadsheet formulas neutralised (a
    leading ' on text starting with = + - @, tab or CR), exactly as the dashboard's exports
    (data/export.py). Parquet keeps every value as
    stored.
    """
    kind = export_format(path)
    if kind == "csv":
        from data.export import to_csv

        Path(path).write_bytes(to_csv(frame))
    else:
        frame.write_parquet(path)
    return kind
