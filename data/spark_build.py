"""The derived-table build on Apache Spark over Parquet: `python -m data build --engine spark`.

The same build steps as data.build.rebuild, from the same SQL files, translated to Spark SQL by
data.spark_translate. Storage both engines share, under the output folder OUT:

    OUT/builds/<stamp>/sources/<table>.parquet    every source table, exported by DuckDB (COPY)
    OUT/builds/<stamp>/derived/<table>/           every derived table, written by Spark: a table
                                                  with an as_of column one folder per month-end
                                                  (as_of=2024-01-31/, Hive's layout)
    OUT/current                                   symbolic link to the newest complete build
    OUT/warehouse.duckdb                          the dashboard's warehouse: source tables as in the
                                                  single-file warehouse, derived tables as views
                                                  over that build's derived/ (read_parquet)

A build writes into builds/.<stamp>.partial (removed if the build fails) and renames it to
builds/<stamp> only when every table is written; then it renames a new warehouse.duckdb over the
old one and a new `current` link over the old one (renames, atomic on POSIX), so a reader sees
the previous complete build or the new one, never part of one. The build before is kept (a
reader may still be scanning it); older ones are removed.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from data.build import BUILD_VERSION, _variant, build_steps, default_as_of, step_params
from data.policy import Policy, load_policy
from data.runner import execute, sql_text
from data.spark_translate import spark_step

DEFAULT_MASTER = "local[2]"
PARTITION_COLUMN = "as_of"  # the month-end of every monthly derived table
COLUMNS_FILE = "_columns.json"  # in each table's folder; Spark and the views skip _-files


@dataclass(frozen=True)
class SparkBuildResult:
    """What a Spark build did: as-of date, where its output is, rows and seconds per table."""

    as_of: date
    policy_name: str
    out: Path
    tables: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def __str__(self) -> str:
        total = sum(self.seconds.values())
        rows = ", ".join(f"{name} {count:,}" for name, count in self.tables.items())
        return (
            f"built on Spark as of {self.as_of} ({self.policy_name}) in {total:.1f} s "
            f"into {self.out}: {rows}"
        )


def default_out(db: Path) -> Path:
    """The output folder next to the warehouse file: warehouse.duckdb -> warehouse_spark/."""
    return db.with_name(f"{db.stem}_spark")


@contextmanager
def spark_session(master: str = DEFAULT_MASTER) -> Iterator[Any]:
    """A Spark session on `master`, stopped afterwards. Non-ANSI arithmetic, as DuckDB's: a
    division by zero is null, not an error. Dates and times in UTC."""
    from pyspark.sql import SparkSession  # the optional extra: imported only for a Spark build

    builder = (
        SparkSession.builder.master(master)
        .appName("customer-risk-build")
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
    )
    if master.startswith("local"):
        # one machine: a few shuffle partitions, not Spark's 200 meant for a cluster; no web UI
        builder = builder.config("spark.sql.shuffle.partitions", "4").config(
            "spark.ui.enabled", "false"
        )
    session = builder.getOrCreate()
    try:
        yield session
    finally:
        session.stop()


def derived_tables() -> list[str]:
    """The tables and views a build creates, in build order."""
    return [table for _step, table in build_steps()]


def source_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every table of the warehouse that no build step creates: the loaded rows and the
    warehouse's own bookkeeping (schema_version, warehouse_state, load_history, quarantine)."""
    derived = set(derived_tables())
    names = con.sql(
        "select table_name from information_schema.tables "
        "where table_schema = 'main' and table_type = 'BASE TABLE' order by table_name"
    ).fetchall()
    return [name for (name,) in names if name not in derived]


