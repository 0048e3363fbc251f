"""The command line as a user runs it: exit codes 0 / 1 / 2 and the messages that go with them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from data import warehouse
from data.__main__ import main
from tests import sample_files


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "data", *args, "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def folder(tmp_path):
    extract = tmp_path / "extract"
    extract.mkdir()
    sample_files.write_all(extract)
    return extract


def test_ingest_exit_0_when_everything_loads(tmp_path, folder):
    db = tmp_path / "w.duckdb"
    done = run_cli("ingest", str(folder), "--db", str(db), "--no-build")
    assert done.returncode == 0, done.stderr
    assert (
        "[loaded]" in done.stdout
        and "customers: 3 rows read, 3 accepted, 0 rejected" in done.stdout
    )


def test_ingest_exit_1_when_some_rows_are_rejected(tmp_path, folder):
    (folder / "payments.csv").write_text(
        sample_files.PAYMENTS + "P9,K1,2024-13-01,10,,0\n", encoding="utf-8"
    )
    db = tmp_path / "w.duckdb"
    done = run_cli("ingest", str(folder), "--db", str(db), "--no-build")
    assert done.returncode == 1, done.stderr
    assert (
        "payments.csv row 5, column due_on: not a valid date in ISO format YYYY-MM-DD (value: '2024-13-01')"
        in done.stdout
    )
    con = warehouse.connect(db, read_only=True)
    assert warehouse.table_counts(con)["payments"] == 4
    assert warehouse.table_counts(con)["quarantine"] == 1
    con.close()


def test_ingest_exit_2_when_a_file_is_refused(tmp_path):
    bad = tmp_path / "customers.csv"
    bad.write_text("customer_id,name\nC1,Acme\n", encoding="utf-8")
    done = run_cli("ingest", str(bad), "--db", str(tmp_path / "w.duckdb"), "--no-build")
    assert done.returncode == 2
    assert "missing required column(s) for customers" in done.stdout


def test_missing_path_and_unwritable_warehouse_exit_2(tmp_path, folder, capsys):
    assert (
        main(["ingest", str(tmp_path / "nope.csv"), "--db", str(tmp_path / "w.duckdb"), "--quiet"])
        == 2
    )
    assert "no such file or folder" in capsys.readouterr().out
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    code = main(["ingest", str(folder), "--db", str(blocked / "w.duckdb"), "--quiet", "--no-build"])
    assert code == 2
    assert "cannot write the warehouse" in capsys.readouterr().err


def test_info_without_warehouse_exit_2(tmp_path):
    done = run_cli("info", "--db", str(tmp_path / "none.duckdb"))
    assert done.returncode == 2
    assert "no warehouse" in done.stderr


def test_bad_arguments_exit_2(tmp_path):
    done = run_cli("demo", "--customers", "3", "--db", str(tmp_path / "w.duckdb"))
    assert done.returncode == 2
    done = run_cli("build", "--as-of", "31/10/2026", "--db", str(tmp_path / "w.duckdb"))
    assert done.returncode == 2
    assert "not a date in YYYY-MM-DD format" in done.stderr


@pytest.mark.parametrize("command", ["demo", "ingest", "build", "info"])
def test_help_for_each_command(command):
    done = subprocess.run(
        [sys.executable, "-m", "data", command, "--help"], capture_output=True, text=True
    )
    assert done.returncode == 0
    assert "--db" in done.stdout
