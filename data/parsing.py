"""From a file's bytes to a frame of text cells, and from text cells to warehouse types.

Reading never guesses a value: every cell arrives as text, and each column is parsed by a strict
rule for its type. A cell that does not parse becomes null in the typed frame and a failure
(row, column, rule, value) in the report, so the row is rejected instead of misread.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from data.file_limits import (
    LimitExceeded,
    check_columns,
    check_parquet,
    check_xlsx,
    few_columns,
)
from data.warehouse import LOAD_ORDER
from schemas.rules import cut_value, describe
from schemas.source import columns

NULL_TOKENS = ["", "na", "n/a", "null", "none", "nan", "#n/a"]
FORMATS = {".csv": "csv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet", ".xlsx": "excel"}
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
# Excel and Parquet store dates as timestamps; a midnight time part carries no information.
ISO_DATE_MIDNIGHT = r"^\d{4}-\d{2}-\d{2}(?:[ T]00:00(?::00(?:\.0+)?)?)?$"
PLAIN_NUMBER = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"
PLAIN_INTEGER = r"^[+-]?\d+(?:\.0+)?$"


class FileRejected(Exception):
    """The file cannot be loaded at all; the message says why, naming the file."""


@dataclass(frozen=True)
class RawTable:
    """A file read as text: which table it feeds, its cells, and notes for the user."""

    table: str
    frame: pl.DataFrame  # one String column per warehouse column, in warehouse order
    notes: tuple[str, ...]


def table_for(name: str) -> str:
    """The source table a file feeds, from its name: customers.csv -> customers."""
    stem = Path(name).name.split(".", 1)[0].strip().lower().replace("-", "_").replace(" ", "_")
    if stem not in LOAD_ORDER:
        raise FileRejected(describe("file_unknown_table", name=name, tables=", ".join(LOAD_ORDER)))
    return stem


def file_format(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in FORMATS:
        raise FileRejected(describe("file_type", name=name, suffix=suffix or "(none)"))
    return FORMATS[suffix]


def decode_text(name: str, content: bytes) -> tuple[str, str]:
    """(text, encoding) of a CSV file: UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030.

    GB18030 is a superset of GBK and GB2312, so one attempt covers Chinese exports from Excel.
    """
    if content.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break  # binary content that happens to decode
        if encoding == "gb18030" and not _plausibly_chinese(text):
            break  # e.g. Latin-1 bytes that GB18030 would turn into rare characters
        return text, encoding
    raise FileRejected(describe("file_encoding", name=name))


def _plausibly_chinese(text: str) -> bool:
    """True when the non-ASCII characters are mostly common Chinese (GB2312) characters.

    GB18030 decodes almost any byte sequence, so a file in another 8-bit encoding would be read
    as nonsense Chinese; real GBK exports use GB2312's common characters almost exclusively.
    """
    wide = [c for c in text if ord(c) > 127]
    if not wide:
        return True
    common = 0
    for char in wide:
        try:
            char.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common / len(wide) >= 0.8


def _separator(text: str) -> tuple[str, list[str]]:
    """',' normally; ';' when the header line has semicolons and no commas (European Excel)."""
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    if ";" in header and "," not in header:
        return ";", [describe("note_semicolon")]
    return ",", []


def _csv_header(text: str, separator: str) -> list[str]:
    """The fields of a CSV's first record (the header), read without touching the body."""
    try:
        return next(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=separator), [])
    except csv.Error:
        return []  # _refuse_ragged names the problem


def _refuse_ragged(name: str, text: str, separator: str) -> None:
    """Refuse a CSV whose rows do not all have the header's number of fields (a shifted column
    would put values under the wrong names)."""
    records = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=separator)
    try:
        width = len(next(records))
        bad, quoted = [], None
        for number, row in enumerate(records, start=1):
            if row and len(row) != width:
                bad.append((number, len(row)))
                if quoted is None and any("\n" in field for field in row):
                    quoted = number
    except csv.Error as err:
        raise FileRejected(describe("file_csv", name=name, error=err)) from err
    if quoted is not None:
        raise FileRejected(describe("file_unterminated_quote", name=name, row=quoted))
    if bad:
        shown = ", ".join(f"row {n} has {k}" for n, k in bad[:5])
        more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
        raise FileRejected(describe("file_ragged", name=name, width=width, rows=shown + more))


@dataclass(frozen=True)
class ReadOptions:
    """How a file is read when a mapping declares it (data.mapping); the defaults detect nothing
    beyond what plain files get: UTF-8/UTF-16/GB18030, ',' or ';', header on the first line."""

    encoding: str | None = None
    separator: str | None = None
    skip_rows: int = 0  # lines (CSV) before the header row
    sheet: str | None = None  # the Excel sheet to read
    headers: frozenset[str] = frozenset()  # normalised headers that identify the header row
    mapping_key: str = ""  # the mapping key to name when the declared encoding fails


def _excel_cells(
    name: str, content: bytes, table: str, options: ReadOptions | None = None
) -> tuple[pl.DataFrame, list[str]]:
    """The sheet named after the table (or the first sheet with its columns), its header found in
    the first rows, every cell as text; formulas give their saved results."""
    import fastexcel

    reader = fastexcel.read_excel(content)
    expected = set(options.headers) if options and options.headers else set(columns(table))
    sheets = reader.sheet_names
    notes: list[str] = []
    order = sorted(sheets, key=lambda s: normalise_header(s) != table)
    if options and options.sheet:
        if options.sheet not in sheets:
            raise FileRejected(
                describe(
                    "mapping_no_sheet",
                    name=name,
                    sheet=cut_value(options.sheet),
                    sheets=few_columns(sheets),
                    key=options.mapping_key,
                )
            )
        order = [options.sheet]
    for sheet in order:
        raw = reader.load_sheet(sheet, header_row=None, dtypes="string").to_polars()
        for row in range(min(20, raw.height)):
            cells = [normalise_header(v) if v else "" for v in raw.row(row)]
            if len(expected & set(cells)) >= max(2, len(expected) // 2):
                if len(sheets) > 1:
                    notes.append(describe("note_sheet", sheet=cut_value(sheet), sheets=len(sheets)))
                if row:
                    notes.append(describe("note_header_row", row=row + 1))
                keep = [
                    i for i, c in enumerate(cells) if c or raw[:, i][row + 1 :].drop_nulls().len()
                ]
                body = raw[row + 1 :].select(raw.columns[i] for i in keep)
                body.columns = [cells[i] or f"unnamed_{i + 1}" for i in keep]
                # Rows with no value at all (spacing, merged banners below the table) are not data.
                body = body.filter(~pl.all_horizontal(pl.all().is_null()))
                return body, notes
    raise FileRejected(
        describe("file_no_sheet", name=name, table=table, sheets=few_columns(sheets))
    )


def read_cells(
    name: str, content: bytes, table: str, options: ReadOptions | None = None
) -> tuple[pl.DataFrame, list[str]]:
    """Every cell of the file as text, with its header as read, plus notes on how it was read."""
    kind = file_format(name)
    notes: list[str] = []
    if not content.strip():
        raise FileRejected(describe("file_empty", name=name))
    try:
        if kind == "csv":
            if options and options.encoding:
                text, encoding = _declared_text(name, content, options), options.encoding
            else:
                text, encoding = decode_text(name, content)
            if encoding.lower().replace("_", "-") not in ("utf-8", "utf-8-sig", "utf8"):
                notes.append(describe("note_encoding", encoding=encoding.upper()))
            if options and options.skip_rows:
                text = "".join(text.lstrip("\ufeff").splitlines(keepends=True)[options.skip_rows :])
            if options and options.separator:
                separator, read_notes = options.separator, []
            else:
                separator, read_notes = _separator(text)
            notes += read_notes
            check_columns(name, _csv_header(text, separator))
            _refuse_ragged(name, text, separator)
            frame = pl.read_csv(
                io.StringIO(text),
                separator=separator,
                infer_schema=False,
                raise_if_empty=True,
            )
        elif kind == "parquet":
            check_parquet(name, content)
            frame = pl.read_parquet(io.BytesIO(content))
            frame = frame.with_columns(pl.all().cast(pl.String))
        else:
            check_xlsx(name, content)
            frame, read_notes = _excel_cells(name, content, table, options)
            notes += read_notes
        check_columns(name, frame.columns)
    except FileRejected:
        raise
    except LimitExceeded as err:
        raise FileRejected(str(err)) from err
    except Exception as err:  # noqa: BLE001 - any reader error means the file cannot be read
        raise FileRejected(
            describe("file_unreadable", name=name, kind=kind.upper(), error=_first_line(err))
        ) from err
    return frame, notes


def _declared_text(name: str, content: bytes, options: ReadOptions) -> str:
    """The file decoded with the encoding its mapping declares, or FileRejected naming the key."""
    try:
        text = content.decode(options.encoding or "utf-8")
    except (UnicodeDecodeError, LookupError) as err:
        raise FileRejected(
            describe(
                "mapping_encoding",
                name=name,
                encoding=cut_value(options.encoding),
                key=options.mapping_key,
                error=_first_line(err),
            )
        ) from err
    return text.removeprefix("\ufeff")


def _first_line(err: Exception) -> str:
    text = str(err).strip().splitlines()
    return cut_value(text[0], 300) if text else type(err).__name__


def normalise_header(header: str) -> str:
    """Header names match case- and space-insensitively: ' Customer ID ' -> customer_id."""
    return re.sub(r"[\s\-]+", "_", header.strip().lstrip("\ufeff").lower())


def read_table(name: str, content: bytes) -> RawTable:
    """The file's cells mapped onto its table's columns, or FileRejected naming what is wrong."""
    table = table_for(name)
    frame, notes = read_cells(name, content, table)
    expected = columns(table)
    headers = [normalise_header(h) for h in frame.columns]
    duplicated = sorted(h for h, count in Counter(headers).items() if count > 1)
    if duplicated:
        raise FileRejected(
            describe("file_duplicate_columns", name=name, columns=few_columns(duplicated))
        )
    frame.columns = headers
    present = set(headers)
    required = [c for c, (_, nullable) in expected.items() if not nullable]
    missing = [c for c in required if c not in present]
    if missing:
        raise FileRejected(
            describe(
                "file_missing_columns",
                name=name,
                table=table,
                columns=", ".join(missing),
                found=few_columns(headers) or "no header",
            )
        )
    extra = [h for h in headers if h not in expected]
    if extra:
        notes.append(describe("note_unknown_columns", columns=few_columns(extra)))
    absent = [c for c in expected if c not in present]
    if absent:
        notes.append(describe("note_absent_columns", columns=", ".join(absent)))
    # A header without rows is an empty table (an extract of a month with no events, say): it
    # loads 0 rows like any other file instead of refusing the batch; its report reads 0 rows.
    cells = frame.select(
        [pl.col(c) if c in present else pl.lit(None, pl.String).alias(c) for c in expected]
    )
    return RawTable(table=table, frame=cells, notes=tuple(notes))


def parse_cells(
    table: str, cells: pl.DataFrame, strict_dates: bool = True
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(typed frame, parse failures) for text cells of `table`.

    Failures have columns index (0-based row), column, rule, value. Blank cells and tokens such as
    N/A become null (whether null is allowed is the schema's rule, not the parser's).
    """
    date_pattern = ISO_DATE if strict_dates else ISO_DATE_MIDNIGHT
    typed, problems = [], []
    for column, (dtype, _) in columns(table).items():
        text = pl.col(column).str.strip_chars()
        text = pl.when(text.str.to_lowercase().is_in(NULL_TOKENS)).then(None).otherwise(text)
        if dtype == pl.String:
            value, rule = text, None
        elif dtype == pl.Date:
            value = text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
            ok = text.str.contains(date_pattern) & value.is_not_null()
            value = pl.when(ok).then(value)
            rule = (ok, describe("not_a_date"))
        elif dtype == pl.Float64:
            value = text.cast(pl.Float64, strict=False)
            ok = text.str.contains(PLAIN_NUMBER) & value.is_finite()
            value = pl.when(ok).then(value)
            rule = (ok, describe("not_a_number"))
        else:
            value = text.str.replace(r"\.0+$", "").cast(pl.Int64, strict=False)
            ok = text.str.contains(PLAIN_INTEGER) & value.is_not_null()
            value = pl.when(ok).then(value)
            rule = (ok, describe("not_a_whole_number"))
        typed.append(value.cast(dtype).alias(column))
        if rule is not None:
            ok, words = rule
            problems.append(
                pl.when(text.is_not_null() & ~ok.fill_null(False)).then(pl.lit(words)).alias(column)
            )
    frame = cells.select(typed)
    if not problems:
        return frame, _no_failures()
    flags = cells.select(problems).with_row_index("index")
    failures = (
        flags.unpivot(index="index", variable_name="column", value_name="rule")
        .drop_nulls("rule")
        .join(
            cells.with_row_index("index").unpivot(
                index="index", variable_name="column", value_name="value"
            ),
            on=["index", "column"],
            how="left",
        )
        .select(pl.col("index").cast(pl.Int64), "column", "rule", "value")
        .sort("index", "column")
    )
    return frame, failures


def _no_failures() -> pl.DataFrame:
    return pl.DataFrame(
        schema={"index": pl.Int64, "column": pl.String, "rule": pl.String, "value": pl.String}
    )
