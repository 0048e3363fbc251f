"""The DuckDB warehouse file: where it lives, how it is opened, and how its schema is migrated."""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

import duckdb

from data.runner import sql_text
from schemas.rules import cut_value, describe

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "data" / "warehouse.duckdb"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SOURCE_TABLES = (
    "fx_rates",
    "customers",
    "contracts",
    "payments",
    "adjustments",
    "credit_reviews",
    "risk_events",
)
# Dependency order: a table's references point only to tables earlier in this tuple. fx_rates
# references nothing and comes first, so a batch's rates convert the amounts of the same batch.
LOAD_ORDER = SOURCE_TABLES
# The key columns of each source table: a row with the same values replaces the stored one. Every
# key is a tuple; fx_rates is keyed by two columns.
KEYS: dict[str, tuple[str, ...]] = {
    "fx_rates": ("currency", "on"),
    "customers": ("customer_id",),
    "contracts": ("contract_id",),
    "payments": ("payment_id",),
    "adjustments": ("adjustment_id",),
    "credit_reviews": ("review_id",),
    "risk_events": ("event_id",),
}
# The reporting currency of a new warehouse (and of one migrated from before the setting existed).
DEFAULT_REPORTING_CURRENCY = "CNY"
CURRENCY_CODE = re.compile(r"[A-Z]{3}")


def db_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The warehouse file: the explicit path, else $RISK_DB, else data/warehouse.duckdb."""
    if path:
        return Path(path)
    env = os.environ.get("RISK_DB")
    return Path(env) if env else DEFAULT_DB


def migrations() -> list[tuple[int, Path]]:
    """(version, file) for every migration script, in order."""
    found = []
    for file in sorted(MIGRATIONS.glob("*.sql")):
        found.append((int(file.name.split("_", 1)[0]), file))
    return found


def scalar(con: duckdb.DuckDBPyConnection, query: str, params: dict | None = None):
    """The single value a one-row, one-column query returns."""
    return con.sql(query, params=params).fetchall()[0][0]


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The highest migration applied to this warehouse (0 for an empty file)."""
    exists = scalar(
        con, "select count(*) from information_schema.tables where table_name = 'schema_version'"
    )
    if not exists:
        return 0
    return scalar(con, "select coalesce(max(version), 0) from schema_version")


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply the migrations this file has not seen yet, each in its own transaction.

    Returns the schema version afterwards.
    """
    con.execute(
        "create table if not exists schema_version "
        "(version integer primary key, applied_at timestamp not null)"
    )
    current = schema_version(con)
    for version, file in migrations():
        if version <= current:
            continue
        con.execute("begin transaction")
        try:
            con.execute(file.read_text(encoding="utf-8"))
            con.execute("insert into schema_version values ($v, current_timestamp)", {"v": version})
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
        current = version
    return current


def connect(
    path: str | os.PathLike[str] | None = None, read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; a writable open creates and migrates it as needed."""
    file = db_path(path)
    if read_only:
        return duckdb.connect(str(file), read_only=True)
    file.parent.mkdir(parents=True, exist_ok=True)
    # Bounded memory for loads and builds (DuckDB spills the rest to disk); DuckDB's default would
    # be 80 % of the machine.
    config = {"memory_limit": os.environ.get("RISK_MEMORY_LIMIT", "12GB")}
    con = duckdb.connect(str(file), config=config)
    migrate(con)
    return con


def load_version(con: duckdb.DuckDBPyConnection) -> int:
    """A counter bumped by every load and build (0 before the first)."""
    return scalar(con, "select load_version from warehouse_state")


