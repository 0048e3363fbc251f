"""Loading source files (CSV, Parquet, Excel) or generated frames into the warehouse.

Two steps, so the Data page can preview before anything is written:
`prepare` reads, parses and validates every file (no writes); `commit` writes the valid rows of the
prepared files, their rejected rows to `quarantine` and a `load_history` row per file, then rebuilds
the derived tables — all in one transaction, so any failure leaves the warehouse as it was.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from data.delta import note_keys, note_load, note_nothing
from data.delta import start as start_noting
from data.mapping import Mapped, Mapping, apply, suggest_date_format, suggest_number_format
from data.parsing import FileRejected, RawTable, parse_cells, read_table, table_for
from data.runner import execute, run, sql_text
from data.warehouse import KEYS, LOAD_ORDER, bump_load_version
from schemas import source
from schemas.rules import cut_value, describe

Progress = Callable[[str, int, int], None]
FAILURE_SCHEMA = {
    "row_number": pl.Int64,
    "column": pl.String,
    "rule": pl.String,
    "value": pl.String,
}


# The source tables whose upserts record the customers and dates they change (load_touched, read
# by the incremental build); fx_rates only converts amounts at load and moves no derived figure.
TRACKED = frozenset(LOAD_ORDER) - {"fx_rates"}
# The statuses whose files `commit` writes (rows, quarantine, load history).
WRITTEN = ("loaded", "partial")
EXAMPLES = 3  # example rows per group of failures


@dataclass
class FileReport:
    """What happened to one file: counts, every failure (1-based data row), notes, or why it was refused."""

    source: str
    table: str | None = None
    content_hash: str | None = None
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    failures: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=FAILURE_SCHEMA))
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    already_loaded: str | None = None

    @property
    def status(self) -> str:
        """rejected (whole file refused), duplicate (same content loaded before), nothing_loaded
        (every row rejected: nothing of the file is written), partial (some rows rejected, the
        rest loaded) or loaded (every row, also none of a header-only file)."""
        if self.error:
            return "rejected"
        if self.already_loaded:
            return "duplicate"
        if self.rows_rejected and not self.rows_accepted:
            return "nothing_loaded"
        return "partial" if self.rows_rejected else "loaded"

    def summary(self) -> str:
        if self.error:
            return self.error
        if self.already_loaded:
            return f"{self.source}: {self.already_loaded}; nothing loaded again"
        text = (
            f"{self.source} → {self.table}: {self.rows_read} rows read, "
            f"{self.rows_accepted} accepted, {self.rows_rejected} rejected"
        )
        return "; ".join([text, *self.notes])


@dataclass
class Prepared:
    """A validated file waiting to be written."""

    report: FileReport
    accepted: pl.DataFrame | None = None  # typed rows that passed every rule
    rejects: pl.DataFrame | None = None  # row_number, column_name, rule, value, row_data


@dataclass
class LoadResult:
    reports: list[FileReport]
    built: object | None = None  # data.build.BuildResult when derived tables were rebuilt

    @property
    def changed(self) -> bool:
        """True when some file was written: `commit` writes the loaded and partial files only (a
        refused, already loaded or wholly rejected file leaves nothing behind)."""
        return any(r.status in WRITTEN for r in self.reports)

    @property
    def exit_code(self) -> int:
        """0 every file loaded (or loaded before: duplicate); 1 something loaded, but some rows or
        files were rejected; 2 nothing changed: every file was refused, already loaded or had
        every row rejected (also when there was no file at all)."""
        if not self.changed:
            return 2
        return 0 if all(r.status in ("loaded", "duplicate") for r in self.reports) else 1


def sources_from_paths(
    paths: Iterable[str | Path], links: list[str] | None = None
) -> list[tuple[str, bytes]]:
    """(name, content) of each file; a folder contributes its regular files (not sub-folders).

    Symbolic links inside a folder are not followed (they could lead out of it): their names are
    appended to `links`. A path named on its own is read wherever it leads.
    """
    found: list[tuple[str, bytes]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for entry in sorted(path.iterdir()):
                content = _regular_file(entry)
                if content is None and links is not None and entry.is_symlink():
                    links.append(str(entry))
                elif content is not None:
                    found.append((str(entry), content))
        elif path.is_file():
            found.append((str(path), path.read_bytes()))
        else:
            found.append((str(path), b""))  # reported below as missing
    return found


def _regular_file(path: Path) -> bytes | None:
    """The content of `path` when it is a regular file and not a symbolic link, else None.

    O_NOFOLLOW makes the check and the read one step, so a link swapped in between is not read;
    O_NONBLOCK keeps a named pipe from blocking the open.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as err:
        if err.errno == errno.ELOOP:
            return None
        raise
    with os.fdopen(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            return None
        return file.read()


def _order(name: str) -> int:
    try:
        return LOAD_ORDER.index(table_for(name))
    except FileRejected:
        return len(LOAD_ORDER)


@dataclass
class _Unit:
    """One (file, table) to validate: a plain file's cells, or one table a mapping gave."""

    name: str
    content_hash: str
    error: str | None = None
    raw: RawTable | None = None
    mapped: Mapped | None = None
    strict_dates: bool = True

    @property
    def table(self) -> str | None:
        if self.mapped is not None:
            return self.mapped.table
        return self.raw.table if self.raw is not None else None

    @property
    def order(self) -> tuple[int, int]:
        table = self.table
        rank = LOAD_ORDER.index(table) if table in LOAD_ORDER else -1
        # derived rows (if_missing) come after the files that give the same table outright
        return rank, int(bool(self.mapped and self.mapped.if_missing))


def _read(name: str, content: bytes, mapping: Mapping | None) -> list[_Unit]:
    """The units of one file: a mapped file gives one per table its [[file]] block feeds."""
    digest = hashlib.sha256(content)
    file_map = mapping.for_file(name) if mapping else None
    if file_map is not None:
        # the mapping is part of what was loaded: the same file under a corrected mapping is new
        digest.update(repr(file_map).encode())
    content_hash = digest.hexdigest()
    strict = Path(name).suffix.lower() in (".csv", ".txt")
    try:
        if not Path(name).name:
            raise FileRejected(describe("file_no_name", name=name))
        if file_map is not None:
            return [
                _Unit(name, content_hash, mapped=m, strict_dates=True)
                for m in apply(file_map, mapping, name, content)
            ]
        if mapping is not None and _order(name) == len(LOAD_ORDER):
            raise FileRejected(
                describe(
                    "file_no_pattern",
                    name=name,
                    mapping=mapping.name,
                    patterns=", ".join(f.pattern for f in mapping.files),
                    tables=", ".join(LOAD_ORDER),
                )
            )
        return [_Unit(name, content_hash, raw=read_table(name, content), strict_dates=strict)]
    except FileRejected as err:
        return [_Unit(name, content_hash, error=str(err))]


def prepare(
    con: duckdb.DuckDBPyConnection,
    files: list[tuple[str, bytes]],
    progress: Progress | None = None,
    mapping: Mapping | None = None,
) -> list[Prepared]:
    """Read, parse and validate files in dependency order; write nothing.

    References are checked against the warehouse plus the rows of this batch that passed, so
    customers.csv and contracts.csv can arrive together in either order. With a `mapping`, a file
    its [[file]] patterns match is read through it (data.mapping); any other file by its name.
    """
    batch_ids: dict[str, list[pl.DataFrame]] = {t: [] for t in LOAD_ORDER}
    units: list[_Unit] = []
    for step, (name, content) in enumerate(files, start=1):
        if progress:
            progress(f"reading {Path(name).name}", step, len(files))
        units += _read(name, content, mapping)
    units.sort(key=lambda u: u.order)
    prepared: list[Prepared] = []
    for step, unit in enumerate(units, start=1):
        if progress:
            progress(f"validating {Path(unit.name).name}", step, len(units))
        prepared.append(_prepare_unit(con, unit, batch_ids))
    return prepared


def _prepare_unit(
    con: duckdb.DuckDBPyConnection, unit: _Unit, batch_ids: dict[str, list[pl.DataFrame]]
) -> Prepared:
    report = FileReport(source=unit.name, content_hash=unit.content_hash)
    if unit.error:
        report.error = unit.error
        return Prepared(report)
    table = unit.table or ""
    if unit.mapped is not None:
        cells, notes = unit.mapped.cells, list(unit.mapped.notes)
    else:
        cells, notes = unit.raw.frame, list(unit.raw.notes)
    report.table, report.notes = table, notes
    earlier = run(con, "load_previous_load", content_hash=report.content_hash, table_name=table)
    if earlier.height:
        first = earlier.row(0, named=True)
        report.already_loaded = describe(
            "already_loaded",
            table=table,
            loaded_at=f"{first['loaded_at']:%Y-%m-%d %H:%M}",
            source=first["source_file"],
            load_id=first["load_id"],
        )
        return Prepared(report)
    mapped = unit.mapped
    source_rows = mapped.source_rows if mapped is not None else None
    currency = mapped.currency if mapped is not None else None
    mapping_failures = mapped.failures if mapped is not None else None
    if mapped is not None and mapped.if_missing:
        known = _known_keys(con, table, batch_ids)
        keep = ~cells[KEYS[table][0]].is_in(known.implode()).fill_null(False)
        skipped = cells.height - int(keep.sum())
        if skipped:
            report.notes.append(
                describe("note_skipped_known", rows=f"{skipped:,}", key_column=KEYS[table][0])
            )
        kept_positions = pl.int_range(0, cells.height, eager=True).filter(keep)
        renumber = pl.DataFrame(
            {
                "index": kept_positions.cast(pl.Int64),
                "new": pl.int_range(0, len(kept_positions), eager=True, dtype=pl.Int64),
            }
        )
        mapping_failures = mapping_failures.join(renumber, on="index").select(
            pl.col("new").alias("index"), "column", "rule", "value"
        )
        cells, source_rows = cells.filter(keep), source_rows.filter(keep)
        currency = currency.filter(keep) if currency is not None else None
    typed, parse_failures = parse_cells(table, cells, strict_dates=unit.strict_dates)
    # values the parser refused were in no declared format: say which mapping key would read them
    report.notes += _format_hints(parse_failures, mapped=mapped is not None)
    if mapping_failures is not None and mapping_failures.height:
        parse_failures = pl.concat([mapping_failures, parse_failures]).unique(
            ["index", "column"], keep="first", maintain_order=True
        )
    extra = {"declared_currency": currency} if currency is not None else {}
    item = _validate(con, table, typed, cells, parse_failures, batch_ids, report, **extra)
    if source_rows is not None:
        _renumber(item, source_rows)
    return item


def _known_keys(
    con: duckdb.DuckDBPyConnection, table: str, batch_ids: dict[str, list[pl.DataFrame]]
) -> pl.Series:
    """Keys of `table` in the warehouse and in the accepted rows of this batch so far."""
    in_warehouse = run(con, "load_known_ids", table_name=table)["id"]
    in_batch = [f[KEYS[table][0]] for f in batch_ids[table]]
    return pl.concat([in_warehouse, *in_batch]) if in_batch else in_warehouse


def _renumber(item: Prepared, source_rows: pl.Series) -> None:
    """Failures and rejects name the file's own data row, not the mapped output's position."""
    lookup = pl.DataFrame(
        {
            "row_number": pl.int_range(1, len(source_rows) + 1, eager=True, dtype=pl.Int64),
            "source_row": source_rows.cast(pl.Int64),
        }
    )
    report = item.report
    report.failures = (
        report.failures.join(lookup, on="row_number", how="left")
        .with_columns(pl.col("source_row").alias("row_number"))
        .drop("source_row")
    )
    if item.rejects is not None:
        item.rejects = (
            item.rejects.with_columns(pl.col("row_number").cast(pl.Int64))
            .join(lookup, on="row_number", how="left")
            .with_columns(pl.col("source_row").cast(pl.Int32).alias("row_number"))
            .drop("source_row")
        )


def _format_hints(parse_failures: pl.DataFrame, mapped: bool = False) -> list[str]:
    """Which mapping key would read the dates or numbers the parser could not (for a mapped file:
    the key its mapping lacks)."""
    suffix = "_mapped" if mapped else ""
    hints = []
    dates = describe("not_a_date")
    numbers = describe("not_a_number")
    for (column, rule), group in parse_failures.group_by(["column", "rule"], maintain_order=True):
        first = group["value"].drop_nulls()
        if first.is_empty() or rule not in (dates, numbers):
            continue
        value = str(first[0])
        if rule == dates:
            example = suggest_date_format(value)
            if example:
                hints.append(
                    describe(
                        "note_hint_date" + suffix,
                        column=column,
                        count=f"{group.height:,}",
                        first=repr(cut_value(value)),
                        example=example,
                    )
                )
        else:
            example = suggest_number_format(value)
            if example:
                hints.append(
                    describe(
                        "note_hint_number" + suffix,
                        column=column,
                        count=f"{group.height:,}",
                        first=repr(cut_value(value)),
                        example=example,
                    )
                )
    return hints


def prepare_frame(
    con: duckdb.DuckDBPyConnection,
    table: str,
    frame: pl.DataFrame,
    source_name: str,
    batch_ids: dict[str, list[pl.DataFrame]],
) -> Prepared:
    """Validate an already-typed frame (the demo generator's) on the same rules as files."""
    expected = source.columns(table)
    # an optional column the generator does not write (payments.issued_on) is left empty, as a
    # file without it would be
    typed = frame.select(
        [
            pl.col(c).cast(dtype)
            if c in frame.columns or not nullable
            else pl.lit(None, dtype).alias(c)
            for c, (dtype, nullable) in expected.items()
        ]
    )
    report = FileReport(
        source=source_name, table=table, content_hash=f"frame:{typed.hash_rows().sum()}"
    )
    empty = pl.DataFrame(
        schema={"index": pl.Int64, "column": pl.String, "rule": pl.String, "value": pl.String}
    )
    return _validate(con, table, typed, None, empty, batch_ids, report)


def _validate(
    con: duckdb.DuckDBPyConnection,
    table: str,
    typed: pl.DataFrame,
    cells: pl.DataFrame | None,
    parse_failures: pl.DataFrame,
    batch_ids: dict[str, list[pl.DataFrame]],
    report: FileReport,
    declared_currency: pl.Series | None = None,
) -> Prepared:
    # amounts in another currency are converted first: the rules judge what will be stored
    from data.fx import convert

    typed, fx_failures = convert(con, table, typed, declared_currency, batch_ids)
    known = None
    if table in source.REFERENCES:
        _, target, target_key = source.REFERENCES[table]
        in_warehouse = run(con, "load_known_ids", table_name=target)["id"]
        batch_keys = [f[target_key] for f in batch_ids[target]]
        known = pl.concat([in_warehouse, *batch_keys]) if batch_keys else in_warehouse
    schema_failures = source.validate(table, typed, known)
    if table == "adjustments":
        schema_failures = pl.concat(
            [
                schema_failures,
                _adjustment_failures(
                    con, typed, pl.concat([schema_failures, fx_failures]), batch_ids
                ),
            ]
        )
    # A cell the parser refused is null in `typed`; don't report it a second time as missing.
    schema_failures = schema_failures.join(
        parse_failures.select("index", "column"), on=["index", "column"], how="anti"
    )
    shown = cells if cells is not None else typed.select(pl.all().cast(pl.String))
    failures = _with_cell_values(pl.concat([parse_failures, fx_failures, schema_failures]), shown)
    bad_rows = failures["index"].unique()
    keep = ~pl.int_range(0, typed.height, eager=True).is_in(bad_rows.implode())
    accepted = typed.filter(keep)
    batch_ids[table].append(accepted)
    report.rows_read, report.rows_accepted = typed.height, accepted.height
    report.rows_rejected = typed.height - accepted.height
    report.failures = failures.sort("index", "column").select(
        (pl.col("index") + 1).alias("row_number"), "column", "rule", "value"
    )
    rows_json = (
        shown.with_row_index("index")
        .filter(pl.col("index").is_in(bad_rows.implode()))
        .select("index", pl.struct(pl.exclude("index")).struct.json_encode().alias("row_data"))
    )
    rejects = (
        failures.join(rows_json, on="index", how="left")
        .select(
            (pl.col("index") + 1).cast(pl.Int32).alias("row_number"),
            pl.col("column").alias("column_name"),
            "rule",
            "value",
            "row_data",
        )
        .sort("row_number", "column_name")
    )
    return Prepared(report, accepted, rejects)


def _adjustment_failures(
    con: duckdb.DuckDBPyConnection,
    typed: pl.DataFrame,
    row_failures: pl.DataFrame,
    batch: dict[str, list[pl.DataFrame]],
) -> pl.DataFrame:
    """The cross-row adjustment rules (schemas.source.adjustment_failures) on the rows that passed
    the row rules, against the payments of the warehouse and of this batch (the batch wins)."""
    passed = (
        typed.with_row_index("index")
        .with_columns(pl.col("index").cast(pl.Int64))
        .join(row_failures.select("index").unique(), on="index", how="anti")
    )
    ids = passed["payment_id"].unique().to_list()
    in_batch = [f.select("payment_id", "amount_due", "amount_paid") for f in batch["payments"]]
    batch_owed = (
        pl.concat(in_batch)
        .unique("payment_id", keep="last")
        .select(
            "payment_id",
            (pl.col("amount_due") - pl.min_horizontal("amount_paid", "amount_due")).alias("owed"),
        )
        if in_batch
        else pl.DataFrame(schema={"payment_id": pl.String, "owed": pl.Float64})
    )
    stored_owed = run(con, "load_payment_owed", payment_ids=ids).join(
        batch_owed, on="payment_id", how="anti"
    )
    owed = pl.concat([batch_owed, stored_owed.cast({"owed": pl.Float64})])
    stored = run(con, "load_adjustment_context", payment_ids=ids)
    failures = source.adjustment_failures(passed.drop("index"), owed, stored)
    # adjustment_failures numbers rows of the frame it was given: map them back to rows of `typed`
    positions = passed.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("position"), "index")
    return (
        failures.rename({"index": "position"})
        .join(positions, on="position")
        .select("index", "column", "rule", "value")
    )


