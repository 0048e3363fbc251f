"""Loading while the dashboard reads: every read sees the old or the new state, never a mix or an
error, and the reader sees the new state without a restart."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

from commands.cli import main
from dashboard.access import holder, release_all
from data import warehouse
from tests import sample_files


def read_state(con) -> tuple:
    """What a page would see: customer count, a digest of customers, payments count, load version."""
    cursor = con.cursor()
    try:
        return cursor.sql(
            "select (select count(*) from customers), (select sum(hash(c))::hugeint from customers c), "
            "(select count(*) from payments), (select load_version from warehouse_state)"
        ).fetchall()[0]
    finally:
        cursor.close()


def test_reads_during_ingest_and_build_are_old_or_new_never_mixed(tmp_path):
    folder = tmp_path / "extract"
    folder.mkdir()
    sample_files.write_all(folder)
    db = tmp_path / "w.duckdb"
    assert main(["ingest", str(folder), "--db", str(db), "--quiet"]) == 0
    more = tmp_path / "more"
    more.mkdir()
    (more / "customers.csv").write_text(
        sample_files.CUSTOMERS.splitlines()[0]
        + "\n"
        + "\n".join(
            f"M{i},Customer {i},Retail,East,Mid,2024-01-01,,BBB,1000,Li,active" for i in range(2000)
        )
        + "\n"
    )
    (more / "payments.csv").write_text(
        "payment_id,contract_id,due_on,amount_due,paid_on,amount_paid\n"
        + "\n".join(f"MP{i},K1,2024-06-01,10,,0" for i in range(5000))
        + "\n"
    )
    reader = holder(str(db))
    with reader.connection() as con:
        old = read_state(con)
    seen: list[tuple] = []
    errors: list[str] = []
    stop = threading.Event()

    def keep_reading() -> None:
        while not stop.is_set():
            try:
                with reader.connection() as con:
                    seen.append(read_state(con))
            except Exception as err:  # noqa: BLE001 - every failure is a test failure
                errors.append(repr(err))
            time.sleep(0.005)

    thread = threading.Thread(target=keep_reading)
    thread.start()
    try:
        loading = subprocess.run(
            [sys.executable, "-m", "data", "ingest", str(more), "--db", str(db), "--quiet"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert loading.returncode == 0, loading.stdout + loading.stderr
        time.sleep(0.2)
        with reader.connection() as con:
            after_load = read_state(con)
        building = subprocess.run(
            [sys.executable, "-m", "data", "build", "--db", str(db), "--quiet"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert building.returncode == 0, building.stderr
        time.sleep(0.2)
    finally:
        stop.set()
        thread.join()
    with reader.connection() as con:
        after_build = read_state(con)
    release_all()
    assert not errors, errors[:3]
    assert len(seen) > 20
    # The load adds 2 000 customers and 5 000 payments together; the build changes neither.
    assert after_load[0] == old[0] + 2000 and after_load[2] == old[2] + 5000
    assert after_build[:3] == after_load[:3] and after_build[3] > after_load[3]
    allowed = {old, after_load, after_build}
    assert set(seen) <= allowed, set(seen) - allowed
    assert seen[-1] == after_build
    # The dashboard's reader saw the new file without being restarted.
    con = warehouse.connect(db, read_only=True)
    assert read_state(con) == after_build
    con.close()
