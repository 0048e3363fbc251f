"""Mapping files: how a foreign extract (an ERP's receivables list, a loan tape) feeds the source
tables, declared in TOML instead of converted by a script.

A mapping holds one `[[file]]` block per kind of file, matched by a glob on the file name. Each block
says how the file is read (encoding, separator, header row, sheet), how its dates and numbers are
written, which currency its amounts are in, and, in one sub-table per target table, where each
field comes from: a source column, a constant, a template joining columns, or a lookup of codes.
One file may feed several tables (an invoice list gives payments, and derives the customers and
contracts it implies). Wide files (one column per month) are unpivoted by a declared pattern.

Nothing is guessed: a date is read only in the declared format, a number only with the declared
separators; a cell that does not convert is a failure naming the mapping key, so the row is
quarantined rather than misread. The result of a mapping is text cells in the warehouse's column
order, which then go through the same parsing and rules as a plain file (data.ingest).

The README's "Mapping your extract" documents every key with a full example; presets for common
extracts live in data/mappings/.
"""

from __future__ import annotations

import codecs
import fnmatch
import re
import string
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from data.file_limits import few_columns
from data.parsing import FileRejected, ReadOptions, normalise_header, read_cells
from data.warehouse import KEYS, LOAD_ORDER
from schemas.rules import cut_value, describe
from schemas.source import columns

PRESETS = Path(__file__).resolve().parent / "mappings"
AGGREGATES = ("first", "last", "min", "max", "sum", "count")
FILE_KEYS = {
    "pattern",
    "encoding",
    "separator",
    "header_row",
    "sheet",
    "date_format",
    "excel_dates",
    "decimal",
    "thousands",
    "trailing_minus",
    "parentheses_negative",
    "currency",
    "unpivot",
    "description",
}
TABLE_KEYS = {"where", "unique_by", "if_missing", "fields"}
FIELD_KEYS = {
    "column",
    "value",
    "template",
    "map",
    "default",
    "format",
    "month_end",
    "aggregate",
    "optional",
    "negate",
    "absolute",
    "decimal",
    "thousands",
    "where",
    "subtract",
}
WHERE_KEYS = {"column", "in", "not_in", "not_blank", "blank", "above", "below"}
UNPIVOT_KEYS = {"pattern", "period", "measure", "periods"}
TIME_DIRECTIVES = re.compile(r"%[HIMSpfTRz]")
EXCEL_EPOCH = "1899-12-30"  # day 0 of Excel's 1900 date system (with its leap-year bug absorbed)


class MappingError(ValueError):
    """The mapping file itself is wrong; the message names the file and the key."""


@dataclass(frozen=True)
class Source:
    """Where one target field comes from (exactly one of column, value, template)."""

    key: str  # the mapping key, for messages: file['inv*.csv'].payments.due_on
    column: str | None = None  # normalised source header
    value: str | None = None
    template: tuple[tuple[str, str | None], ...] | None = None  # (literal, column) pairs
    lookup: dict[str, str] | None = None
    default: str | None = None
    date_format: str | None = None
    month_end: bool = False
    aggregate: str = "first"
    optional: bool = False
    negate: bool = False
    absolute: bool = False
    decimal: str | None = None
    thousands: str | None = None
    alternatives: tuple[str, ...] = ()  # other headers the column may have (the first found wins)
    where: tuple[Where, ...] = ()  # the field is blank on rows that do not meet these
    subtract: Source | None = None  # a number column taken off this field's number

    def columns(self) -> list[str]:
        """The source headers the field reads (its conditions' and subtrahend's included)."""
        own = [self.column] if self.column else [c for _, c in self.template or () if c]
        own += [w.column for w in self.where]
        return own + (self.subtract.columns() if self.subtract else [])

    def headers(self) -> set[str]:
        """Every header the field may read, the alternatives of its column lists included."""
        found = {*self.columns(), *self.alternatives}
        for condition in self.where:
            found.update(condition.alternatives)
        return found | (self.subtract.headers() if self.subtract else set())


@dataclass(frozen=True)
class Where:
    column: str
    values: tuple[str, ...] | None = None  # keep rows whose cell is one of these
    excluded: tuple[str, ...] | None = None  # drop rows whose cell is one of these
    not_blank: bool = False
    above: float | None = None  # keep rows whose cell, read as a number, is above this
    below: float | None = None  # keep rows whose cell, read as a number, is below this
    blank: bool = False
    alternatives: tuple[str, ...] = ()  # other headers the column may have (the first found wins)


@dataclass(frozen=True)
class TableMap:
    table: str
    key: str
    fields: dict[str, Source]
    where: tuple[Where, ...] = ()  # a row feeds the table when it meets all of these
    unique_by: str | None = None  # one output row per distinct value of this target field
    if_missing: bool = False  # derived rows only for keys not already known


@dataclass(frozen=True)
class Unpivot:
    key: str
    pattern: re.Pattern[str]  # matches the wide columns; groups `measure` and `period`
    period: str = "period"  # name of the long column holding the period text
    # what each period of the headers stands for ("1" -> "2005-09"); a period not listed keeps
    # its text
    periods: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class FileMap:
    key: str
    pattern: str  # the glob(s) as shown in messages: "repayments*.csv, schedule*.csv"
    tables: tuple[TableMap, ...]
    encoding: str | None = None
    separator: str | None = None
    header_row: int = 1
    sheet: str | None = None
    date_format: str | None = None
    excel_dates: bool = False
    decimal: str = "."
    thousands: str | None = None
    trailing_minus: bool = False
    parentheses_negative: bool = False
    currency: Source | None = None
    unpivot: Unpivot | None = None
    globs: tuple[str, ...] = ()  # every glob of `pattern = [...]`; empty: `pattern` alone

    def matches(self, name: str) -> bool:
        base = Path(name).name.lower()
        return any(fnmatch.fnmatch(base, glob.lower()) for glob in self.globs or (self.pattern,))

    def source_columns(self) -> set[str]:
        """Every source header the block reads (those of wide columns excluded)."""
        found: set[str] = set()
        sources = [s for t in self.tables for s in t.fields.values()]
        for source in [*sources, *([self.currency] if self.currency else [])]:
            found.update(source.headers())
        for table in self.tables:
            for condition in table.where:
                found.update({condition.column, *condition.alternatives})
        return found


