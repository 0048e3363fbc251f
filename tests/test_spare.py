"""The spare file (data.delta, data.warehouse.writing): a load after a load brings the file the
previous one replaced up to date with that load's changes instead of copying the whole warehouse.

The promise is checked directly (the spare, caught up, equals the current file in every table,
tests/spare_helpers.py; test_incremental.py checks it after each of its loads too) and through
its effects: a load on the spare gives the same warehouse as a load on a copy, and every doubt
(no note, a file changed behind the writer's back, a reader still holding the spare, a kill in the
middle) falls back to the copy, with the previous warehouse intact.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest

from data import delta, warehouse
from data.ingest import load_files
from tests.spare_helpers import assert_spare_catches_up
from tests.test_incremental import (
    AS_OF,
    contract_changes,
    customer_changes,
    events,
    read,
    reviews,
    settle,
    write,
    write_offs,
)

ROOT = Path(__file__).resolve().parent.parent
SPARE = "the spare brought up to date"
COPY = "a copy of the whole file"
# columns that hold the moment of a write: two writes of the same rows differ only there
MOMENTS = {"loaded_at", "built_at"}


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    from data.demo import build_demo

    path = tmp_path_factory.mktemp("spare-base") / "warehouse.duckdb"
    build_demo(path, scenario="manufacturer", customers=120, seed=13)
    return path


@pytest.fixture
def db(tmp_path, base) -> Path:
    path = tmp_path / "w" / "warehouse.duckdb"
    path.parent.mkdir()
    shutil.copyfile(base, path)
    return path


def load(db: Path, folder: Path, expect: str | None = None, **options) -> str:
    with warehouse.writing(db) as con:
        result = load_files(con, [folder], **options)
    if expect is not None:
        assert warehouse.LAST_WRITE["file"] == expect
    return result


def day(db: Path, folder: Path, offset: int, seed: int) -> Path:
    on = AS_OF + timedelta(days=offset)
    frames = read(
        db,
        lambda con: {
            "payments": settle(con, 5, on, seed),
            "risk_events": events(con, 3, on, seed),
            "credit_reviews": reviews(con, 2, on, seed),
        },
    )
    return write(folder / f"day{offset}-{seed}", frames)


def tables(db: Path) -> dict[str, pl.DataFrame]:
    """Every table's rows in one order, without the moments of writing."""
    found = {}
    with warehouse.connect(db, read_only=True) as con:
        for name in warehouse.table_counts(con):
            frame = con.sql(f'select * from "{name}"').pl()  # noqa: S608 - the catalogue's names
            frame = frame.drop([c for c in frame.columns if c in MOMENTS])
            found[name] = frame.sort(
                [c for c, t in frame.schema.items() if not t.is_nested()], nulls_last=True
            )
    return found


def test_a_second_load_takes_the_spare_and_gives_what_a_copy_gives(db, tmp_path):
    other = tmp_path / "copied" / "warehouse.duckdb"
    other.parent.mkdir()
    shutil.copyfile(db, other)
    first = day(db, tmp_path, 2, seed=1)
    load(db, first, expect=COPY)  # after a build there is no spare: the file is copied
    load(other, first, expect=COPY)
    assert sorted(p.name for p in db.parent.iterdir()) == [
        "warehouse.duckdb",
        "warehouse.duckdb.lock",
        "warehouse.duckdb.spare",
        "warehouse.duckdb.spare.json",
    ]
    second = day(db, tmp_path, 3, seed=2)
    load(db, second, expect=SPARE)
    delta.note_path(other).unlink()  # the same load on a copy
    load(other, second, expect=COPY)
    mine, theirs = tables(db), tables(other)
    assert mine.keys() == theirs.keys()
    for name in mine:
        assert mine[name].equals(theirs[name]), name
    with warehouse.connect(db, read_only=True) as con:  # the second day reached the figures
        loads = con.sql("select count(*) from load_history").fetchall()[0][0]
    assert loads == len(theirs["load_history"])


