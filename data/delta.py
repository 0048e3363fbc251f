"""The spare file: a writer brings the previous warehouse file up to date with what the last write
changed, instead of copying the whole warehouse (data.warehouse.writing).

Next to `warehouse.duckdb` lie `warehouse.duckdb.spare`, the file the last write replaced (no
reader opens it by name; a dashboard that still had it open lets go of it once it notices the new
file), and `warehouse.duckdb.spare.json`, the note: what that write changed, table by table, and
the size, inode and modification time of both files as the write left them. A writer whose note
still matches both files opens the spare read-write, copies into it from the current file
(attached read-only) only the rows the note names, and then does its own work in it: O(changes),
not O(file). Any doubt (no note, a file changed since, another schema version, a reader that still
holds the spare, any error) and it copies the whole file as before, which is always right.

What a write changed (`note_load`, by a load; any other writer notes nothing, which means
"unknown": the next writer copies the whole file):

- `customers`: the rows of the customers the load touched (data/sql/load_touched_*.sql, before and
  after), by the table's customer_id, else through its contract (contract_id), else its payment
  (payment_id): the source tables the load upserted and the derived tables the incremental build
  replaced for those customers (data.incremental);
- `loads`: the rows of the loads the write added (quarantine, load_history), by load_id;
- `all`: the whole table: the portfolio tables the build rewrote and every other table but the
  derived ones it left alone (small tables: the state, fx rates, the schema version).

A full build (every derived table rewritten) notes nothing: copying the file is then as fast.
tests/test_spare.py runs loads both ways and compares every table of the two files.
"""

from __future__ import annotations

import json
import os
from contextlib import suppress
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

NOTE_VERSION = 1
SPARE_SUFFIX = ".spare"
NOTE_SUFFIX = ".spare.json"
LOG_TABLES = frozenset({"quarantine", "load_history"})
# The tables whose rows a load's customers own, and through which key (the first a table has).
KEY_COLUMNS = ("customer_id", "contract_id", "payment_id")
CATCH_UP_MEMORY = "500MB"
# A note lists keys and customers: past these counts (a month's file, a first load of a book) it
# names the table's rows by customer, or no note is kept and the next writer copies the file.
MAX_NOTED_KEYS = 100_000
MAX_NOTED_CUSTOMERS = 200_000
SCOPES = frozenset({"all", "customers", "loads", "keys"})
# Source tables that only a load's own upsert changes: the spare takes just the upserted keys (a
# day's 1 000 payments rather than every payment of the customers they touch).
BY_KEY = {"payments": "payment_id", "risk_events": "event_id", "adjustments": "adjustment_id"}


class SpareRefused(Exception):
    """The spare cannot be brought up to date (the caller copies the whole file instead)."""


def spare_path(target: Path) -> Path:
    return target.with_name(target.name + SPARE_SUFFIX)


def note_path(target: Path) -> Path:
    return target.with_name(target.name + NOTE_SUFFIX)


def start(con: duckdb.DuckDBPyConnection) -> None:
    """Begin noting a load's changes in this connection (before its first upsert)."""
    con.execute("create or replace temp table write_delta_keys (table_name varchar, key varchar)")