@dataclass(frozen=True)
class Mapping:
    path: str
    files: tuple[FileMap, ...]

    @property
    def name(self) -> str:
        return Path(self.path).name

    def for_file(self, name: str) -> FileMap | None:
        return next((f for f in self.files if f.matches(name)), None)


@dataclass
class Mapped:
    """One target table's rows from one file: text cells in warehouse order, ready for parsing."""

    table: str
    cells: pl.DataFrame
    source_rows: pl.Series  # 1-based data row of the file each output row comes from
    failures: pl.DataFrame  # index (output row), column, rule, value
    currency: pl.Series | None  # declared currency per output row
    if_missing: bool
    key: str
    notes: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------------------------
# reading and checking the mapping file


def resolve(path_or_preset: str | Path) -> Path:
    """A mapping path, or the preset of that name in data/mappings (invoice_list -> …toml)."""
    path = Path(path_or_preset)
    if path.exists():
        return path
    preset = PRESETS / f"{path_or_preset}.toml"
    if preset.exists() and "/" not in str(path_or_preset):
        return preset
    presets = ", ".join(sorted(p.stem for p in PRESETS.glob("*.toml")))
    raise MappingError(f"{path}: no such mapping file (presets: {presets})")


def load_mapping(path_or_preset: str | Path) -> Mapping:
    """The mapping in a TOML file (or a preset's name), checked key by key; MappingError if not."""
    path = resolve(path_or_preset)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as err:
        raise MappingError(f"{path}: not a valid TOML mapping file: {err}") from err
    return parse_mapping(document, str(path))


def parse_mapping(document: dict, path: str = "mapping") -> Mapping:
    """A Mapping from a TOML document already read (the Data page builds one in memory)."""
    unknown = set(document) - {"file", "description"}
    if unknown:
        raise MappingError(f"{path}: unknown top-level key(s) {sorted(unknown)}; expected [[file]]")
    blocks = document.get("file")
    if not isinstance(blocks, list) or not blocks:
        raise MappingError(f"{path}: no [[file]] block (each says which files it reads)")
    return Mapping(path, tuple(_file(block, i, path) for i, block in enumerate(blocks, 1)))


def _fail(path: str, key: str, problem: str) -> MappingError:
    return MappingError(f"{path}: {key}: {problem}")


def _file(block: dict, number: int, path: str) -> FileMap:
    pattern = block.get("pattern")
    key = f"file[{number}]"
    # one glob, or a list of them: pattern = ["repayments*.csv", "schedule*.csv"]
    globs = pattern if isinstance(pattern, list) and pattern else [pattern]
    if not all(isinstance(g, str) and g.strip() for g in globs):
        raise _fail(path, key, "needs pattern = \"…\" (a file-name glob such as 'invoices*.csv')")
    globs = [g.strip() for g in globs]
    key = f"file['{globs[0]}']"  # a block is named by its first glob
    tables = {k: v for k, v in block.items() if k in LOAD_ORDER}
    unknown = set(block) - FILE_KEYS - set(LOAD_ORDER)
    if unknown:
        raise _fail(
            path,
            key,
            f"unknown key(s) {sorted(unknown)}; file keys are {sorted(FILE_KEYS)} and the tables "
            f"{', '.join(LOAD_ORDER)}",
        )
    if not tables:
        raise _fail(path, key, f"feeds no table; add a [file.<table>] for one of {LOAD_ORDER}")
    encoding = _text(block, "encoding", path, key)
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError as err:
            raise _fail(path, f"{key}.encoding", f"unknown encoding {encoding!r}") from err
    separator = _text(block, "separator", path, key)
    if separator is not None and len(separator) != 1:
        raise _fail(path, f"{key}.separator", "must be one character, e.g. ';' or '\\t'")
    header_row = block.get("header_row", 1)
    if not isinstance(header_row, int) or isinstance(header_row, bool) or not 1 <= header_row <= 50:
        raise _fail(path, f"{key}.header_row", "must be a line number from 1 to 50")
    decimal = _text(block, "decimal", path, key) or "."
    thousands = _text(block, "thousands", path, key)
    _separators(decimal, thousands, path, key)
    date_format = _text(block, "date_format", path, key)
    if date_format:
        _date_format(date_format, path, f"{key}.date_format")
    file_map = FileMap(
        key=key,
        pattern=", ".join(globs),
        globs=tuple(globs),
        tables=(),
        encoding=encoding,
        separator=separator,
        header_row=header_row,
        sheet=_text(block, "sheet", path, key),
        date_format=date_format,
        excel_dates=_flag(block, "excel_dates", path, key),
        decimal=decimal,
        thousands=thousands,
        trailing_minus=_flag(block, "trailing_minus", path, key),
        parentheses_negative=_flag(block, "parentheses_negative", path, key),
        currency=_source(block["currency"], f"{key}.currency", path)
        if "currency" in block
        else None,
        unpivot=_unpivot(block["unpivot"], f"{key}.unpivot", path) if "unpivot" in block else None,
    )
    ordered = sorted(tables.items(), key=lambda item: LOAD_ORDER.index(item[0]))
    maps = tuple(_table(name, spec, f"{key}.{name}", path) for name, spec in ordered)
    return FileMap(**{**file_map.__dict__, "tables": maps})


