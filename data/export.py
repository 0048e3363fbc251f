"""Exports of what a user sees: CSV and Excel bytes, safe to open in a spreadsheet."""

from __future__ import annotations

import io

import polars as pl

# A spreadsheet treats a cell starting with one of these as a formula (CWE-1236).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells that a spreadsheet would run as a formula get a leading apostrophe.

    Only text columns change; numbers stay numbers (a negative amount is not a formula).
    """
    text_columns = [c for c, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(_neutralised(c) for c in text_columns)


def _neutralised(column: str) -> pl.Expr:
    risky = pl.any_horizontal([pl.col(column).str.starts_with(p) for p in FORMULA_PREFIXES])
    return pl.when(risky).then(pl.lit("'") + pl.col(column)).otherwise(pl.col(column)).alias(column)


def _flat(frame: pl.DataFrame) -> pl.DataFrame:
    # Lists (trigger codes) become "a, b" so every format can hold them.
    lists = [c for c, dtype in frame.schema.items() if isinstance(dtype, pl.List)]
    return frame.with_columns(pl.col(c).list.join(", ") for c in lists)


def to_csv(frame: pl.DataFrame) -> bytes:
    """UTF-8 CSV with a BOM, so Excel shows Chinese names correctly."""
    return b"\xef\xbb\xbf" + neutralise(_flat(frame)).write_csv().encode("utf-8")


def to_xlsx(frame: pl.DataFrame, sheet: str = "data") -> bytes:
    buffer = io.BytesIO()
    neutralise(_flat(frame)).write_excel(buffer, worksheet=sheet, autofit=True, include_header=True)
    return buffer.getvalue()
