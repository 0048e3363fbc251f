"""Faults: a load or a build killed mid-write, a full disk, an unwritable place — the previous
warehouse survives intact and the next load works."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from commands.cli import main
from data import warehouse
from tests import sample_files


def state(db: Path) -> dict[str, str]:
    con = warehouse.connect(db, read_only=True)
    try:
        return warehouse.checksum(con)
    finally:
        con.close()


@pytest.fixture
def loaded(tmp_path) -> Path:
    folder = tmp_path / "extract"
    folder.mkdir()
    sample_files.write_all(folder)
    db = tmp_path / "w.duckdb"
    assert main(["ingest", str(folder), "--db", str(db), "--quiet"]) == 0
    return db


def kill_when_staging(process: subprocess.Popen, db: Path, after: float = 0.5) -> None:
    """SIGKILL the writer once its staging copy exists (it is then mid-write)."""
    started = time.time()
    while not list(db.parent.glob(f"{db.name}.*.staging")):
        assert process.poll() is None, "the writer finished before it could be killed"
        assert time.time() - started < 120
        time.sleep(0.02)
    time.sleep(after)
    assert process.poll() is None, "the writer finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()


def test_load_killed_mid_write_leaves_the_warehouse_as_it_was(loaded, tmp_path):
    before = state(loaded)
    big = tmp_path / "big" / "payments.csv"
    big.parent.mkdir()
    rows = "\n".join(f"Z{i},K1,2024-06-01,{i % 900 + 1},," + "0" for i in range(400_000))
    big.write_text("payment_id,contract_id,due_on,amount_due,paid_on,amount_paid\n" + rows + "\n")
    writer = subprocess.Popen(
        [sys.executable, "-m", "data", "ingest", str(big), "--db", str(loaded), "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    kill_when_staging(writer, loaded)
    assert state(loaded) == before
    # The killed writer's staging file does not stand in the way of the next load.
    events = tmp_path / "next" / "risk_events.csv"
    events.parent.mkdir()
    events.write_text(
        "event_id,customer_id,occurred_on,category,kind,severity,source,note\nE77,C2,2024-06-01,legal,litigation,2,news,\n"
    )
    assert main(["ingest", str(events), "--db", str(loaded), "--quiet", "--no-build"]) == 0
    assert not list(loaded.parent.glob("*.staging*"))


def test_build_killed_mid_write_leaves_the_warehouse_as_it_was(tmp_path):
    db = tmp_path / "demo.duckdb"
    assert main(["demo", "--customers", "3000", "--db", str(db), "--quiet"]) == 0
    before = state(db)
    writer = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "data",
            "build",
            "--as-of",
            "2026-06-30",
            "--db",
            str(db),
            "--quiet",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    kill_when_staging(writer, db, after=0.8)
    assert state(db) == before


def test_disk_full_during_the_copy_is_a_clear_refusal(loaded, tmp_path, monkeypatch, capsys):
    before = state(loaded)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shutil, "copyfile", full)
    events = tmp_path / "risk_events.csv"
    events.write_text(
        "event_id,customer_id,occurred_on,category,kind,severity,source,note\nE77,C2,2024-06-01,legal,litigation,2,news,\n"
    )
    assert main(["ingest", str(events), "--db", str(loaded), "--quiet"]) == 2
    assert "No space left on device" in capsys.readouterr().err
    monkeypatch.undo()
    assert state(loaded) == before


def test_unwritable_place_is_a_clear_refusal(loaded, tmp_path, capsys):
    # A warehouse path whose folder is a file cannot be written, whoever runs the test (root too).
    before = state(loaded)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    folder = tmp_path / "extract"
    assert main(["ingest", str(folder), "--db", str(blocker / "w.duckdb"), "--quiet"]) == 2
    assert "cannot write the warehouse" in capsys.readouterr().err
    assert state(loaded) == before