def _text(block: dict, name: str, path: str, key: str) -> str | None:
    value = block.get(name)
    if value is not None and not isinstance(value, str):
        raise _fail(path, f"{key}.{name}", f"must be text, not {value!r}")
    return value


def _flag(block: dict, name: str, path: str, key: str) -> bool:
    value = block.get(name, False)
    if not isinstance(value, bool):
        raise _fail(path, f"{key}.{name}", f"must be true or false, not {value!r}")
    return value


def _separators(decimal: str, thousands: str | None, path: str, key: str) -> None:
    if decimal not in (".", ","):
        raise _fail(path, f"{key}.decimal", "must be '.' or ','")
    if thousands is not None and thousands not in (",", ".", " ", "'", "\u00a0", "\u202f", ""):
        raise _fail(path, f"{key}.thousands", "must be one of ',', '.', ' ', \"'\" or ''")
    if thousands == decimal:
        raise _fail(path, f"{key}.thousands", "cannot be the same character as decimal")


def _date_format(text: str, path: str, key: str) -> None:
    if text.lower() in ("excel", "serial"):
        return
    if "%" not in text:
        raise _fail(path, key, f"{text!r} has no % directive; write e.g. '%m/%d/%Y' or '%Y%m%d'")
    try:
        pl.Series(["2001-02-03"]).str.strptime(pl.Datetime, text, strict=False)
    except Exception as err:  # noqa: BLE001 - Polars names the bad directive
        raise _fail(path, key, f"{text!r} is not a date format: {err}") from err


def _table(table: str, spec: dict, key: str, path: str) -> TableMap:
    if not isinstance(spec, dict):
        raise _fail(path, key, "must be a table of fields")
    expected = columns(table)
    reserved = {k: spec[k] for k in TABLE_KEYS & set(spec)}
    raw_fields = {k: v for k, v in spec.items() if k not in TABLE_KEYS}
    unknown = set(raw_fields) - set(expected)
    if unknown:
        raise _fail(
            path,
            key,
            f"unknown field(s) {sorted(unknown)}; {table} has {', '.join(expected)} "
            f"(and the keys {sorted(TABLE_KEYS)})",
        )
    fields = {name: _source(value, f"{key}.{name}", path) for name, value in raw_fields.items()}
    required = [c for c, (_, nullable) in expected.items() if not nullable and c not in fields]
    if required:
        raise _fail(
            path,
            key,
            f"required field(s) not mapped: {', '.join(required)} "
            "(give each a column, a template or a value)",
        )
    for name, source in fields.items():
        dtype = expected[name][0]
        if (source.date_format or source.month_end) and dtype != pl.Date:
            raise _fail(path, f"{key}.{name}", "format and month_end apply to date fields only")
        if source.aggregate in ("sum",) and dtype not in (pl.Float64, pl.Int64):
            raise _fail(path, f"{key}.{name}.aggregate", "sum applies to number fields only")
    unique_by = reserved.get("unique_by")
    if unique_by is not None and unique_by not in fields:
        raise _fail(path, f"{key}.unique_by", f"{unique_by!r} is not a mapped field of {table}")
    if unique_by is None and any(s.aggregate != "first" for s in fields.values()):
        raise _fail(path, key, "aggregate needs unique_by (the field whose rows are combined)")
    if_missing = reserved.get("if_missing", False)
    if not isinstance(if_missing, bool):
        raise _fail(path, f"{key}.if_missing", "must be true or false")
    if if_missing and len(KEYS[table]) != 1:
        raise _fail(path, f"{key}.if_missing", f"{table} has a composite key; not supported")
    where = _where(reserved["where"], f"{key}.where", path) if "where" in reserved else ()
    return TableMap(table, key, fields, where, unique_by, if_missing)


def _source(value: object, key: str, path: str) -> Source:
    if isinstance(value, str):
        return Source(key, column=normalise_header(value))
    if isinstance(value, list):
        value = {"column": value}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Source(key, value=str(value))
    if not isinstance(value, dict):
        raise _fail(
            path, key, f'must be a column name or a table like {{ column = "…" }}: {value!r}'
        )
    unknown = set(value) - FIELD_KEYS
    if unknown:
        raise _fail(path, key, f"unknown key(s) {sorted(unknown)}; expected {sorted(FIELD_KEYS)}")
    given = [k for k in ("column", "value", "template") if k in value]
    if len(given) != 1:
        raise _fail(path, key, "give exactly one of column, value or template")
    lookup = value.get("map")
    if lookup is not None:
        if not isinstance(lookup, dict) or not all(
            isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in lookup.values()
        ):
            raise _fail(path, f"{key}.map", 'must be a table of code = "value"')
        lookup = {str(k).strip(): str(v) for k, v in lookup.items()}
    template = None
    if "template" in value:
        template = _template(value["template"], key, path)
    constant = value.get("value")
    default = value.get("default")
    for name, item in (("value", constant), ("default", default)):
        if item is not None and (not isinstance(item, (str, int, float)) or isinstance(item, bool)):
            raise _fail(path, f"{key}.{name}", f"must be text or a number, not {item!r}")
    date_format = value.get("format")
    if date_format is not None:
        if not isinstance(date_format, str):
            raise _fail(path, f"{key}.format", "must be text such as '%d.%m.%Y'")
        _date_format(date_format, path, f"{key}.format")
    aggregate = value.get("aggregate", "first")
    if aggregate not in AGGREGATES:
        raise _fail(path, f"{key}.aggregate", f"must be one of {', '.join(AGGREGATES)}")
    flags = {}
    for name in ("month_end", "optional", "negate", "absolute"):
        flags[name] = value.get(name, False)
        if not isinstance(flags[name], bool):
            raise _fail(path, f"{key}.{name}", "must be true or false")
    decimal, thousands = value.get("decimal"), value.get("thousands")
    if decimal is not None or thousands is not None:
        _separators(decimal or ".", thousands, path, key)
    where = _where(value["where"], f"{key}.where", path) if "where" in value else ()
    subtract = None
    if "subtract" in value:
        headers = value["subtract"]
        if isinstance(headers, str):
            headers = [headers]
        if (
            not isinstance(headers, list)
            or not headers
            or not all(isinstance(h, str) and h.strip() for h in headers)
        ):
            raise _fail(
                path,
                f"{key}.subtract",
                "must be a column's header, or a list of the headers it may have",
            )
        subtract = Source(
            f"{key}.subtract",
            column=normalise_header(headers[0]),
            alternatives=tuple(normalise_header(h) for h in headers[1:]),
        )
    column = value.get("column")
    alternatives: tuple[str, ...] = ()
    if isinstance(column, list) and column and all(isinstance(c, str) for c in column):
        alternatives = tuple(normalise_header(c) for c in column[1:])
        column = column[0]
    if column is not None and not isinstance(column, str):
        raise _fail(
            path,
            f"{key}.column",
            "must be the column's header text, or a list of the headers "
            "it may have (the first one in the file is read)",
        )
    return Source(
        key,
        column=normalise_header(column) if column else None,
        value=None if constant is None else str(constant),
        template=template,
        lookup=lookup,
        default=None if default is None else str(default),
        date_format=date_format,
        aggregate=aggregate,
        decimal=decimal,
        thousands=thousands,
        alternatives=alternatives,
        where=where,
        subtract=subtract,
        **flags,
    )


def _template(text: object, key: str, path: str) -> tuple[tuple[str, str | None], ...]:
    if not isinstance(text, str):
        raise _fail(path, f"{key}.template", "must be text such as 'C-{CustomerID}'")
    try:
        parts = [
            (literal, normalise_header(name) if name is not None else None)
            for literal, name, _, _ in string.Formatter().parse(text)
        ]
    except ValueError as err:
        raise _fail(path, f"{key}.template", f"{text!r}: {err}") from err
    if not any(name for _, name in parts):
        raise _fail(path, f"{key}.template", "names no {column}; use value = … for a constant")
    return tuple(parts)


def _where(value: object, key: str, path: str) -> tuple[Where, ...]:
    """A condition, or a list of conditions a row must all meet."""
    if isinstance(value, list) and value:
        return tuple(_condition(item, f"{key}[{i}]", path) for i, item in enumerate(value, 1))
    return (_condition(value, key, path),)


def _condition(value: object, key: str, path: str) -> Where:
    if not isinstance(value, dict) or "column" not in value:
        raise _fail(path, key, 'must be a table like { column = "Disputed", in = ["Yes"] }')
    unknown = set(value) - WHERE_KEYS
    if unknown:
        raise _fail(path, key, f"unknown key(s) {sorted(unknown)}; expected {sorted(WHERE_KEYS)}")
    lists = {}
    for name in ("in", "not_in"):
        items = value.get(name)
        if items is not None and (not isinstance(items, list) or not items):
            raise _fail(path, f"{key}.{name}", "must be a non-empty list of values")
        lists[name] = tuple(str(i).strip() for i in items) if items else None
    flags = {}
    for name in ("not_blank", "blank"):
        flags[name] = value.get(name, False)
        if not isinstance(flags[name], bool):
            raise _fail(path, f"{key}.{name}", "must be true or false")
    bounds = {}
    for name in ("above", "below"):
        bound = value.get(name)
        if bound is not None and (not isinstance(bound, (int, float)) or isinstance(bound, bool)):
            raise _fail(path, f"{key}.{name}", "must be a number")
        bounds[name] = None if bound is None else float(bound)
    if not any([*lists.values(), *flags.values()]) and all(b is None for b in bounds.values()):
        raise _fail(
            path,
            key,
            "needs in = […], not_in = […], above = N, below = N, blank = true or not_blank = true",
        )
    column = value["column"]
    if isinstance(column, list) and column and all(isinstance(c, str) for c in column):
        column, alternatives = column[0], tuple(normalise_header(c) for c in column[1:])
    else:
        alternatives = ()
    if not isinstance(column, str):
        raise _fail(path, f"{key}.column", "must be a header, or a list of the headers it may have")
    return Where(
        normalise_header(column),
        lists["in"],
        lists["not_in"],
        flags["not_blank"],
        bounds["above"],
        bounds["below"],
        flags["blank"],
        alternatives,
    )


def _unpivot(value: object, key: str, path: str) -> Unpivot:
    if not isinstance(value, dict) or "pattern" not in value:
        raise _fail(path, key, 'needs pattern = "^(?P<measure>…)(?P<period>…)$"')
    unknown = set(value) - UNPIVOT_KEYS
    if unknown:
        raise _fail(path, key, f"unknown key(s) {sorted(unknown)}; expected {sorted(UNPIVOT_KEYS)}")
    try:
        pattern = re.compile(value["pattern"], re.IGNORECASE)
    except (re.error, TypeError) as err:
        raise _fail(path, f"{key}.pattern", f"not a regular expression: {err}") from err
    if {"measure", "period"} - set(pattern.groupindex):
        raise _fail(
            path, f"{key}.pattern", "needs the named groups (?P<measure>…) and (?P<period>…)"
        )
    period = value.get("period", "period")
    if not isinstance(period, str) or not period.strip():
        raise _fail(path, f"{key}.period", "must be a column name")
    periods = value.get("periods", {})
    if not isinstance(periods, dict) or not all(
        isinstance(v, (str, int)) and not isinstance(v, bool) for v in periods.values()
    ):
        raise _fail(
            path, f"{key}.periods", 'must be a table of period = "text", e.g. "1" = "2005-09"'
        )
    labels = tuple((str(k).strip(), str(v).strip()) for k, v in periods.items())
    return Unpivot(key, pattern, normalise_header(period), labels)