def note_keys(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Note the keys of the batch registered as `staged`, just upserted into `table`; once a table
    has more than MAX_NOTED_KEYS, no more (the spare then takes its rows by customer)."""
    if table in BY_KEY and _noted(con, table) <= MAX_NOTED_KEYS:
        # the key column is a name of this module's BY_KEY, not a value
        con.execute(
            f"insert into write_delta_keys select $t, {BY_KEY[table]}::varchar from staged",  # noqa: S608
            {"t": table},
        )


def _noted(con: duckdb.DuckDBPyConnection, table: str) -> int:
    query = "select count(*) from write_delta_keys where table_name = $t"
    return con.execute(query, {"t": table}).fetchall()[0][0]


def note_load(con: duckdb.DuckDBPyConnection, built: Any | None, tracked: frozenset[str]) -> None:
    """Note in this connection (temporary tables write_delta, write_delta_customers) what the
    caller's load changed: `built` is the data.build.BuildResult of its build (None: the derived
    tables were not built), `tracked` the source tables whose changed rows load_touched records.
    Inside the caller's transaction: a rolled-back load notes nothing."""
    from data.build import build_steps

    derived = {table for _step, table in build_steps()}
    scopes: dict[str, str] | None = {}
    if built is not None and built.whole is None:
        scopes = None  # every derived table rewritten: the next writer copies the file
    else:
        for table in _tables(con):
            if table in derived:
                if built is None:
                    continue
                if table in built.whole:
                    scopes[table] = "all"
                elif table in built.spliced:
                    scopes[table] = "customers"
            elif table in tracked:
                scopes[table] = "keys" if table in BY_KEY else "customers"
            elif table in LOG_TABLES:
                scopes[table] = "loads"
            else:
                scopes[table] = "all"
    con.execute("create or replace temp table write_delta (table_name varchar, scope varchar)")
    con.execute("create or replace temp table write_delta_customers (customer_id varchar)")
    if scopes is None:
        con.execute("insert into write_delta values ('*', 'unknown')")
        return
    rows = pl.DataFrame(
        {"table_name": list(scopes), "scope": list(scopes.values())},
        schema={"table_name": pl.String, "scope": pl.String},
    )
    con.register("noted_scopes", rows)
    try:
        con.execute("insert into write_delta select * from noted_scopes")
    finally:
        con.unregister("noted_scopes")
    if _has_temp(con, "load_touched"):
        con.execute(
            "insert into write_delta_customers select distinct customer_id from load_touched"
        )
    if not _has_temp(con, "write_delta_keys"):
        start(con)


def note_nothing(con: duckdb.DuckDBPyConnection) -> None:
    """Note that the caller's write changed no row (a load whose every file was refused)."""
    con.execute("create or replace temp table write_delta (table_name varchar, scope varchar)")
    con.execute("create or replace temp table write_delta_customers (customer_id varchar)")


def taken(con: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    """What this connection's write noted ({"tables": {table: scope}, "customers": [...]}), or
    None when it noted nothing or an unknown change."""
    if not _has_temp(con, "write_delta"):
        return None
    scopes = dict(con.sql("select table_name, scope from write_delta").fetchall())
    if any(scope not in SCOPES for scope in scopes.values()):
        return None
    if con.sql("select count(*) from write_delta_customers").fetchall()[0][0] > MAX_NOTED_CUSTOMERS:
        return (
            None  # most of the book: the next writer copies the file rather than read a long note
        )
    customers = [r[0] for r in con.sql("select customer_id from write_delta_customers").fetchall()]
    keys: dict[str, list[str]] = {table: [] for table, scope in scopes.items() if scope == "keys"}
    if keys and not _has_temp(con, "write_delta_keys"):
        return None
    for table in list(keys):
        if _noted(con, table) > MAX_NOTED_KEYS:
            del keys[table]  # a large file: its rows are taken by customer instead
            scopes[table] = "customers"
    if keys:
        for table, key in con.sql(
            "select distinct table_name, key from write_delta_keys"
        ).fetchall():
            if table in keys:
                keys[table].append(key)
    return {"tables": scopes, "customers": customers, "keys": keys}


# What a note records of a write beside the two files' stat; a spare already up to date needs none.
WRITTEN_KEYS = ("tables", "customers", "keys")
NOTHING_WRITTEN: dict[str, Any] = {"tables": {}, "customers": [], "keys": {}}


def stat_of(path: Path) -> list[int]:
    """What a note records of a file: device, inode, size, modification time."""
    st = path.stat()
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns]