def test_after_every_kind_of_write_the_caught_up_spare_is_the_warehouse(db, tmp_path):
    """A sequence of loads of every kind; after each, the spare caught up equals the warehouse
    in every table exactly, and the next load takes it."""

    def frames(make) -> Path:
        return write(tmp_path / f"load{len(list(tmp_path.glob('load*')))}", read(db, make))

    late = AS_OF - timedelta(days=200)
    loads = [
        ("a day", day(db, tmp_path, 1, seed=3), {}),
        ("a late correction", frames(lambda con: {"payments": settle(con, 4, late, 5)}), {}),
        (
            "customers and contracts",
            frames(
                lambda con: {
                    "customers": customer_changes(con, 3),
                    "contracts": contract_changes(con),
                }
            ),
            {},
        ),
        ("write-offs", frames(lambda con: {"adjustments": write_offs(con, 3, late, 2)}), {}),
        ("another day", day(db, tmp_path, 4, seed=4), {}),
        ("without a build", day(db, tmp_path, 5, seed=6), {"rebuild": False}),
    ]
    taken = []
    for name, folder, options in loads:
        load(db, folder, **options)
        taken.append(warehouse.LAST_WRITE["file"])
        assert assert_spare_catches_up(db, tmp_path), name
    # the first one copies (no spare after a build), every later one takes the spare
    assert taken == [COPY] + [SPARE] * (len(loads) - 1), taken
    # the load after one without a build builds in full: as fast to copy then, no note is kept
    assert "full" in load(db, day(db, tmp_path, 6, seed=7), expect=SPARE).built.mode
    assert not assert_spare_catches_up(db, tmp_path)
    assert not delta.spare_path(db).exists()
    # a file of which every row is refused changes nothing, and the spare stays usable
    refused = tmp_path / "refused"
    refused.mkdir()
    (refused / "risk_events.csv").write_text("event_id,customer_id\nE1,nobody\n", encoding="utf-8")
    with warehouse.connect(db, read_only=True) as con:
        before = warehouse.checksum(con)
    result = load(db, refused, expect=COPY)
    assert result.exit_code == 2
    with warehouse.connect(db, read_only=True) as con:
        assert warehouse.checksum(con) == before
    assert assert_spare_catches_up(db, tmp_path)
    # a partly refused file: its rejects are kept in quarantine, on the spare as well
    partial = tmp_path / "partial"
    partial.mkdir()
    good = read(db, lambda con: events(con, 2, AS_OF + timedelta(days=8), 9))
    bad = good.head(1).with_columns(event_id=pl.lit("BAD-1"), severity=pl.lit(99))
    pl.concat([good, bad]).write_csv(partial / "risk_events.csv")
    assert load(db, partial, expect=SPARE).exit_code == 1
    assert assert_spare_catches_up(db, tmp_path)
    with warehouse.connect(db, read_only=True) as con:
        assert con.sql("select count(*) from quarantine").fetchall()[0][0] > 0


def test_a_full_build_drops_the_spare_and_the_next_load_copies(db, tmp_path):
    from data.build import rebuild

    load(db, day(db, tmp_path, 1, seed=1), expect=COPY)
    assert delta.spare_path(db).exists()
    with warehouse.writing(db) as con:
        con.execute("begin transaction")
        rebuild(con)
        con.execute("commit")
    assert not delta.spare_path(db).exists() and not delta.note_path(db).exists()
    load(db, day(db, tmp_path, 2, seed=2), expect=COPY)
    load(db, day(db, tmp_path, 3, seed=3), expect=SPARE)


def test_a_warehouse_replaced_behind_the_writers_back_is_copied(db, tmp_path, base):
    load(db, day(db, tmp_path, 1, seed=1), expect=COPY)
    shutil.copyfile(base, db)  # someone puts another file in place
    assert delta.read_note(db) is None
    load(db, day(db, tmp_path, 2, seed=2), expect=COPY)
    with warehouse.connect(db, read_only=True) as con:
        days = con.sql("select count(*) from load_history").fetchall()[0][0]
    with warehouse.connect(base, read_only=True) as con:
        assert days == con.sql("select count(*) from load_history").fetchall()[0][0] + 3


HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
before = con.sql("select count(*) from load_history").fetchall()[0][0]
print(before, flush=True)
sys.stdin.readline()  # the test loads meanwhile
print(con.sql("select count(*) from load_history").fetchall()[0][0], flush=True)
"""


def test_a_reader_that_still_holds_the_spare_makes_the_writer_copy(db, tmp_path, monkeypatch):
    monkeypatch.setattr(warehouse, "SPARE_WAIT_SECONDS", 0.3)
    load(db, day(db, tmp_path, 1, seed=1), expect=COPY)
    load(db, day(db, tmp_path, 2, seed=2), expect=SPARE)
    # a reader in another process opened the spare when it was the warehouse (it opened the
    # warehouse; the next load made that file the spare)
    reader = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(delta.spare_path(db))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        before = int(reader.stdout.readline())
        load(db, day(db, tmp_path, 3, seed=3), expect=COPY)
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert int(reader.stdout.readline()) == before  # it still reads its complete old state
    finally:
        reader.kill()
        reader.wait()
    assert assert_spare_catches_up(db, tmp_path)
    load(db, day(db, tmp_path, 4, seed=4), expect=SPARE)  # the reader gone, the spare is free


def test_a_connection_of_this_process_to_the_spare_makes_the_writer_copy(db, tmp_path, monkeypatch):
    monkeypatch.setattr(warehouse, "SPARE_WAIT_SECONDS", 0.2)
    load(db, day(db, tmp_path, 1, seed=1), expect=COPY)
    held = warehouse.connect(db, read_only=True)  # a dashboard's connection in this process
    try:
        before = held.sql("select count(*) from load_history").fetchall()[0][0]
        load(db, day(db, tmp_path, 2, seed=2), expect=SPARE)  # the spare is the file before
        load(db, day(db, tmp_path, 3, seed=3), expect=COPY)  # the spare is what `held` reads
        assert held.sql("select count(*) from load_history").fetchall()[0][0] == before
    finally:
        held.close()
    load(db, day(db, tmp_path, 4, seed=4), expect=SPARE)


def test_the_dashboard_lets_go_of_a_replaced_file_while_idle(db, tmp_path):
    from dashboard import access

    load(db, day(db, tmp_path, 1, seed=1), expect=COPY)
    keeper = access.holder(str(db))
    try:
        with keeper.connection() as con:
            con.sql("select count(*) from customers").fetchall()
        assert keeper._con is not None
        load(db, day(db, tmp_path, 2, seed=2), expect=SPARE)
        deadline = time.monotonic() + 30
        while keeper._con is not None and time.monotonic() < deadline:
            time.sleep(0.05)  # the holder's watcher closes it within half a second
        assert keeper._con is None
        load(db, day(db, tmp_path, 3, seed=3), expect=SPARE)
    finally:
        keeper.close()


KILLER = """
import os, signal, sys
import data.runner as runner
point, nth = os.environ["KILL_AT"], int(os.environ.get("KILL_NTH", "1"))
original = runner.Statements.execute
seen = []
def execute(self, con, name, **params):
    if name == point:
        seen.append(name)
        if len(seen) == nth:
            os.kill(os.getpid(), signal.SIGKILL)
    return original(self, con, name, **params)
runner.Statements.execute = execute
runner.execute = runner._STATEMENTS.execute
from commands.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("point", ["spare_keys", "load_upsert_payments", "record_build"])
def test_a_load_killed_while_it_writes_the_spare_leaves_the_warehouse_as_it_was(
    db, tmp_path, point
):
    load(db, day(db, tmp_path, 1, seed=1), expect=COPY)
    folder = day(db, tmp_path, 2, seed=2)
    with warehouse.connect(db, read_only=True) as con:
        before = warehouse.checksum(con)
    killed = subprocess.run(
        [sys.executable, "-c", KILLER, "ingest", str(folder), "--db", str(db), "--quiet"],
        cwd=ROOT,
        env={**os.environ, "KILL_AT": point, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    with warehouse.connect(db, read_only=True) as con:
        assert warehouse.checksum(con) == before
    assert delta.read_note(db) is None  # nothing vouches for the half-written spare
    load(db, folder, expect=COPY)
    assert not Path(f"{delta.spare_path(db)}.wal").exists()
    assert assert_spare_catches_up(db, tmp_path)
    load(db, day(db, tmp_path, 3, seed=3), expect=SPARE)
    assert assert_spare_catches_up(db, tmp_path)


def test_a_load_killed_after_its_swap_keeps_its_figures_and_the_next_load_copies(db, tmp_path):
    """After the swap the writer brings the file it replaced up to date for the next load (the
    second catch-up of the run: the first readied its own spare); a kill there loses nothing."""
    load(db, day(db, tmp_path, 1, seed=1), expect=COPY)
    assert warehouse.LAST_WRITE["ready"] is True
    folder = day(db, tmp_path, 2, seed=2)
    with warehouse.connect(db, read_only=True) as con:
        loads = con.sql("select count(*) from load_history").fetchall()[0][0]
    killed = subprocess.run(
        [sys.executable, "-c", KILLER, "ingest", str(folder), "--db", str(db), "--quiet"],
        cwd=ROOT,
        env={**os.environ, "KILL_AT": "spare_keys", "KILL_NTH": "2", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    files = len(list(folder.glob("*.csv")))  # one load_history row each
    with warehouse.connect(db, read_only=True) as con:  # the day's load is in place
        assert con.sql("select count(*) from load_history").fetchall()[0][0] == loads + files
    assert delta.read_note(db) is None  # nothing vouches for the half-caught-up spare
    load(db, day(db, tmp_path, 3, seed=3), expect=COPY)
    assert assert_spare_catches_up(db, tmp_path)
    load(db, day(db, tmp_path, 4, seed=4), expect=SPARE)


def test_a_large_file_is_noted_by_customer_and_most_of_the_book_by_no_note(
    db, tmp_path, monkeypatch
):
    monkeypatch.setattr(warehouse, "_ready_spare", lambda target: False)  # keep each load's note
    monkeypatch.setattr(delta, "MAX_NOTED_KEYS", 2)
    load(db, day(db, tmp_path, 1, seed=1), expect=COPY)
    # the day upserts 5 payments and 3 events: more keys than noted, so both by customer
    note = delta.read_note(db)
    assert note["tables"]["payments"] == note["tables"]["risk_events"] == "customers"
    assert "payments" not in note["keys"] and "risk_events" not in note["keys"]
    assert assert_spare_catches_up(db, tmp_path)
    load(db, day(db, tmp_path, 2, seed=2), expect=SPARE)
    assert assert_spare_catches_up(db, tmp_path)
    # more customers touched than a note lists: none is kept, the next writer copies
    monkeypatch.setattr(delta, "MAX_NOTED_CUSTOMERS", 1)
    load(db, day(db, tmp_path, 3, seed=3), expect=SPARE)
    assert delta.read_note(db) is None and not delta.spare_path(db).exists()
    load(db, day(db, tmp_path, 4, seed=4), expect=COPY)


def test_a_catch_up_out_of_memory_under_its_small_limit_runs_again_under_the_writers(
    db, tmp_path, monkeypatch
):
    """At xl the 500 MB limit is too small for the payments' index: the catch-up is rolled back
    and done again with the writer's limit instead of the spare being dropped."""
    monkeypatch.setattr(delta, "CATCH_UP_MEMORY", "1MB")
    shipped = []
    original = delta._ship

    def ship(con, *args):
        shipped.append(con.sql("select current_setting('memory_limit')").fetchall()[0][0])
        return original(con, *args)

    monkeypatch.setattr(delta, "_ship", ship)
    load(db, day(db, tmp_path, 1, seed=1), expect=COPY)
    assert warehouse.LAST_WRITE["ready"] is True, warehouse.LAST_WRITE
    assert len(shipped) == 2 and shipped[0] != shipped[1], shipped  # 1 MB, then the writer's
    load(db, day(db, tmp_path, 2, seed=2), expect=SPARE)
    assert assert_spare_catches_up(db, tmp_path)


def test_a_spare_of_another_schema_version_is_not_caught_up(db, tmp_path):
    load(db, day(db, tmp_path, 1, seed=1), expect=COPY)
    note = delta.read_note(db)
    copy = tmp_path / "other.duckdb"
    shutil.copyfile(delta.spare_path(db), copy)
    con = duckdb.connect(str(copy))
    try:
        con.execute("insert into schema_version values (999, now())")
        with pytest.raises(delta.SpareRefused, match="schema version"):
            delta.catch_up(con, db, note)
    finally:
        con.close()