# ----------------------------------------------------------------------------------------------
# applying a mapping to a file


def apply(file_map: FileMap, mapping: Mapping, name: str, content: bytes) -> list[Mapped]:
    """The file's rows for every table its block feeds; FileRejected when it cannot be read."""
    wanted = frozenset(file_map.source_columns())
    options = ReadOptions(
        encoding=file_map.encoding,
        separator=file_map.separator,
        skip_rows=file_map.header_row - 1,
        sheet=file_map.sheet,
        headers=wanted,
        mapping_key=f"{file_map.key}.encoding",
    )
    frame, notes = read_cells(name, content, file_map.tables[0].table, options)
    headers = [normalise_header(h) for h in frame.columns]
    frame.columns = _unique(headers)
    frame = frame.with_columns(pl.all().cast(pl.String)).with_row_index("_row", offset=1)
    if file_map.unpivot:
        frame = _unpivoted(frame, file_map.unpivot, name)
    present = set(frame.columns)
    file_map = _resolved(file_map, present)
    for table in file_map.tables:
        sources = [*table.fields.values()]
        if file_map.currency:
            sources.append(file_map.currency)
        for source in sources:
            for column in source.columns():
                if column not in present and not source.optional:
                    raise FileRejected(
                        describe(
                            "mapping_missing_column",
                            name=name,
                            column=cut_value(column),
                            key=source.key,
                            found=few_columns([c for c in frame.columns if c != "_row"]),
                        )
                    )
        for condition in table.where:
            if condition.column not in present:
                raise FileRejected(
                    describe(
                        "mapping_missing_column",
                        name=name,
                        column=cut_value(condition.column),
                        key=f"{table.key}.where",
                        found=few_columns([c for c in frame.columns if c != "_row"]),
                    )
                )
    read_note = describe("note_mapping", mapping=mapping.name, pattern=file_map.pattern)
    return [_table_rows(file_map, table, frame, [read_note, *notes]) for table in file_map.tables]


def _resolved(file_map: FileMap, present: set[str]) -> FileMap:
    """The block with each column chosen among its alternatives: the first in the file (for
    fields, their conditions and subtrahends, and the tables' conditions)."""

    def first(column: str | None, alternatives: tuple[str, ...]) -> str | None:
        if not alternatives or column in present:
            return column
        return next((c for c in alternatives if c in present), column)

    def conditions(where: tuple[Where, ...]) -> tuple[Where, ...]:
        return tuple(replace(w, column=first(w.column, w.alternatives)) for w in where)

    def pick(source: Source | None) -> Source | None:
        if source is None:
            return None
        return replace(
            source,
            column=first(source.column, source.alternatives),
            where=conditions(source.where),
            subtract=pick(source.subtract),
        )

    tables = tuple(
        replace(
            t, fields={name: pick(s) for name, s in t.fields.items()}, where=conditions(t.where)
        )
        for t in file_map.tables
    )
    return replace(file_map, tables=tables, currency=pick(file_map.currency))