def export_sources(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, Path]:
    """Each source table as one Parquet file in `folder` (DuckDB's own COPY)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for table in source_tables(con):
        target = folder / f"{table}.parquet"
        # identifiers come from the catalogue, the path from us: COPY takes neither as a parameter
        con.execute(f"copy \"{table}\" to '{_sql_path(target)}' (format parquet)")  # noqa: S608
        files[table] = target
    return files


def _sql_path(path: Path) -> str:
    text = str(path.resolve())
    if "'" in text:
        raise ValueError(f"refused: a quote in the path {text!r}")
    return text


def build(
    db: str | os.PathLike[str] | None = None,
    out: str | os.PathLike[str] | None = None,
    master: str = DEFAULT_MASTER,
    as_of: date | None = None,
    policy: Policy | None = None,
    progress: Any = None,
    spark: Any = None,
) -> SparkBuildResult:
    """Build every derived table of the warehouse `db` on Spark into `out` (see the module's
    docstring) and write the dashboard's warehouse OUT/warehouse.duckdb. The warehouse `db` is
    only read. `spark`: a session to build on (default: one on `master`, stopped afterwards).

    `progress(label, steps done, steps total)` as data.build.rebuild calls it."""
    from data import warehouse

    db_file = warehouse.db_path(db)
    out_dir = Path(out) if out is not None else default_out(db_file)
    policy = policy if policy is not None else load_policy()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    staging = out_dir / "builds" / f".{stamp}.partial"
    final = out_dir / "builds" / stamp
    steps = build_steps()
    try:
        with duckdb.connect(str(db_file), read_only=True) as con:
            as_of = as_of if as_of is not None else default_as_of(con)
            params = step_params(as_of, policy)
            variants = {step: _variant(con, step) for step, _table in steps}
            sources = export_sources(con, staging / "sources")
        tables, seconds = _build_tables(
            spark, master, sources, steps, variants, params, staging, progress
        )
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)  # nothing of a failed build is left or seen
        raise
    staging.rename(final)
    views = {table: variants[step] for step, table in steps if _is_view(variants[step], params)}
    write_dashboard_warehouse(
        db_file,
        out_dir,
        final,
        as_of=as_of,
        policy_name=policy.name,
        views=views,
        params=params,
        types=duckdb_types(db_file, variants, params),
    )
    _swap_current(out_dir, final)
    if progress is not None:
        progress("spark done", len(steps) + 1, len(steps) + 1)
    return SparkBuildResult(
        as_of=as_of, policy_name=policy.name, out=out_dir, tables=tables, seconds=seconds
    )


def _build_tables(
    spark: Any,
    master: str,
    sources: dict[str, Path],
    steps: list[tuple[str, str]],
    variants: dict[str, str],
    params: dict[str, object],
    staging: Path,
    progress: Any,
) -> tuple[dict[str, int], dict[str, float]]:
    """Run every step on Spark into staging/derived/<table>: rows and seconds per table."""
    seconds: dict[str, float] = {}
    tables: dict[str, int] = {}
    with _session(spark, master) as spark:
        for name, file in sources.items():
            spark.read.parquet(str(file)).createOrReplaceTempView(name)
        for done, (step, table) in enumerate(steps):
            if progress is not None:
                progress(f"spark {step.removeprefix('build_')}", done, len(steps) + 1)
            started = time.perf_counter()
            translated = spark_step(sql_text(variants[step]), params)
            written = write_table(spark, translated.query, staging / "derived" / table)
            written.createOrReplaceTempView(table)
            tables[table] = written.count()
            seconds[step] = time.perf_counter() - started
    return tables, seconds


def write_table(spark: Any, query: str, target: Path) -> Any:
    """Write the result of `query` as Parquet files in `target`, one folder per month-end
    (`as_of=2024-01-31/`, Hive's layout) when it has an as_of column, another column and rows;
    returns the table as read back, columns in the query's order."""
    frame = spark.sql(query)
    monthly = PARTITION_COLUMN in frame.columns and len(frame.columns) > 1  # month_grid: whole
    if monthly:
        frame.repartition(PARTITION_COLUMN).write.mode("overwrite").partitionBy(
            PARTITION_COLUMN
        ).parquet(str(target))
    if not is_partitioned(target):
        # no as_of column, or no rows: one folder of files (an empty one keeps its schema)
        source = spark.createDataFrame([], frame.schema) if monthly else frame
        source.write.mode("overwrite").parquet(str(target))
    # the column order, which Hive's layout loses (the partition column comes last when read)
    (target / COLUMNS_FILE).write_text(json.dumps(frame.columns), encoding="utf-8")
    return spark.read.schema(frame.schema).parquet(str(target)).select(*frame.columns)


def is_partitioned(folder: Path) -> bool:
    """Whether a derived table's folder holds one sub-folder per as_of."""
    return folder.is_dir() and any(folder.glob(f"{PARTITION_COLUMN}=*"))


@contextmanager
def _session(spark: Any, master: str) -> Iterator[Any]:
    if spark is not None:
        yield spark
        return
    with spark_session(master) as session:
        yield session


def duckdb_types(
    db_file: Path, variants: dict[str, str], params: dict[str, object]
) -> dict[str, dict[str, str]]:
    """The column types the DuckDB build gives each derived table (table -> column -> type): its
    steps run in memory on empty copies of `db_file`'s source tables, so no rows are read. Spark
    writes some types its own way (an INTEGER where DuckDB's build has a BIGINT, a DOUBLE for a
    DECIMAL); the dashboard's views cast to these, so its queries and their Pandera models see
    the single-file warehouse's types."""
    with duckdb.connect() as con:
        con.execute("attach $path as source (read_only)", {"path": str(db_file)})
        for table in source_tables(con.cursor().execute("use source")):
            # a name from the source file's catalogue
            con.execute(f'create table memory.main."{table}" as from source."{table}" limit 0')  # noqa: S608
        con.execute("use memory")
        con.execute("detach source")
        for step, _table in build_steps():
            execute(con, variants[step], **params)
        rows = con.sql(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_schema = 'main' order by table_name, ordinal_position"
        ).fetchall()
    types: dict[str, dict[str, str]] = {}
    for table, column, kind in rows:
        types.setdefault(table, {})[column] = kind
    return types


def _view_sql(
    con: duckdb.DuckDBPyConnection, table: str, folder: Path, types: dict[str, str] | None = None
) -> str:
    """`create view <table>` over its Parquet files: the columns in the build's order (a
    partition column comes last from Hive's layout), as_of a DATE, each column whose Parquet
    type is not `types`' (the DuckDB build's) cast to it."""
    if not is_partitioned(folder):
        files = _sql_path(folder) + "/*.parquet"
        source = f"read_parquet('{files}')"
        order = None
    else:
        files = _sql_path(folder) + f"/{PARTITION_COLUMN}=*/*.parquet"
        source = (
            f"read_parquet('{files}', hive_partitioning = true, "
            f"hive_types = {{'{PARTITION_COLUMN}': 'DATE'}})"
        )
        order = _column_order(folder)
    described = con.sql(f"describe select * from {source}").fetchall()  # noqa: S608
    found = {name: kind for name, kind, *_rest in described}
    wanted = types or {}
    columns = []
    for name in order or list(found):
        quoted = '"' + name.replace('"', '""') + '"'
        kind = wanted.get(name)
        if kind is not None and kind != found.get(name):
            columns.append(f"cast({quoted} as {kind}) as {quoted}")
        else:
            columns.append(quoted)
    # names and types from the two engines' catalogues, paths checked by _sql_path
    return f'create view "{table}" as select {", ".join(columns)} from {source}'  # noqa: S608


def _column_order(folder: Path) -> list[str]:
    return json.loads((folder / COLUMNS_FILE).read_text(encoding="utf-8"))


def _swap_current(out_dir: Path, final: Path) -> None:
    """Point OUT/current at `final` atomically; keep the build it replaces, remove older ones."""
    link = out_dir / "current"
    previous = link.resolve() if link.is_symlink() else None
    fresh = out_dir / f".current.{final.name}"
    fresh.symlink_to(Path("builds") / final.name)
    os.replace(fresh, link)
    keep = {final.name} | ({previous.name} if previous is not None else set())
    for old in (out_dir / "builds").iterdir():
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


def _is_view(step: str, params: dict[str, object]) -> bool:
    """Whether the build step's SQL file creates a view (score_explanation), not a table."""
    return spark_step(sql_text(step), params).kind == "view"


def write_dashboard_warehouse(
    db_file: Path,
    out_dir: Path,
    build_dir: Path,
    as_of: date,
    policy_name: str,
    views: dict[str, str] | None = None,
    params: dict[str, object] | None = None,
    types: dict[str, dict[str, str]] | None = None,
) -> Path:
    """OUT/warehouse.duckdb: the source tables copied from `db_file`, each derived table a view
    over its Parquet files in `build_dir` (this build's folder, not `current`: a dashboard with
    the file open keeps reading the one build it opened, whole), and warehouse_state recording
    this build. Written beside and renamed over the previous one.

    `views`: the derived tables the DuckDB build creates as views (table -> its SQL file); they
    are created here by that same file over the other tables, as in the single-file warehouse
    (a view, computed when read; Spark's Parquet copy stays for readers on Spark). `types`: the
    DuckDB build's column types per table (duckdb_types), which the views cast to."""
    views = views or {}
    target = out_dir / "warehouse.duckdb"
    partial = out_dir / ".warehouse.duckdb.partial"
    partial.unlink(missing_ok=True)
    with duckdb.connect(str(partial)) as con:
        con.execute(f"attach '{_sql_path(db_file)}' as source (read_only)")
        for table in source_tables(con.cursor().execute("use source")):
            con.execute(f'create table main."{table}" as select * from source."{table}"')  # noqa: S608
        con.execute("use main")
        con.execute("detach source")
        for table in derived_tables():
            if table in views:
                execute(con, views[table], **(params or {}))
            else:
                folder = build_dir / "derived" / table
                con.execute(_view_sql(con, table, folder, (types or {}).get(table)))
        con.execute(
            sql_text("record_build"),
            {"as_of": as_of, "policy_name": policy_name, "build_version": BUILD_VERSION},
        )
    os.replace(partial, target)
    return target
