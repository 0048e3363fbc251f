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
    # a cell a mapping file (data.mapping) converts
    "mapping_date": "not a date in the declared format {format} (mapping key {key})",
    "mapping_number": (
        "not a number with decimal '{decimal}' and thousands separator '{thousands}' "
        "(mapping key {key})"
    ),
    "mapping_lookup": "not one of the codes of mapping key {key} ({codes})",
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
    # currencies (data.fx): amounts in another currency are converted with fx_rates
    "currency_code": "must be a currency code of three capital letters (ISO 4217, such as USD)",
    "fx_rate_missing": (
        "no exchange rate for {currency} on or before the row's date ({date_column}) in "
        "fx_rates: its first rate there is from {first} (load fx_rates.csv with currency, on, "
        "rate_to_reporting)"
    ),
    "fx_rate_none": (
        "no exchange rate for {currency} in fx_rates (load fx_rates.csv with currency, on, "
        "rate_to_reporting)"
    ),
    "fx_reporting_rate": "{currency} is the reporting currency: its rate_to_reporting must be 1",
    # a whole file refused
    "file_no_name": "{name}: no file name",
    "file_unknown_table": (
        "{name}: cannot tell which table this file is for; name it after one of {tables} "
        "(for example customers.csv), or give a mapping file whose [[file]] pattern matches it "
        "(--mapping FILE)"
    ),
    "file_no_pattern": (
        "{name}: cannot tell which table this file is for; no [[file]] pattern of mapping "
        "{mapping} matches it (patterns: {patterns}) and its name is none of {tables}"
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
        "{name}: missing required column(s) for {table}: {columns} (found: {found}); if the "
        "file names them otherwise, say which column feeds which field in a mapping file "
        "(--mapping FILE)"
    ),
    "mapping_missing_column": (
        "{name}: column {column} named by mapping key {key} is not in the file (found: {found}); "
        "correct the name or add optional = true to that field"
    ),
    "mapping_no_sheet": "{name}: no sheet {sheet} (mapping key {key}; sheets: {sheets})",
    "mapping_encoding": "{name}: cannot be read as {encoding} text (mapping key {key}): {error}",
    "mapping_unpivot": (
        "{name}: no column matches the unpivot pattern of mapping key {key} (found: {found})"
    ),
    "file_no_rows": "{name}: the file has a header but no data rows",
    "file_too_many_columns": (
        "{name}: {count} columns, more than the limit of {limit} (first columns: {first})"
    ),
    "file_xlsx_unpacked": (
        "{name}: the workbook unpacks to more than {limit_mb} MB; split it into smaller files"
    ),
    "file_xlsx_ratio": (
        "{name}: part {part} unpacks to {ratio} times its packed size, more than the limit of "
        "{limit} (spreadsheets pack far less)"
    ),
    "file_xlsx_damaged": (
        "{name}: part {part} of the workbook is damaged (its size or checksum does not match "
        "the zip directory)"
    ),
    "file_xlsx_dimension": (
        "{name}: sheet {part} declares the range {ref} ({rows} rows × {columns} columns), over "
        "the limit of {limit} cells or {max_columns} columns per file"
    ),
    "file_xlsx_cells": (
        "{name}: the sheets hold more than {limit} cells, the limit per file; "
        "split it into smaller files"
    ),
    "file_xlsx_text": (
        "{name}: the cells refer to more than {limit_mb} MB of shared text; "
        "split it into smaller files"
    ),
    "file_xlsx_rows": "{name}: sheet {part} has more than {limit} rows, Excel's own limit",
    "file_parquet_row_groups": "{name}: {count} row groups, more than the limit of {limit}",
    "file_parquet_cells": (
        "{name}: {rows} rows × {columns} columns, more than the limit of {limit} cells per file; "
        "split it into smaller files"
    ),
    "file_parquet_unpacked": (
        "{name}: the file declares {size_mb} MB of unpacked data, more than the limit of "
        "{limit_mb} MB; split it into smaller files"
    ),
    "file_symlink": (
        "{name}: a symbolic link, not followed (copy the file itself into the folder)"
    ),
    # a --db file the command line refuses to open or replace
    "db_folder": "{path} is a folder, not a warehouse file",
    "db_not_duckdb": "{path} is not a DuckDB warehouse file",
    "db_not_warehouse": (
        "{path} exists and is not a warehouse; choose another --db or add --force to replace it"
    ),
    "db_dangling_link": "{path} is a symbolic link to a missing file ({target})",
    "db_unreadable": "{path}: cannot open the warehouse: {error}",
    "already_loaded": (
        "the same content was already loaded into {table} on {loaded_at} from {source} "
        "(load {load_id})"
    ),
    # how a file was read
    "note_mapping": "read with mapping {mapping}, [[file]] pattern {pattern}",
    "note_derived": "{rows} row(s) derived from the file by mapping key {key}",
    "note_skipped_known": (
        "{rows} derived row(s) skipped: their {key_column} is already in the warehouse or in "
        "another file of this load"
    ),
    "note_hint_date": (
        "column {column}: {count} value(s) are not ISO dates (first: {first}); if the file writes "
        'dates another way, declare it in a mapping file, e.g. date_format = "{example}" '
        "(python -m data ingest FILE --mapping MAPPING.toml)"
    ),
    "note_hint_date_mapped": (
        "column {column}: {count} value(s) are not ISO dates (first: {first}); declare how the "
        'file writes them in the mapping: date_format = "{example}" in its [[file]] block '
        "(or the same format = … on the field)"
    ),
    "note_hint_number_mapped": (
        "column {column}: {count} value(s) are not plain numbers (first: {first}); declare the "
        "file's separators in the mapping's [[file]] block, e.g. {example}"
    ),
    "note_hint_number": (
        "column {column}: {count} value(s) are not plain numbers (first: {first}); if the file "
        "uses separators, declare them in a mapping file, e.g. {example} "
        "(python -m data ingest FILE --mapping MAPPING.toml)"
    ),
    "note_encoding": "read as {encoding} text",
    "note_semicolon": "read with ';' as the column separator",
    "note_sheet": "read sheet '{sheet}' of {sheets}",
    "note_header_row": (
        "header found on spreadsheet row {row}; rows are counted from the row below it"
    ),
    "note_unknown_columns": "ignored unknown column(s): {columns}",
    "note_absent_columns": "optional column(s) not in the file, left empty: {columns}",
}


# Characters that would change how a terminal or a page shows the text around them: C0/C1 controls
# (terminal escapes), zero-width and bidirectional marks (text that reads differently than it is).
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def escape_unsafe(text: str) -> str:
    """`text` with control and bidirectional characters written as escapes (\\x1b, \\u202e)."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def cut_value(value: object, width: int = 40) -> str:
    """`value` as text a message may quote: unsafe characters escaped (escape_unsafe), at most
    `width` characters, ending in '…' when cut."""
    text = "" if value is None else str(value)[: width * 8]  # bound the work on a huge value
    escaped = escape_unsafe(text)
    return escaped if len(escaped) <= width else escaped[: width - 1] + "…"


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