def _unique(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for header in headers:
        count = seen.get(header, 0)
        seen[header] = count + 1
        out.append(header if count == 0 else f"{header}_{count + 1}")
    return out


def _unpivoted(frame: pl.DataFrame, rule: Unpivot, name: str) -> pl.DataFrame:
    """One row per (file row, period): wide columns measure+period become columns per measure."""
    wide = {}
    for column in frame.columns:
        found = rule.pattern.fullmatch(column) if column != "_row" else None
        if found:
            wide[column] = (normalise_header(found["measure"]), found["period"])
    if not wide:
        raise FileRejected(
            describe(
                "mapping_unpivot",
                name=name,
                key=f"{rule.key}.pattern",
                found=few_columns([c for c in frame.columns if c != "_row"]),
            )
        )
    keep = [c for c in frame.columns if c not in wide]
    measures = sorted({m for m, _ in wide.values()})
    periods = sorted({p for _, p in wide.values()}, key=lambda p: (len(p), p))
    parts = []
    for period in periods:
        columns_of_period = {m: c for c, (m, p) in wide.items() if p == period}
        parts.append(
            frame.select(
                *keep,
                pl.lit(dict(rule.periods).get(period, period)).alias(rule.period),
                *[
                    pl.col(columns_of_period[m]).alias(m)
                    if m in columns_of_period
                    else pl.lit(None, pl.String).alias(m)
                    for m in measures
                ],
            )
        )
    long = pl.concat(parts).sort("_row", maintain_order=True)
    # a period in which every measure is blank is not a row of the book (no bill, no payment)
    blank = pl.all_horizontal(
        [pl.col(m).is_null() | (pl.col(m).str.strip_chars() == "") for m in measures]
    )
    return long.filter(~blank)


def _table_rows(
    file_map: FileMap, table: TableMap, frame: pl.DataFrame, notes: list[str]
) -> Mapped:
    rows = frame
    if table.where:
        rows = rows.filter(_where_expr(table.where, file_map))
    expected = columns(table.table)
    exprs, checks = [], []
    for column, (dtype, _) in expected.items():
        source = table.fields.get(column)
        if source is None:
            exprs.append(pl.lit(None, pl.String).alias(column))
            continue
        value, failed = _converted(source, dtype, file_map, rows.columns)
        exprs.append(value.alias(column))
        if failed is not None:
            checks.append(failed.alias(column))
    currency = None
    if file_map.currency and _reads_amounts(table):
        currency_value, _ = _converted(file_map.currency, pl.String, file_map, rows.columns)
        exprs.append(currency_value.str.to_uppercase().alias("_currency"))
    converted = rows.select(
        "_row", *exprs, *[c.alias(f"_fail_{c.meta.output_name()}") for c in checks]
    )
    failures = _failures(converted, rows, table, checks)
    notes = list(notes)
    if table.unique_by:
        converted, failures = _combined(converted, failures, table, expected)
        notes.append(describe("note_derived", rows=f"{converted.height:,}", key=table.key))
    if "_currency" in converted.columns:
        currency = converted["_currency"]
    cells = converted.select(list(expected))
    return Mapped(
        table=table.table,
        cells=cells,
        source_rows=converted["_row"].cast(pl.Int64),
        failures=failures,
        currency=currency,
        if_missing=table.if_missing,
        key=table.key,
        notes=notes,
    )


def _reads_amounts(table: TableMap) -> bool:
    """True when an amount field comes from the file: the file's currency applies to those; a
    constant in the mapping is written in the reporting currency."""
    expected = columns(table.table)
    return any(
        expected[name][0] == pl.Float64 and source.value is None
        for name, source in table.fields.items()
    )


def _where_expr(where: tuple[Where, ...], file_map: FileMap) -> pl.Expr:
    """True on the rows that meet every condition."""
    keep = pl.lit(True)
    for condition in where:
        keep = keep & _condition_expr(condition, file_map)
    return keep


def _condition_expr(where: Where, file_map: FileMap) -> pl.Expr:
    cell = pl.col(where.column).str.strip_chars()
    keep = pl.lit(True)
    if where.values:
        keep = keep & cell.is_in(list(where.values))
    if where.excluded:
        keep = keep & ~cell.is_in(list(where.excluded)).fill_null(False)
    if where.not_blank:
        keep = keep & cell.is_not_null() & (cell != "")
    if where.blank:
        keep = keep & (cell.is_null() | (cell == ""))
    if where.above is not None or where.below is not None:
        # read with the file's separators and signs, as a field would be. A cell that is not such
        # a number (a typo: 5O00) meets the condition, so the field that reads it quarantines the
        # row with its message instead of the row vanishing from the load.
        number = _condition_number(cell, file_map)
        unreadable = number.is_null() & cell.is_not_null() & (cell != "")
        if where.above is not None:
            keep = keep & ((number > where.above) | unreadable)
        if where.below is not None:
            keep = keep & ((number < where.below) | unreadable)
    return keep.fill_null(False)


def _condition_number(cell: pl.Expr, file_map: FileMap) -> pl.Expr:
    """A condition's reading of a number: the file's separators dropped without checking their
    grouping and its negative signs applied, so a cell its field will refuse (1,250.00 in a file
    declaring decimal ',') still meets `above = 0` and is reported there, not dropped."""
    number = cell
    negative = pl.lit(False)
    if file_map.parentheses_negative:
        negative = number.str.contains(r"^\(.*\)$").fill_null(False)
        number = number.str.replace(r"^\((.*)\)$", "$1")
    if file_map.trailing_minus:
        trailing = number.str.ends_with("-").fill_null(False)
        negative = negative | trailing
        number = pl.when(trailing).then(number.str.strip_suffix("-")).otherwise(number)
    if file_map.thousands:
        number = number.str.replace_all(file_map.thousands, "", literal=True)
    if file_map.decimal != ".":
        number = number.str.replace(file_map.decimal, ".", literal=True)
    number = number.cast(pl.Float64, strict=False)
    return pl.when(negative).then(-number).otherwise(number)


def _raw(source: Source, present: list[str]) -> pl.Expr:
    """The field's text before conversion: column, constant or template (blank → null)."""
    if source.value is not None:
        return pl.lit(source.value, pl.String)
    if source.template is not None:
        parts = []
        for literal, column in source.template:
            if column and column not in present and source.optional:
                # optional: a column the file lacks is left out with the text before it, so
                # "OA-{CustomerID}-{Currency}" reads "OA-C1" from a file without Currency
                continue
            if literal:
                parts.append(pl.lit(literal))
            if column:
                cell = pl.col(column) if column in present else pl.lit(None, pl.String)
                parts.append(cell.str.strip_chars())
        if not any(column in present for _, column in source.template if column):
            return pl.lit(None, pl.String)
        return pl.concat_str(parts, ignore_nulls=False)
    column = source.column or ""
    cell = pl.col(column) if column in present else pl.lit(None, pl.String)
    text = cell.str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text)


def _converted(
    source: Source, dtype: pl.DataType, file_map: FileMap, present: list[str]
) -> tuple[pl.Expr, pl.Expr | None]:
    """(value as warehouse-ready text, rule text where the cell failed to convert, else null)."""
    text = _raw(source, present)
    if source.where:
        # the field's own condition: blank elsewhere (and then its default)
        text = pl.when(_where_expr(source.where, file_map)).then(text)
    failed: pl.Expr | None = None
    if source.lookup is not None:
        looked = text.replace_strict(
            list(source.lookup), list(source.lookup.values()), default=None, return_dtype=pl.String
        )
        known = text.is_in(list(source.lookup))
        if source.default is not None:
            text = pl.when(text.is_null() | ~known).then(pl.lit(source.default)).otherwise(looked)
        else:
            codes = ", ".join(cut_value(k, 20) for k in list(source.lookup)[:8])
            failed = pl.when(text.is_not_null() & ~known).then(
                pl.lit(describe("mapping_lookup", key=f"{source.key}.map", codes=codes))
            )
            text = looked
    elif source.default is not None:
        text = pl.coalesce(text, pl.lit(source.default))
    if dtype == pl.Date:
        return _date(text, source, file_map, failed)
    if dtype in (pl.Float64, pl.Int64):
        return _number(text, source, file_map, failed, present)
    return text, failed


def _date(
    text: pl.Expr, source: Source, file_map: FileMap, failed: pl.Expr | None
) -> tuple[pl.Expr, pl.Expr | None]:
    # a constant (value = "2099-12-31") is written in the mapping, not the file: ISO unless the
    # field declares its own format
    constant = source.value is not None and source.date_format is None
    fmt = source.date_format or (None if constant else file_map.date_format)
    excel = (file_map.excel_dates and not constant) or (fmt or "").lower() in ("excel", "serial")
    if fmt and fmt.lower() in ("excel", "serial"):
        fmt = None
    if fmt is None and not excel:
        # undeclared: pass the text on; the parser accepts only ISO and says so
        value = text
        if source.month_end:
            parsed = text.str.to_date("%Y-%m-%d", strict=False).dt.month_end()
            value = pl.coalesce(parsed.dt.to_string("%Y-%m-%d"), text)
        return value, failed
    parsed = None
    if fmt:
        if TIME_DIRECTIVES.search(fmt):
            parsed = text.str.strptime(pl.Datetime, fmt, strict=False).dt.date()
        else:
            parsed = text.str.strptime(pl.Date, fmt, strict=False)
    if excel:
        serial = pl.when(text.str.contains(r"^\d{1,6}(?:\.\d+)?$")).then(
            text.cast(pl.Float64, strict=False).floor().cast(pl.Int64)
        )
        from_serial = pl.lit(EXCEL_EPOCH).str.to_date() + pl.duration(days=serial)
        parsed = from_serial if parsed is None else pl.coalesce(parsed, from_serial)
    if source.month_end:
        parsed = parsed.dt.month_end()
    key = f"{source.key}.format" if source.date_format else f"{file_map.key}.date_format"
    shown = fmt or "Excel serial"
    if excel and fmt:
        shown = f"{fmt} or an Excel serial"
    bad = pl.when(text.is_not_null() & parsed.is_null()).then(
        pl.lit(describe("mapping_date", format=shown, key=key))
    )
    return parsed.dt.to_string("%Y-%m-%d"), _first(failed, bad)


def _number(
    text: pl.Expr, source: Source, file_map: FileMap, failed: pl.Expr | None, present: list[str]
) -> tuple[pl.Expr, pl.Expr | None]:
    if source.value is not None and source.decimal is None and source.thousands is None:
        # a constant is a TOML number (value = 1250.5): plain, whatever the file's separators
        return text, failed
    decimal = source.decimal or file_map.decimal
    thousands = source.thousands if source.thousands is not None else file_map.thousands
    declared = source.decimal is not None or source.thousands is not None
    declared = declared or decimal != "." or bool(thousands)
    declared = declared or file_map.trailing_minus or file_map.parentheses_negative
    key = (
        f"{source.key}"
        if source.decimal or source.thousands
        else f"{file_map.key}.decimal/thousands"
    )
    signed = _declared_number(text, decimal, thousands, file_map)
    bad_subtrahend = None
    if source.subtract is not None:
        # what is left after another column, read with the same separators and signs (rounded
        # off the binary noise of the difference: 1234.56 - 234.56 is 1000, not 1000.0000000002)
        other = _declared_number(_raw(source.subtract, present), decimal, thousands, file_map)
        bad_subtrahend = pl.when(signed.is_not_null() & other.is_null()).then(
            pl.lit(
                describe(
                    "mapping_number",
                    decimal=decimal,
                    thousands=thousands or "",
                    key=source.subtract.key,
                )
            )
        )
        signed = (signed - other).round(6)
    if source.negate:
        signed = -signed
    if source.absolute:
        signed = signed.abs()
    rendered = pl.when(signed.is_not_null()).then(signed.cast(pl.String)).otherwise(None)
    if not declared and not source.negate and not source.absolute and source.subtract is None:
        # nothing declared: hand the text on, the parser's own rule and message apply
        return text, failed
    bad = pl.when(text.is_not_null() & signed.is_null()).then(
        pl.lit(describe("mapping_number", decimal=decimal, thousands=thousands or "", key=key))
    )
    if bad_subtrahend is not None:
        bad = pl.coalesce(bad_subtrahend, bad)
    return rendered, _first(failed, bad)


def _declared_number(
    text: pl.Expr, decimal: str, thousands: str | None, file_map: FileMap
) -> pl.Expr:
    """The number a cell holds written with these separators and the file's negative signs;
    null when it is not such a number (thousands separators must group by three)."""
    cleaned = text.str.replace_all(r"\s", "") if thousands in (" ", "\u00a0", "\u202f") else text
    negative = pl.lit(False)
    if file_map.parentheses_negative:
        negative = cleaned.str.contains(r"^\(.*\)$").fill_null(False)
        cleaned = cleaned.str.replace(r"^\((.*)\)$", "$1")
    if file_map.trailing_minus:
        trailing = cleaned.str.ends_with("-").fill_null(False)
        negative = negative | trailing
        cleaned = pl.when(trailing).then(cleaned.str.strip_suffix("-")).otherwise(cleaned)
    if thousands:
        grouped = r"^[+-]?\d{1,3}(?:" + re.escape(thousands) + r"\d{3})+(?:" + re.escape(decimal)
        grouped += r"\d*)?$"
        ok_grouping = cleaned.str.contains(grouped) | ~cleaned.str.contains(re.escape(thousands))
        cleaned = cleaned.str.replace_all(re.escape(thousands), "", literal=False)
    else:
        ok_grouping = pl.lit(True)
    if decimal != ".":
        ok_grouping = ok_grouping & ~cleaned.str.contains(r"\.")
        cleaned = cleaned.str.replace(re.escape(decimal), ".", literal=False)
    number = cleaned.cast(pl.Float64, strict=False)
    plain = cleaned.str.contains(r"^[+-]?(?:\d+\.?\d*|\.\d+)$") & ok_grouping
    return pl.when(plain).then(pl.when(negative).then(-number).otherwise(number))


