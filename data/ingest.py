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

from data.parsing import FileRejected, parse_cells, read_table, table_for
from data.warehouse import LOAD_ORDER, bump_load_version
from queries.runner import execute, run
from schemas import source
from schemas.rules import describe

Progress = Callable[[str, int, int], None]
FAILURE_SCHEMA = {
    "row_number": pl.Int64,
    "column": pl.String,
    "rule": pl.String,
    "value": pl.String,
}


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
        """rejected (whole file refused), duplicate (same content loaded before), partial or loaded."""
        if self.error:
            return "rejected"
        if self.already_loaded:
            return "duplicate"
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
    def exit_code(self) -> int:
        """0 all loaded, 1 some rows rejected (the rest loaded), 2 a file refused whole."""
        if any(r.status == "rejected" for r in self.reports):
            return 2
        return 1 if any(r.rows_rejected for r in self.reports) else 0


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


def prepare(
    con: duckdb.DuckDBPyConnection,
    files: list[tuple[str, bytes]],
    progress: Progress | None = None,
) -> list[Prepared]:
    """Read, parse and validate files in dependency order; write nothing.

    References are checked against the warehouse plus the rows of this batch that passed, so
    customers.csv and contracts.csv can arrive together in either order.
    """
    batch_ids: dict[str, list[pl.DataFrame]] = {t: [] for t in LOAD_ORDER}
    prepared: list[Prepared] = []
    ordered = sorted(files, key=lambda f: _order(f[0]))
    for step, (name, content) in enumerate(ordered, start=1):
        if progress:
            progress(f"validating {Path(name).name}", step, len(ordered))
        report = FileReport(source=name, content_hash=hashlib.sha256(content).hexdigest())
        try:
            if not Path(name).name:
                raise FileRejected(describe("file_no_name", name=name))
            raw = read_table(name, content)
        except FileRejected as err:
            report.error = str(err)
            prepared.append(Prepared(report))
            continue
        report.table, report.notes = raw.table, list(raw.notes)
        earlier = run(
            con, "load_previous_load", content_hash=report.content_hash, table_name=raw.table
        )
        if earlier.height:
            first = earlier.row(0, named=True)
            report.already_loaded = describe(
                "already_loaded",
                table=raw.table,
                loaded_at=f"{first['loaded_at']:%Y-%m-%d %H:%M}",
                source=first["source_file"],
                load_id=first["load_id"],
            )
            prepared.append(Prepared(report))
            continue
        strict = Path(name).suffix.lower() in (".csv", ".txt")
        typed, parse_failures = parse_cells(raw.table, raw.frame, strict_dates=strict)
        item = _validate(con, raw.table, typed, raw.frame, parse_failures, batch_ids, report)
        prepared.append(item)
    return prepared


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
) -> Prepared:
    known = None
    if table in source.REFERENCES:
        _, target, target_key = source.REFERENCES[table]
        in_warehouse = run(con, "load_known_ids", table_name=target)["id"]
        batch_keys = [f[target_key] for f in batch_ids[target]]
        known = pl.concat([in_warehouse, *batch_keys]) if batch_keys else in_warehouse
    schema_failures = source.validate(table, typed, known)
    if table == "adjustments":
        schema_failures = pl.concat(
            [schema_failures, _adjustment_failures(con, typed, schema_failures, batch_ids)]
        )
    # A cell the parser refused is null in `typed`; don't report it a second time as missing.
    schema_failures = schema_failures.join(
        parse_failures.select("index", "column"), on=["index", "column"], how="anti"
    )
    shown = cells if cells is not None else typed.select(pl.all().cast(pl.String))
    failures = _with_cell_values(pl.concat([parse_failures, schema_failures]), shown)
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
    """Write every prepared file that was not refused, in one transaction, then rebuild.

    On any exception the transaction is rolled back and the exception re-raised: the warehouse is
    exactly as it was before the call.
    """
    reports = [p.report for p in prepared]
    writable = [
        p for p in prepared if p.accepted is not None and p.report.status in ("loaded", "partial")
    ]
    if not writable:
        return LoadResult(reports)
    loaded_at = datetime.now().replace(microsecond=0)
    con.execute("begin transaction")
    try:
        for step, item in enumerate(writable, start=1):
            report = item.report
            if progress:
                progress(f"writing {Path(report.source).name}", step, len(writable))
            load_id = int(run(con, "load_next_id")["load_id"][0])
            con.register("staged", item.accepted)
            con.register("staged_rejects", item.rejects)
            try:
                execute(con, f"load_upsert_{report.table}")
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
        built = _rebuild(con, progress) if rebuild else None
        bump_load_version(con)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return LoadResult(reports, built)


def _rebuild(con: duckdb.DuckDBPyConnection, progress: Progress | None) -> object | None:
    try:
        from data.build import rebuild
    except ImportError:  # the risk engine is optional until it exists
        return None
    return rebuild(con, progress=progress)


def load_files(
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[str | Path],
    rebuild: bool = True,
    progress: Progress | None = None,
) -> LoadResult:
    """Prepare and commit files or folders given by path (the command line's `ingest`)."""
    links: list[str] = []
    files = sources_from_paths(paths, links)
    missing = [name for name, content in files if not Path(name).exists()]
    prepared = prepare(con, [(n, c) for n, c in files if n not in missing], progress)
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