def write_note(target: Path, written: dict[str, Any]) -> None:
    """Record, after a swap, that the spare plus `written` is the current file (atomically)."""
    note = {
        "version": NOTE_VERSION,
        "warehouse": stat_of(target),
        "spare": stat_of(spare_path(target)),
        **written,
    }
    path = note_path(target)
    scratch = path.with_name(path.name + f".{os.getpid()}.tmp")
    with open(scratch, "w", encoding="utf-8") as out:
        json.dump(note, out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(scratch, path)


def read_note(target: Path) -> dict[str, Any] | None:
    """The note, when both files are still exactly as the write that wrote it left them."""
    path, spare = note_path(target), spare_path(target)
    try:
        note = json.loads(path.read_text(encoding="utf-8"))
        if note.get("version") != NOTE_VERSION:
            return None
        if note["warehouse"] != stat_of(target) or note["spare"] != stat_of(spare):
            return None
        if not isinstance(note["tables"], dict) or not isinstance(note["customers"], list):
            return None
        if not isinstance(note.get("keys"), dict):
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return note


def open_in_this_process(path: Path) -> bool:
    """True when this process has the file at `path` open (a dashboard's connection to it, from
    when it was the current file): DuckDB's file lock does not keep one process from itself."""
    try:
        wanted = os.stat(path)
        fds = os.listdir("/proc/self/fd")
    except OSError:
        return True  # cannot tell: assume it is
    for fd in fds:
        try:
            st = os.stat(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if (st.st_dev, st.st_ino) == (wanted.st_dev, wanted.st_ino):
            return True
    return False


def catch_up(con: duckdb.DuckDBPyConnection, current: Path, note: dict[str, Any]) -> None:
    """Bring the spare open in `con` up to the file at `current`: copy from it the rows `note`
    names, in one transaction. Raises SpareRefused (or DuckDB's error) when it cannot; the spare
    is then to be discarded."""
    con.execute("attach $path as cur (read_only)", {"path": str(current)})
    limit = None
    try:
        versions = con.sql(
            "select (select max(version) from main.schema_version), "
            "(select max(version) from cur.schema_version)"
        ).fetchall()[0]
        if versions[0] != versions[1]:
            raise SpareRefused(f"schema version {versions[0]} beside {versions[1]}")
        mine, theirs = set(_tables(con)), set(_tables(con, "cur"))
        # no checkpoint at this commit: the writer's own checkpoint at the end writes the catch-up
        # and its work to the file together (a checkpoint rewrites the tables' changed parts and
        # indexes: once instead of twice)
        con.execute("set checkpoint_threshold = '1TB'")
        # a small buffer pool: the catch-up reads key columns of both files once, and keeping their
        # pages would only raise the writer's peak (1.2 GB -> 0.7 GB at `large`, and faster)
        limit = con.sql("select current_setting('memory_limit')").fetchall()[0][0]
        # a larger book's indexes need more (at xl, 69 M payment ids): then once more, rolled
        # back first, with the writer's own limit
        for attempt, memory in enumerate((CATCH_UP_MEMORY, limit)):
            con.execute("set memory_limit = $m", {"m": memory})
            con.execute("begin transaction")
            try:
                _ship(con, note, mine, theirs)
                _same_counts(con, theirs)
                con.execute("commit")
                break
            except duckdb.OutOfMemoryException:
                con.execute("rollback")
                if attempt == 1:
                    raise
            except BaseException:
                con.execute("rollback")
                raise
    finally:
        con.execute("reset checkpoint_threshold")
        if limit is not None:
            con.execute("set memory_limit = $m", {"m": limit})
        con.execute("detach cur")


# The statements that take a table's rows from the current file (cur) into the spare (main).
# {t} is a table name from the two files' own catalogues, quoted by _sql; {key} one of KEY_COLUMNS
# or load_id and {keys} the temporary table of its values (data/sql/spare_keys.sql). No value is
# spliced: DuckDB binds values, not names.
TAKE_ALL_DERIVED = ("create or replace table main.{t} as from cur.{t}",)
TAKE_ALL = ("delete from main.{t}", "insert into main.{t} by name select * from cur.{t}")
TAKE_SOME = (
    "delete from main.{t} where {key} in (select {key} from {keys})",
    "insert into main.{t} by name select * from cur.{t} where {key} in (select {key} from {keys})",
)
TAKE_BY_KEY = (
    "delete from main.{t} where {key} in (select key from delta_keys)",
    "insert into main.{t} by name select * from cur.{t} where {key} in (select key from delta_keys)",
)
COUNTS = "select (select count(*) from main.{t}), (select count(*) from cur.{t})"
KEY_TABLES = {
    "customer_id": "delta_customers",
    "contract_id": "delta_contracts",
    "payment_id": "delta_payments",
    "load_id": "delta_loads",
}


def _sql(template: str, table: str, key: str = "customer_id") -> str:
    quoted = '"' + table.replace('"', '""') + '"'
    return template.format(t=quoted, key=key, keys=KEY_TABLES.get(key, "delta_keys"))


def _ship(
    con: duckdb.DuckDBPyConnection, note: dict[str, Any], mine: set[str], theirs: set[str]
) -> None:
    from data.build import build_steps
    from data.runner import execute

    derived = {table for _step, table in build_steps()}
    noted = pl.DataFrame({"customer_id": note["customers"]}, schema={"customer_id": pl.String})
    con.register("noted_customers", noted)
    try:
        con.execute(
            "create or replace temp table delta_customers as "
            "select distinct customer_id from noted_customers"
        )
    finally:
        _unregister(con, "noted_customers")
    execute(con, "spare_keys")
    for table, scope in note["tables"].items():
        if table not in theirs:
            raise SpareRefused(f"{table} is not in the current file")
        if scope == "all":
            statements = TAKE_ALL_DERIVED if table in derived or table not in mine else TAKE_ALL
            key = "customer_id"
        elif table not in mine:
            raise SpareRefused(f"{table} is not in the spare")
        elif scope == "keys":
            if table not in BY_KEY:
                raise SpareRefused(f"{table} is not taken by key")
            key = BY_KEY[table]
            listed = pl.DataFrame({"key": note["keys"][table]}, schema={"key": pl.String})
            con.register("noted_keys", listed)
            try:
                con.execute(
                    "create or replace temp table delta_keys as select distinct key from noted_keys"
                )
            finally:
                _unregister(con, "noted_keys")
            statements = TAKE_BY_KEY
        else:
            columns = set(_columns(con, "cur", table))
            key = (
                "load_id"
                if scope == "loads"
                else next((c for c in KEY_COLUMNS if c in columns), None)
            )
            if key is None or key not in columns:
                raise SpareRefused(f"{table} has none of {', '.join(KEY_COLUMNS)}")
            statements = TAKE_SOME
        for template in statements:
            con.execute(_sql(template, table, key))
    for temp in (*KEY_TABLES.values(), "delta_keys"):
        con.execute(f"drop table if exists {temp}")


def _unregister(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Unregister a frame; in a transaction an error aborted DuckDB refuses it until the rollback,
    and the error that aborted it is the one to raise (a later register replaces the frame)."""
    with suppress(duckdb.TransactionException):
        con.unregister(name)


def _same_counts(con: duckdb.DuckDBPyConnection, tables: set[str]) -> None:
    """A cheap last check: every table holds as many rows as in the current file."""
    for table in sorted(tables):
        mine, theirs = con.sql(_sql(COUNTS, table)).fetchall()[0]
        if mine != theirs:
            raise SpareRefused(f"{table}: {mine} rows beside {theirs} after the catch-up")


def _tables(con: duckdb.DuckDBPyConnection, database: str | None = None) -> list[str]:
    query = (
        "select table_name from duckdb_tables() "
        "where not temporary and schema_name = 'main' and database_name = coalesce($db, current_database())"
    )
    return [r[0] for r in con.execute(query, {"db": database}).fetchall()]


def _columns(con: duckdb.DuckDBPyConnection, database: str, table: str) -> list[str]:
    query = (
        "select column_name from duckdb_columns() "
        "where database_name = $db and schema_name = 'main' and table_name = $t"
    )
    return [r[0] for r in con.execute(query, {"db": database, "t": table}).fetchall()]


def _has_temp(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    found = con.execute(
        "select count(*) from duckdb_tables() where temporary and table_name = $t", {"t": table}
    )
    return bool(found.fetchall()[0][0])