def _with_cell_values(failures: pl.DataFrame, cells: pl.DataFrame) -> pl.DataFrame:
    """Fill the value of failures that carry none (row-level rules) with the cell they name."""
    missing = failures.filter(pl.col("value").is_null() & pl.col("column").is_not_null())
    if missing.is_empty():
        return failures
    wanted = missing.select("index", "column").unique()
    values = (
        cells.with_row_index("index")
        .with_columns(pl.col("index").cast(pl.Int64))
        .filter(pl.col("index").is_in(wanted["index"].implode()))
        .unpivot(index="index", variable_name="column", value_name="cell")
    )
    return (
        failures.join(values, on=["index", "column"], how="left")
        .with_columns(pl.coalesce("value", "cell").alias("value"))
        .drop("cell")
    )


def commit(
    con: duckdb.DuckDBPyConnection,
    prepared: list[Prepared],
    rebuild: bool = True,
    progress: Progress | None = None,
) -> LoadResult:
    """Write every prepared file that was not refused, in one transaction, then bring the derived
    tables up to date (data.incremental.update: only what the rows change when it can). With
    `rebuild` False the derived tables stay as they were, and the next load builds in full.

    On any exception the transaction is rolled back and the exception re-raised: the warehouse is
    exactly as it was before the call.
    """
    reports = [p.report for p in prepared]
    writable = [
        p for p in prepared if p.accepted is not None and p.report.status in ("loaded", "partial")
    ]
    if not writable:
        note_nothing(con)
        return LoadResult(reports)
    loaded_at = datetime.now().replace(microsecond=0)
    con.execute("begin transaction")
    try:
        execute(con, "load_touched_start")
        start_noting(con)
        for step, item in enumerate(writable, start=1):
            report = item.report
            if progress:
                progress(f"writing {Path(report.source).name}", step, len(writable))
            # on con itself, inside the transaction: it counts this load's earlier files
            load_id = int(con.sql(sql_text("load_next_id")).fetchall()[0][0])
            con.register("staged", item.accepted)
            con.register("staged_rejects", item.rejects)
            try:
                tracked = report.table in TRACKED
                if tracked:
                    execute(con, f"load_snapshot_{report.table}")
                execute(con, f"load_upsert_{report.table}")
                note_keys(con, report.table)
                if tracked:
                    execute(con, f"load_touched_{report.table}")
                execute(
                    con,
                    "load_record_quarantine",
                    load_id=load_id,
                    loaded_at=loaded_at,
                    table_name=report.table,
                    source_file=report.source,
                )
            finally:
                con.unregister("staged")
                con.unregister("staged_rejects")
            execute(
                con,
                "load_record_history",
                load_id=load_id,
                loaded_at=loaded_at,
                source_file=report.source,
                content_hash=report.content_hash,
                table_name=report.table,
                rows_read=report.rows_read,
                rows_accepted=report.rows_accepted,
                rows_rejected=report.rows_rejected,
                note="; ".join(report.notes) or None,
            )
        if rebuild:
            built = _update(con, progress)
        else:
            built = None
            execute(con, "load_mark_unbuilt")
        bump_load_version(con)
        note_load(con, built, TRACKED)  # what the next writer ships to the spare (data.delta)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return LoadResult(reports, built)