def bump_load_version(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("update warehouse_state set load_version = load_version + 1")


class SettingRefused(Exception):
    """A setting cannot be changed in this warehouse; the message says why."""


def reporting_currency(con: duckdb.DuckDBPyConnection) -> str:
    """The currency every stored amount is in (ISO 4217 code, CNY unless set otherwise).

    A warehouse read-only opened before migration 4 has no setting yet: it is in CNY.
    """
    try:
        return scalar(con, "select reporting_currency from warehouse_state")
    except duckdb.BinderException:
        return DEFAULT_REPORTING_CURRENCY


def source_rows(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row count of every source table that holds any row."""
    counts = table_counts(con)
    return {t: counts[t] for t in SOURCE_TABLES if counts.get(t)}


def set_reporting_currency(con: duckdb.DuckDBPyConnection, code: str) -> str:
    """Make `code` (three capital letters, e.g. USD) the reporting currency; returns it.

    Refused (SettingRefused) once any source table holds a row: every stored amount (and every
    rate_to_reporting) is in the current currency and is never converted again. Setting the current
    currency again changes nothing.
    """
    if not CURRENCY_CODE.fullmatch(code):
        raise SettingRefused(
            f"{cut_value(code)!r} is not a currency code of three capital letters (such as USD)"
        )
    current = reporting_currency(con)
    if code == current:
        return code
    held = source_rows(con)
    if held:
        tables = ", ".join(f"{t} {n:,}" for t, n in held.items())
        raise SettingRefused(
            f"the reporting currency stays {current}: the warehouse already holds source rows "
            f"({tables}) whose amounts and rates are in {current}; choose the currency before "
            "loading anything (a new warehouse: --db NEW_FILE)"
        )
    con.execute("update warehouse_state set reporting_currency = $code", {"code": code})
    return code


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row count of every base table in the warehouse."""
    names = [
        r[0]
        for r in con.sql(
            "select table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' and table_schema = 'main' order by table_name"
        ).fetchall()
    ]
    return {n: scalar(con, f'select count(*) from "{n}"') for n in names}  # noqa: S608 - names from the catalogue


def parquet_view_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row count of every view that reads Parquet files: the derived tables of the warehouse a
    Spark build writes (data.spark_build), counted as the tables they stand for (none in the
    single-file warehouse)."""
    names = [r[0] for r in con.sql(sql_text("parquet_views")).fetchall()]
    return {n: con.table(n).aggregate("count(*)").fetchall()[0][0] for n in names}


def checksum(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """An order-independent digest of every base table's content, for before/after comparisons."""
    digests = {}
    for name in table_counts(con):
        # Sum of row hashes: equal content gives an equal digest whatever the row order.
        count, total = con.sql(
            f'select count(*), coalesce(sum(hash(t)::hugeint), 0) from "{name}" t'  # noqa: S608 - names from the catalogue
        ).fetchall()[0]
        digests[name] = hashlib.sha1(f"{count}:{total}".encode()).hexdigest()
    return digests


class WarehouseUnavailable(Exception):
    """The warehouse file cannot be written (read-only place, disk full, ...); it is unchanged."""


# Every DuckDB database file carries these bytes after its 8-byte header checksum.
_DUCKDB_MAGIC = (8, b"DUCK")


def is_duckdb_file(path: Path) -> bool:
    """True when `path` is a regular file that starts like a DuckDB database."""
    offset, magic = _DUCKDB_MAGIC
    try:
        with open(path, "rb") as file:
            return file.read(offset + len(magic))[offset:] == magic
    except OSError:
        return False


def check_file(path: Path) -> None:
    """Refuse, with a one-line WarehouseUnavailable, a --db that is a folder or not a DuckDB file
    (a missing file is fine: writers create it)."""
    if path.is_dir():
        raise WarehouseUnavailable(describe("db_folder", path=cut_value(path, 300)))
    if path.exists() and not is_duckdb_file(path):
        raise WarehouseUnavailable(describe("db_not_duckdb", path=cut_value(path, 300)))


def is_warehouse(path: Path) -> bool:
    """True when `path` is a DuckDB file with this project's schema (a migrations table)."""
    if not is_duckdb_file(path):
        return False
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        # Open elsewhere in a way that forbids a second look (a writer's lock, another
        # configuration in this process): a DuckDB file in use is taken for the warehouse.
        return True
    try:
        return schema_version(con) > 0
    finally:
        con.close()


def write_target(path: Path, fresh: bool = False, force: bool = False) -> Path:
    """The file a writer replaces for `path`: a symbolic link's target (the link stays a link).

    Refuses a dangling link, a folder and a file that is not a DuckDB database; a fresh build
    (which discards the content) also refuses a DuckDB file that is not a warehouse. `force` lets
    a fresh build replace any regular file.
    """
    if path.is_symlink():
        resolved = path.resolve()
        if not resolved.exists():
            raise WarehouseUnavailable(
                describe(
                    "db_dangling_link", path=cut_value(path, 300), target=cut_value(resolved, 300)
                )
            )
        path = resolved
    if path.is_dir():
        raise WarehouseUnavailable(describe("db_folder", path=cut_value(path, 300)))
    if not path.exists() or (fresh and force):
        return path
    if fresh and not is_warehouse(path):
        raise WarehouseUnavailable(describe("db_not_warehouse", path=cut_value(path, 300)))
    check_file(path)
    return path


@contextmanager
def writing(
    path: str | os.PathLike[str] | None = None,
    fresh: bool = False,
    force: bool = False,
    keep_empty: bool = False,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A writable connection to a private file of the warehouse, swapped in atomically on success.

    The private file is the spare (the file the last write replaced) brought up to date with what
    that write changed, when its note says how (data.delta), else a whole copy of the warehouse.
    Readers (the dashboard) keep the file they opened and see the new one once they reopen, so they
    never meet a lock or a half-written state; a crash or exception at any point leaves the previous
    warehouse untouched. Writers are serialised by a lock file. `fresh` starts from an empty file
    and refuses to replace a file that is not a warehouse unless `force` (see write_target).

    On success the replaced file becomes the new spare when the work noted what it changed (a load,
    data.delta.note_load); otherwise the spare is removed (the next writer copies).

    A target that did not exist is created only when something was written into it: when the
    work leaves the new warehouse as empty as `connect` makes it (a refused ingest) or raises,
    no warehouse, staging or lock file this call created remains, nor a folder it created (see
    _lock_file and the end of this function). `keep_empty` creates it even so (a caller whose
    purpose is an empty warehouse). An existing warehouse is replaced as before.
    """
    from data import delta

    target = write_target(db_path(path), fresh, force)
    lock_path = target.with_name(target.name + ".lock")
    try:
        lock, lock_created, made = _lock_file(lock_path)
    except OSError as err:
        raise WarehouseUnavailable(
            f"cannot write the warehouse at {target}: {err.strerror or err}"
        ) from err
    staging = target.with_name(f"{target.name}.{os.getpid()}.staging")
    spare = delta.spare_path(target)
    previous = target.with_name(target.name + ".previous")
    con = None
    work = staging
    try:
        # Holding the lock, no other writer is at work: any staging file is a killed writer's.
        for leftover in (
            *target.parent.glob(f"{target.name}.*.staging*"),
            previous,
            *target.parent.glob(f"{target.name}{delta.NOTE_SUFFIX}.*.tmp"),
        ):
            leftover.unlink(missing_ok=True)
        try:
            # Asked under the lock: another writer may have created the target while we waited.
            existed = target.exists()
            started = time.perf_counter()
            LAST_WRITE.clear()
            if existed and not fresh:
                con = _open_spare(target)
            if con is not None:
                work = spare
                how = "the spare brought up to date"
            else:
                if existed and not fresh:
                    shutil.copyfile(target, staging)
                con = connect(staging)
                how = "a copy of the whole file" if existed and not fresh else "a new file"
            LAST_WRITE.update(file=how, seconds=time.perf_counter() - started)
        except OSError as err:
            raise WarehouseUnavailable(
                f"cannot prepare a copy of the warehouse next to {target}: {err.strerror or err}"
            ) from err
        yield con
        if existed or keep_empty or not _holds_nothing(con):
            written = delta.taken(con) if existed and not fresh else None
            con.execute("checkpoint")
            con.close()
            con = None
            if written is not None:
                # the file replaced becomes the spare: linked first, so that the target's name
                # always names a complete file
                os.link(target, previous)
                os.replace(work, target)
                os.replace(previous, spare)
                _fsync_dir(target.parent)
                delta.write_note(target, written)
                # the new figures are in place; still holding the lock, bring the file just
                # replaced up to date for the next writer, off the path to them
                # (the write has landed: nothing here may fail it)
                started = time.perf_counter()
                try:
                    ready = _ready_spare(target)
                except Exception:
                    _drop_spare(target)
                    ready = False
                LAST_WRITE.update(ready=ready, ready_seconds=time.perf_counter() - started)
            else:
                os.replace(work, target)
                _drop_spare(target)
            _fsync_dir(target.parent)
    finally:
        if con is not None:
            con.close()
        if work == staging:
            for leftover in (staging, Path(f"{staging}.wal")):
                leftover.unlink(missing_ok=True)
        elif work.exists() and delta.read_note(target) is None:
            _drop_spare(target)  # written in part: no use to the next writer
        # No warehouse came of it and this call created the lock file: remove it, while still
        # holding the lock. Safe for the other writers: one that opened this file meanwhile and
        # waits for it finds, once it holds it, that the file at lock_path is no longer the one it
        # locked and locks the current one instead (_lock_file), so no two writers ever hold
        # locks on two different files at once. A lock file that was there before is kept (an
        # earlier writer's, maybe of a warehouse someone removed), and so is this one once the
        # target exists: from then on writers of that warehouse share it.
        removed = lock_created and not target.exists()
        if removed:
            lock_path.unlink(missing_ok=True)
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()
        if removed:
            for folder in made:  # innermost first; a folder someone else put a file in stays
                with suppress(OSError):
                    folder.rmdir()


# How the last write in this process prepared its file ("file": how, "seconds"), for the command
# line's report and the benchmark.
LAST_WRITE: dict[str, object] = {}
# How long a writer waits for readers to let go of the spare before it copies the whole file.
SPARE_WAIT_SECONDS = 3.0


def _open_spare(target: Path) -> duckdb.DuckDBPyConnection | None:
    """A read-write connection to the spare brought up to date with `target` (data.delta), or None
    (no usable spare: the caller copies the whole file). The note goes first: from here on the
    spare may change, and a crash must not leave a note that vouches for it."""
    from data import delta

    note = delta.read_note(target)
    delta.note_path(target).unlink(missing_ok=True)
    _fsync_dir(target.parent)
    spare = delta.spare_path(target)
    if note is None:
        _drop_spare(target)
        return None
    config = {"memory_limit": os.environ.get("RISK_MEMORY_LIMIT", "12GB")}
    deadline = time.monotonic() + SPARE_WAIT_SECONDS
    con = None
    while con is None:
        # a dashboard in another process that still has it open holds DuckDB's lock on it; this
        # process's own readers do not, so they are looked for in /proc
        if not delta.open_in_this_process(spare):
            try:
                con = duckdb.connect(str(spare), config=config)
                break
            except (duckdb.IOException, duckdb.ConnectionException):
                pass
        if time.monotonic() > deadline:
            LAST_WRITE["spare_refused"] = "a reader still held it"
            return None  # the spare stays as it is; this write's swap replaces it
        time.sleep(0.05)
    try:
        delta.catch_up(con, target, note)
        migrate(con)
    except (duckdb.Error, delta.SpareRefused, OSError) as err:
        LAST_WRITE["spare_refused"] = f"{type(err).__name__}: {err}"[:300]
        con.close()
        _drop_spare(target)
        return None
    return con


def _ready_spare(target: Path) -> bool:
    """Bring the spare (the file a write just replaced) up to date with the warehouse now, after
    the swap, and note that it needs nothing more: the next writer then finds it ready, and the
    catch-up's seconds are not on the way to that writer's new figures. False when it could not
    be done: the spare and its note are then as `_open_spare` leaves them on a refusal (dropped),
    or as they were when a reader still holds the spare (the next writer tries again)."""
    from data import delta

    note = delta.read_note(target)
    if note is None:
        return False
    con = _open_spare(target)
    if con is None:
        spare = delta.spare_path(target)
        if spare.exists() and delta.stat_of(spare) == note["spare"]:
            # untouched (a reader held it): the note still says how to bring it up to date
            delta.write_note(target, {k: note[k] for k in delta.WRITTEN_KEYS})
        return False
    try:
        con.execute("checkpoint")
    finally:
        con.close()
    delta.write_note(target, delta.NOTHING_WRITTEN)
    _fsync_dir(target.parent)
    return True


def _drop_spare(target: Path) -> None:
    """Remove the spare, its write-ahead log and its note (a reader that has it open keeps it)."""
    from data import delta

    spare = delta.spare_path(target)
    for leftover in (delta.note_path(target), spare, Path(f"{spare}.wal")):
        leftover.unlink(missing_ok=True)


def _lock_file(path: Path) -> tuple[IO[str], bool, list[Path]]:
    """`path` opened and exclusively locked (flock): (file, whether this call created it, the
    folders this call created for it, innermost first).

    A writer that created the lock file and wrote no warehouse removes it again while holding it
    (see `writing`). A writer that opened the file before that wakes up holding a lock on a file
    no longer at `path`, which a later writer would not see; so after locking, the file at `path`
    must still be the one locked (same device and inode), or the lock is taken again on the
    current file (created anew when it is gone). Its folder may have been removed the same way:
    it is created again. (A writer running code from before this rule does not check; only
    during an upgrade could it overlap with a writer that removes its lock file.)
    """
    made: list[Path] = []
    for _ in range(1000):  # each retry means another writer removed the file or folder meanwhile
        missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
        if missing:
            path.parent.mkdir(parents=True, exist_ok=True)
            made += [p for p in missing if p not in made]
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            created = True
        except FileExistsError:
            try:
                fd = os.open(path, os.O_WRONLY)
            except FileNotFoundError:
                continue  # removed in between: create it
            created = False
        except FileNotFoundError:
            continue  # the folder was removed in between: create it again
        lock = os.fdopen(fd, "w")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            held = os.fstat(fd)
            current = os.stat(path)
        except FileNotFoundError:
            lock.close()
            continue
        except BaseException:
            lock.close()
            raise
        if (held.st_dev, held.st_ino) == (current.st_dev, current.st_ino):
            return lock, created, made
        lock.close()  # locked a file another writer removed: lock the one at `path` now
    raise OSError(errno.EAGAIN, "the lock file keeps disappearing", str(path))


def _holds_nothing(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the database of `con` is what `connect` makes of a new file: the same tables,
    none with a row, warehouse_state as migrated (no load, build or setting written)."""
    counts = table_counts(con)
    if any(n for name, n in counts.items() if name not in ("schema_version", "warehouse_state")):
        return False
    pristine = duckdb.connect(":memory:")
    try:
        migrate(pristine)
        if set(table_counts(pristine)) != set(counts):
            return False
        state = "select * from warehouse_state"
        return con.sql(state).fetchall() == pristine.sql(state).fetchall()
    finally:
        pristine.close()


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable, not only the file's content.
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def file_version(path: str | os.PathLike[str] | None = None) -> tuple[int, int] | None:
    """(inode, mtime_ns) of the warehouse file: changes whenever a writer swaps a new one in."""
    try:
        st = db_path(path).stat()
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns
