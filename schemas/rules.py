"""Why a cell, a row or a file was refused, and how it was read: rule codes with parameters.

Ingestion (data.parsing, data.ingest, schemas.source) writes its messages in English (the command line, the quarantine table and the
failure downloads keep that text), always through `describe(code, **parameters)`. Because every
message comes from one template here, `identify(text)` gives back the code and parameters of any
stored message, so the dashboard can show it in the reader's language from its catalogue
(dashboard/messages/<lang>/rules.toml) without data/ knowing about languages or Streamlit.
"""

from __future__ import annotations

import re
import string
from functools import cache

# code -> English template; {names} are the parameters.
RULES: dict[str, str] = {
    # a cell that does not parse as its column's type
    "not_a_date": "not a valid date in ISO format YYYY-MM-DD",
    "not_a_number": "not a plain number (no thousands separators, currency symbols or text)",
    "not_a_whole_number": "not a whole number",
    # a row against the table's rules
    "required": "required: value is missing",
    "duplicate_key": "duplicate key within the file",
    "one_of": "must be one of {values}",
    "at_least": "must be >= {limit}",
    "above": "must be > {limit}",
    "at_most": "must be <= {limit}",
    "below": "must be < {limit}",
    "text_length": "text length must be within {range}",
    "reference": "{column} must exist in {target}.{key}",
    "end_after_start": "end_on >= start_on",
    "start_after_signing": "start_on >= signed_on",
    "paid_needs_date": "paid_on set when amount_paid > 0",
    "issued_by_due": "issued_on <= due_on",
    "adjustment_exceeds_owed": (
        "write-offs and credit notes of payment {payment_id} would exceed what it owes ({owed})"
    ),
    "recovery_without_write_off": (
        "a recovery needs an earlier write-off of payment {payment_id} at least as large "
        "(recovered {recovered}, written off by then {written_off})"
    ),
    # a whole file refused
    "file_no_name": "{name}: no file name",
    "file_unknown_table": (
        "{name}: cannot tell which table this file is for; name it after one of {tables} "
        "(for example customers.csv)"
    ),
    "file_type": "{name}: unsupported file type {suffix}; use .csv, .parquet or .xlsx",
    "file_encoding": (
        "{name}: not readable text — the file is neither UTF-8, UTF-16 nor GBK/GB18030 "
        "(save it as CSV UTF-8 and load again)"
    ),
    "file_csv": "{name}: cannot be read as CSV: {error}",
    "file_unterminated_quote": (
        "{name}: a quote opened in row {row} is never closed (unterminated quote)"
    ),
    "file_ragged": (
        "{name}: rows with a different number of fields than the header's {width}: {rows}"
    ),
    "file_no_sheet": (
        "{name}: no sheet has a header row with the columns of {table} "
        "(sheets: {sheets}; looked at the first 20 rows of each)"
    ),
    "file_empty": "{name}: the file is empty",
    "file_unreadable": "{name}: cannot be read as {kind}: {error}",
    "file_duplicate_columns": "{name}: column(s) appear more than once: {columns}",
    "file_missing_columns": (
        "{name}: missing required column(s) for {table}: {columns} (found: {found})"
    ),
    "file_no_rows": "{name}: the file has a header but no data rows",
    "already_loaded": (
        "the same content was already loaded into {table} on {loaded_at} from {source} "
        "(load {load_id})"
    ),
    # how a file was read
    "note_encoding": "read as {encoding} text",
    "note_semicolon": "read with ';' as the column separator",
    "note_sheet": "read sheet '{sheet}' of {sheets}",
    "note_header_row": (
        "header found on spreadsheet row {row}; rows are counted from the row below it"
    ),
    "note_unknown_columns": "ignored unknown column(s): {columns}",
    "note_absent_columns": "optional column(s) not in the file, left empty: {columns}",
}


def describe(code: str, **parameters: object) -> str:
    """The English message of rule `code` with its parameters filled in."""
    return RULES[code].format(**parameters)


@cache
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    """(code, anchored pattern) per template; templates with more fixed text are tried first."""
    compiled = []
    for code, template in RULES.items():
        pattern, fixed = "", 0
        for literal, name, _, _ in string.Formatter().parse(template):
            pattern += re.escape(literal)
            fixed += len(literal)
            if name:
                pattern += f"(?P<{name}>.+?)"
        compiled.append((fixed, code, re.compile(f"^{pattern}$", re.DOTALL)))
    compiled.sort(key=lambda item: -item[0])
    return [(code, pattern) for _, code, pattern in compiled]


def identify(text: str | None) -> tuple[str, dict[str, str]] | None:
    """(code, parameters) of a message `describe` wrote, or None for any other text."""
    if not text:
        return None
    for code, pattern in _patterns():
        found = pattern.match(text)
        if found:
            return code, found.groupdict()
    return None