def _update(con: duckdb.DuckDBPyConnection, progress: Progress | None) -> object:
    """The derived tables brought up to date with this load: only what its rows change when the
    last build is a sound base, else in full (data.incremental.update)."""
    from data.incremental import update

    return update(con, progress=progress)


def load_files(
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[str | Path],
    rebuild: bool = True,
    progress: Progress | None = None,
    mapping: Mapping | None = None,
) -> LoadResult:
    """Prepare and commit files or folders given by path (the command line's `ingest`)."""
    links: list[str] = []
    files = sources_from_paths(paths, links)
    missing = [name for name, content in files if not Path(name).exists()]
    prepared = prepare(
        con, [(n, c) for n, c in files if n not in missing], progress, mapping=mapping
    )
    for name in missing:
        prepared.insert(
            0, Prepared(FileReport(source=name, error=f"{name}: no such file or folder"))
        )
    for name in links:
        prepared.insert(
            0, Prepared(FileReport(source=name, error=describe("file_symlink", name=name)))
        )
    return commit(con, prepared, rebuild, progress)


def load_frames(
    con: duckdb.DuckDBPyConnection,
    frames: dict[str, pl.DataFrame],
    source_name: str,
    rebuild: bool = True,
    progress: Progress | None = None,
) -> LoadResult:
    """Validate and load typed frames (the demo generator's) through the same rules and writes."""
    batch_ids: dict[str, list[pl.DataFrame]] = {t: [] for t in LOAD_ORDER}
    prepared = []
    for step, table in enumerate(t for t in LOAD_ORDER if t in frames):
        if progress:
            progress(f"validating {table}", step + 1, len(frames))
        prepared.append(
            prepare_frame(con, table, frames[table], f"{source_name}/{table}", batch_ids)
        )
    return commit(con, prepared, rebuild, progress)


