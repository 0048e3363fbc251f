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


@pytest.mark.parametrize("command", ["info", "build", "ingest"])
@pytest.mark.parametrize("kind", ["text file", "folder"])
def test_db_that_is_no_warehouse_is_one_line_and_exit_2(tmp_path, folder, command, kind):
    db = tmp_path / "not-a-warehouse"
    if kind == "folder":
        db.mkdir()
    else:
        db.write_text("hello\n")
    extra = [str(folder), "--no-build"] if command == "ingest" else []
    done = run_cli(command, *extra, "--db", str(db))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    expected = "is a folder, not a warehouse file" if kind == "folder" else "is not a DuckDB"
    assert expected in done.stderr
    if kind == "text file":
        assert db.read_text() == "hello\n"


def test_demo_refuses_to_replace_a_file_that_is_no_warehouse_unless_forced(tmp_path, capsys):
    notes = tmp_path / "notes.txt"
    notes.write_text("keep me\n")
    assert main(["demo", "--db", str(notes), "--customers", "10", "--quiet"]) == 2
    assert "exists and is not a warehouse" in capsys.readouterr().err
    assert notes.read_text() == "keep me\n"
    assert main(["demo", "--db", str(notes), "--customers", "10", "--quiet", "--force"]) == 0
    assert warehouse.is_warehouse(notes)


def test_db_symlink_is_written_through_to_its_target(tmp_path, folder):
    target = tmp_path / "real.duckdb"
    warehouse.connect(target).close()
    link = tmp_path / "link.duckdb"
    link.symlink_to(target)
    assert main(["ingest", str(folder), "--db", str(link), "--quiet", "--no-build"]) == 0
    assert link.is_symlink() and link.resolve() == target
    con = warehouse.connect(target, read_only=True)
    assert warehouse.table_counts(con)["customers"] == 3
    con.close()


def test_ingest_folder_does_not_follow_links_nor_print_file_content(tmp_path, folder):
    secret = tmp_path / "outside.csv"
    secret.write_text("root:x:0:0:secret-first-line\n")
    (folder / "risk_events.csv").unlink()
    (folder / "risk_events.csv").symlink_to(secret)
    long_value = "\x1b[31m" + "9" * 100
    (folder / "payments.csv").write_text(
        sample_files.PAYMENTS + f"P9,K1,{long_value},10,,0\n", encoding="utf-8"
    )
    done = run_cli("ingest", str(folder), "--db", str(tmp_path / "w.duckdb"), "--no-build")
    assert done.returncode == 2
    assert "risk_events.csv: a symbolic link, not followed" in done.stdout
    assert "secret-first-line" not in done.stdout and "\x1b" not in done.stdout
    assert "(value: '\\x1b[31m" + "9" * 31 + "…')" in done.stdout  # 40 characters


def test_ingest_of_a_wide_file_is_refused_briefly(tmp_path):
    from benchmarks.hostile_files import csv_wide

    wide = tmp_path / "customers.csv"
    wide.write_bytes(csv_wide(20_000))
    done = run_cli("ingest", str(wide), "--db", str(tmp_path / "w.duckdb"), "--no-build")
    assert done.returncode == 2
    assert "20,000 columns, more than the limit of 1,000" in done.stdout
    assert len(done.stdout) < 600