def _first(a: pl.Expr | None, b: pl.Expr) -> pl.Expr:
    return b if a is None else pl.coalesce(a, b)


def _failures(
    converted: pl.DataFrame, rows: pl.DataFrame, table: TableMap, checks: list[pl.Expr]
) -> pl.DataFrame:
    """index (output row), column, rule, value (the source text) of every conversion failure."""
    empty = pl.DataFrame(
        schema={"index": pl.Int64, "column": pl.String, "rule": pl.String, "value": pl.String}
    )
    parts = []
    for check in checks:
        column = check.meta.output_name()
        flagged = converted.with_row_index("index").filter(pl.col(f"_fail_{column}").is_not_null())
        if flagged.is_empty():
            continue
        source = table.fields[column]
        raw = rows.with_row_index("index").select(
            "index", _raw(source, rows.columns).alias("value")
        )
        parts.append(
            flagged.select(
                pl.col("index").cast(pl.Int64),
                pl.lit(column).alias("column"),
                pl.col(f"_fail_{column}").alias("rule"),
            ).join(raw.with_columns(pl.col("index").cast(pl.Int64)), on="index", how="left")
        )
    return pl.concat(parts) if parts else empty


def _combined(
    converted: pl.DataFrame,
    failures: pl.DataFrame,
    table: TableMap,
    expected: dict[str, tuple[pl.DataType, bool]],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One row per distinct unique_by value; each field combined by its aggregate over the rows
    that converted (a failed cell is left out, its own row is quarantined in its own table)."""
    by = table.unique_by or ""
    rows = converted.with_row_index("_position").with_columns(pl.col("_position").cast(pl.Int64))
    bad = failures.select("index", "column")
    aggregations = [pl.col("_row").first()]
    for column, (dtype, _) in expected.items():
        if column == by:
            continue
        source = table.fields.get(column)
        usable = pl.col(column)
        if not bad.is_empty():
            bad_positions = bad.filter(pl.col("column") == column)["index"]
            usable = pl.when(~pl.col("_position").is_in(bad_positions.implode())).then(usable)
        how = source.aggregate if source else "first"
        numeric = dtype in (pl.Float64, pl.Int64)
        if how in ("sum", "count") or (numeric and how in ("min", "max")):
            number = usable.cast(pl.Float64, strict=False)
            combined = {
                "sum": number.sum(),
                "count": number.count().cast(pl.Float64),
                "min": number.min(),
                "max": number.max(),
            }[how]
            if dtype == pl.Int64:
                combined = combined.round(0).cast(pl.Int64)
            aggregations.append(combined.cast(pl.String).alias(column))
        elif how in ("min", "max"):  # ISO dates and text order as text
            aggregations.append(getattr(usable, how)().alias(column))
        else:
            aggregations.append(getattr(usable.drop_nulls(), how)().alias(column))
    if "_currency" in converted.columns:
        aggregations.append(pl.col("_currency").first())
    grouped = (
        rows.filter(pl.col(by).is_not_null()).group_by(by, maintain_order=True).agg(aggregations)
    )
    # derived rows carry no conversion failures of their own: each source row's failure is
    # reported once, in the table that row feeds one to one
    no_failures = failures.clear()
    return grouped.select(
        "_row", *expected, *(["_currency"] if "_currency" in grouped.columns else [])
    ), no_failures


# ----------------------------------------------------------------------------------------------
# suggestions (shown to the user, never applied)

_DATE_SHAPES = [
    (r"^\d{1,2}/\d{1,2}/\d{4}$", "%m/%d/%Y"),  # or %d/%m/%Y: only the user knows which
    (r"^\d{1,2}\.\d{1,2}\.\d{4}$", "%d.%m.%Y"),
    (r"^\d{1,2}-\d{1,2}-\d{4}$", "%d-%m-%Y"),
    (r"^\d{4}/\d{1,2}/\d{1,2}$", "%Y/%m/%d"),
    (r"^\d{4}-\d{1,2}-\d{1,2}$", "%Y-%m-%d"),
    (r"^\d{8}$", "%Y%m%d"),
    (r"^\d{4}年\d{1,2}月\d{1,2}日$", "%Y年%m月%d日"),
    (r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?$", "%Y-%m-%d %H:%M:%S"),
    (r"^\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}(:\d{2})?$", "%m/%d/%Y %H:%M:%S"),
]


def suggest_date_format(value: str) -> str | None:
    """A date_format that would read `value`'s shape ('1/2/2013' -> '%m/%d/%Y'), or None.

    Only a suggestion for the message: 1/2/2013 may be 2 January or 1 February, the user decides.
    """
    text = value.strip()
    for shape, fmt in _DATE_SHAPES:
        if re.match(shape, text):
            if fmt.endswith("%H:%M:%S") and text.count(":") == 1:
                fmt = fmt[: -len(":%S")]
            return fmt
    if re.match(r"^\d{5}(?:\.\d+)?$", text):
        return "excel"
    return None


def suggest_number_format(value: str) -> str | None:
    """The separators that would read `value` ('1.234,50' -> decimal = ",", thousands = ".")."""
    text = value.strip().replace("\u00a0", " ")
    if re.match(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$", text):
        return 'thousands = ","'
    if re.match(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$", text):
        return 'decimal = ",", thousands = "."'
    if re.match(r"^[+-]?\d{1,3}( \d{3})+(,\d+)?$", text):
        return 'decimal = ",", thousands = " "'
    if re.match(r"^[+-]?\d+,\d+$", text):
        return 'decimal = ","'
    if re.match(r"^[\d.,]+-$", text):
        return "trailing_minus = true"
    if re.match(r"^\([\d.,]+\)$", text):
        return "parentheses_negative = true"
    return None