def failures_report(reports: list[FileReport]) -> pl.DataFrame:
    """Every failure of every file as one table: file, row, column, rule, value (for download)."""
    parts = [
        r.failures.select(pl.lit(r.source).alias("file"), pl.all())
        for r in reports
        if r.failures.height
    ]
    if not parts:
        return pl.DataFrame(schema={"file": pl.String, **FAILURE_SCHEMA})
    return pl.concat(parts)


GROUP_SCHEMA = {
    "file": pl.String,
    "table": pl.String,
    "column": pl.String,
    "rule": pl.String,
    "count": pl.Int64,
    "examples": pl.List(pl.Struct({"row_number": pl.Int64, "value": pl.String})),
}


def grouped_failures(reports: list[FileReport], examples: int = EXAMPLES) -> pl.DataFrame:
    """The failures of every file grouped by rule and column, instead of one line per cell.

    One row per (file, column, rule): `count` failing rows (a row breaks a rule in a column at
    most once) and `examples`, the first `examples` of them in file order as structs of
    row_number (1-based data row) and value. Files in the order of `reports`; within a file the
    largest group first, then by column and rule. The command line prints it and the Data page
    shows it (`failure_group_lines`, dashboard/components/load_report.py).
    """
    parts = [
        r.failures.select(
            pl.lit(position).alias("position"),
            pl.lit(r.source, pl.String).alias("file"),
            pl.lit(r.table, pl.String).alias("table"),
            pl.all(),
        )
        for position, r in enumerate(reports)
        if r.failures.height
    ]
    if not parts:
        return pl.DataFrame(schema=GROUP_SCHEMA)
    return (
        pl.concat(parts)
        .sort("position", "row_number")
        .group_by("position", "file", "table", "column", "rule", maintain_order=True)
        .agg(
            pl.len().cast(pl.Int64).alias("count"),
            pl.struct("row_number", "value").head(examples).alias("examples"),
        )
        .sort(
            "position",
            "count",
            "column",
            "rule",
            descending=[False, True, False, False],
            nulls_last=True,
        )
        .select(list(GROUP_SCHEMA))
        .cast(GROUP_SCHEMA)
    )


def failure_group_lines(groups: pl.DataFrame) -> list[str]:
    """One line per group of `grouped_failures` (or of the quarantine, data.quarantine):
    "payments.csv, column due_on: <rule> — 4,000 rows: row 5 '2024/05/01', row 9 …".

    Values are quoted, cut to 40 characters and their control characters escaped (cut_value);
    file names and rules are not escaped here: a terminal caller escapes the whole line.
    An example that carries a load_id (the quarantine's) names its load.
    """
    lines = []
    for group in groups.iter_rows(named=True):
        where = Path(group["file"]).name
        if group["column"] is not None:
            where += f", column {group['column']}"
        count = group["count"]
        shown = ", ".join(_example_text(example) for example in group["examples"])
        lines.append(
            f"{where}: {group['rule']} — {count:,} row{'' if count == 1 else 's'}: {shown}"
        )
    return lines


def _example_text(example: dict) -> str:
    value = "(empty)" if example["value"] is None else f"'{cut_value(example['value'])}'"
    load = f" of load #{example['load_id']}" if example.get("load_id") is not None else ""
    return f"row {example['row_number']}{load} {value}"
