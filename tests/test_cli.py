"""The command line as a user runs it: exit codes 0 / 1 / 2 and the messages that go with them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from commands.cli import main
from data import warehouse
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
        "[partial] " in done.stdout
        and "payments: 5 rows read, 4 accepted, 1 rejected" in done.stdout
    )
    assert (
        "  payments.csv, column due_on: not a valid date in ISO format YYYY-MM-DD — 1 row: "
        "row 5 '2024-13-01'\n" in done.stdout
    )
    assert "Kept in the quarantine table: 1 rejected row" in done.stdout
    con = warehouse.connect(db, read_only=True)
    assert warehouse.table_counts(con)["payments"] == 4
    assert warehouse.table_counts(con)["quarantine"] == 1
    con.close()


def test_ingest_exit_2_when_a_file_is_refused_and_no_file_is_left_behind(tmp_path):
    bad = tmp_path / "customers.csv"
    bad.write_text("customer_id,name\nC1,Acme\n", encoding="utf-8")
    db = tmp_path / "new" / "w.duckdb"
    done = run_cli("ingest", str(bad), "--db", str(db), "--no-build")
    assert done.returncode == 2
    assert "[rejected] " in done.stdout
    assert "missing required column(s) for customers" in done.stdout
    assert f"nothing changed: of 1 file, 1 refused; no warehouse was created at {db}" in done.stdout
    # no warehouse, staging or lock file, nor the folder made for them
    assert list(tmp_path.iterdir()) == [bad]


def test_ingest_exit_2_when_every_row_of_every_file_is_rejected(tmp_path, folder):
    db = tmp_path / "w.duckdb"
    assert run_cli("ingest", str(folder), "--db", str(db), "--no-build").returncode == 0
    before = db.read_bytes()
    bad = tmp_path / "more" / "payments.csv"
    bad.parent.mkdir()
    bad.write_text(
        "payment_id,contract_id,due_on,amount_due,paid_on,amount_paid\n"
        'Q1,K1,2024/05/01,100,,0\nQ2,K1,2024-05-01,"1,000",,0\n',
        encoding="utf-8",
    )
    done = run_cli("ingest", str(bad), "--db", str(db), "--no-build")
    assert done.returncode == 2, done.stdout
    assert (
        "[nothing loaded] " in done.stdout and "2 rows read, 0 accepted, 2 rejected" in done.stdout
    )
    assert (
        "column due_on: not a valid date in ISO format YYYY-MM-DD — 1 row: row 1 '2024/05/01'"
        in done.stdout
    )
    assert "column amount_due: not a plain number" in done.stdout
    assert (
        "nothing changed: of 1 file, 1 with every row rejected; the warehouse is as it was."
        in done.stdout
    )
    assert db.read_bytes() == before  # not even swapped


def test_ingest_exit_2_when_everything_was_loaded_before_and_0_with_one_new_file(tmp_path, folder):
    db = tmp_path / "w.duckdb"
    assert run_cli("ingest", str(folder), "--db", str(db), "--no-build").returncode == 0
    again = run_cli("ingest", str(folder), "--db", str(db), "--no-build")
    assert again.returncode == 2
    assert again.stdout.count("[duplicate] ") == 4
    assert (
        "nothing changed: of 4 files, 4 already loaded; the warehouse is as it was." in again.stdout
    )
    (folder / "risk_events.csv").write_text(
        sample_files.RISK_EVENTS + "E3,C2,2024-07-01,legal,litigation,2,news,\n", encoding="utf-8"
    )
    mixed = run_cli("ingest", str(folder), "--db", str(db), "--no-build")
    assert mixed.returncode == 0, mixed.stdout
    assert mixed.stdout.count("[duplicate] ") == 3 and "[loaded] " in mixed.stdout


def test_ingest_of_a_header_only_file_loads_0_rows(tmp_path, folder):
    (folder / "risk_events.csv").write_text(
        sample_files.RISK_EVENTS.splitlines()[0] + "\n", encoding="utf-8"
    )
    done = run_cli("ingest", str(folder), "--db", str(tmp_path / "w.duckdb"), "--no-build")
    assert done.returncode == 0, done.stdout
    assert (
        "[loaded] " in done.stdout
        and "risk_events: 0 rows read, 0 accepted, 0 rejected" in done.stdout
    )


def test_ingest_groups_many_failures_by_rule_and_column(tmp_path, folder):
    # 7 398 failing cells used to be 7 398 lines; grouped they are two
    lines = [sample_files.PAYMENTS.rstrip("\n")]
    lines += [f'Q{i},K1,2024/05/01,"1,000",,0' for i in range(3699)]
    (folder / "payments.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run_cli("ingest", str(folder), "--db", str(tmp_path / "w.duckdb"), "--no-build")
    assert done.returncode == 1
    assert "7,398 failures in 3,699 rows, by rule and column (2 groups" in done.stdout
    groups = [line for line in done.stdout.splitlines() if line.startswith("  payments.csv")]
    assert groups == [
        "  payments.csv, column amount_due: not a plain number (no thousands separators, currency "
        "symbols or text) — 3,699 rows: row 5 '1,000', row 6 '1,000', row 7 '1,000'",
        "  payments.csv, column due_on: not a valid date in ISO format YYYY-MM-DD — 3,699 rows: "
        "row 5 '2024/05/01', row 6 '2024/05/01', row 7 '2024/05/01'",
    ]
    assert len(done.stdout.splitlines()) < 15


def test_progress_in_a_log_is_one_plain_line_per_step(tmp_path, folder):
    # stderr is a pipe here, not a terminal: no bar, no carriage return
    done = subprocess.run(
        [sys.executable, "-m", "data", "ingest", str(folder), "--db", str(tmp_path / "w.duckdb")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stderr and "\x1b" not in done.stderr
    lines = done.stderr.splitlines()
    assert "validating customers.csv (1/4)" in lines
    assert "validating risk_events.csv (4/4)" in lines
    assert "writing payments.csv (3/4)" in lines
    assert any(line.startswith("build ") for line in lines)
    assert len(lines) == len(set(lines))  # a step is written once
    quiet = run_cli("ingest", str(folder), "--db", str(tmp_path / "w2.duckdb"), "--no-build")
    assert quiet.stderr == ""


def test_progress_on_a_terminal_draws_a_bar(monkeypatch, capsys):
    from commands.cli import progress_bar

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    with progress_bar() as progress:
        progress("validating payments.csv", 1, 2)
        progress("validating customers.csv", 2, 2)
    assert "\r" in capsys.readouterr().err


def test_missing_path_and_unwritable_warehouse_exit_2(tmp_path, folder, capsys):
    assert (
        main(["ingest", str(tmp_path / "nope.csv"), "--db", str(tmp_path / "w.duckdb"), "--quiet"])
        == 2
    )
    assert "no such file or folder" in capsys.readouterr().out
    assert not (tmp_path / "w.duckdb").exists() and not (tmp_path / "w.duckdb.lock").exists()
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


@pytest.mark.parametrize("command", ["demo", "ingest", "build", "info", "quarantine"])
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
    assert done.returncode == 1  # the link is refused, the other files load
    assert "risk_events.csv: a symbolic link, not followed" in done.stdout
    assert "secret-first-line" not in done.stdout and "\x1b" not in done.stdout
    assert "row 5 '\\x1b[31m" + "9" * 31 + "…'" in done.stdout  # 40 characters


def test_ingest_of_a_wide_file_is_refused_briefly(tmp_path):
    from benchmarks.hostile_files import csv_wide

    wide = tmp_path / "customers.csv"
    wide.write_bytes(csv_wide(20_000))
    done = run_cli("ingest", str(wide), "--db", str(tmp_path / "w.duckdb"), "--no-build")
    assert done.returncode == 2
    assert "20,000 columns, more than the limit of 1,000" in done.stdout
    assert len(done.stdout) < 600


@pytest.fixture
def quarantined(tmp_path, folder):
    """A warehouse whose quarantine holds rejected payments (two rules) and customers (one)."""
    (folder / "payments.csv").write_text(
        sample_files.PAYMENTS
        + "Q1,K1,2024/05/01,100,,0\n"
        + 'Q2,K1,2024-05-01,"1,000",,0\n'
        + "Q3,K1,2024/05/03,100,,0\n"
        + "Q4,K1,2024/05/04,=1+1,,0\n",
        encoding="utf-8",
    )
    (folder / "customers.csv").write_text(
        sample_files.CUSTOMERS + "C9,Bad Rating Ltd,Retail,East,Mid,2024-01-01,,ZZ,10,Li,active\n",
        encoding="utf-8",
    )
    db = tmp_path / "w.duckdb"
    assert main(["ingest", str(folder), "--db", str(db), "--quiet", "--no-build"]) == 1
    return db


def test_quarantine_lists_groups_with_filters(quarantined, capsys):
    assert main(["quarantine", "--db", str(quarantined)]) == 0
    out = capsys.readouterr().out
    assert "6 quarantined failures in " in out and "(3 groups, newest load first)" in out
    assert (
        "  [payments] payments.csv, column due_on: not a valid date in ISO format YYYY-MM-DD — "
        "3 rows: row 5 of load #3 '2024/05/01', row 7 of load #3 '2024/05/03', "
        "row 8 of load #3 '2024/05/04'\n" in out
    )
    assert "[customers] customers.csv, column external_rating: must be one of" in out
    # by rule code, by part of the rule's text, by file name and by table
    assert main(["quarantine", "--db", str(quarantined), "--rule", "not_a_number"]) == 0
    out = capsys.readouterr().out
    assert "2 quarantined failures matching rule 'not_a_number'" in out
    assert "column amount_due: not a plain number" in out and "due_on" not in out
    assert main(["quarantine", "--db", str(quarantined), "--rule", "iso FORMAT"]) == 0
    assert "3 quarantined failures" in capsys.readouterr().out
    assert main(["quarantine", "--db", str(quarantined), "--rule", "one_of"]) == 0
    assert "1 quarantined failure matching" in capsys.readouterr().out
    assert main(["quarantine", "--db", str(quarantined), "--file", "customers.csv"]) == 0
    out = capsys.readouterr().out
    assert "1 quarantined failure matching file 'customers.csv'" in out and "payments" not in out
    assert main(["quarantine", "--db", str(quarantined), "--table", "payments", "--rule", "%"]) == 0
    assert "no quarantined rows matching rule '%', table 'payments'" in capsys.readouterr().out


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_quarantine_export_writes_the_matching_rows(quarantined, tmp_path, capsys, suffix):
    import polars as pl

    path = tmp_path / f"rejected{suffix}"
    code = main(
        ["quarantine", "--db", str(quarantined), "--table", "payments", "--export", str(path)]
    )
    assert code == 0
    assert f"5 rows written to {path}" in capsys.readouterr().out
    con = warehouse.connect(quarantined, read_only=True)
    expected = con.sql(
        "select * from quarantine where table_name = 'payments' "
        "order by load_id, row_number, column_name, rule"
    ).pl()
    con.close()
    if suffix == ".parquet":
        exported = pl.read_parquet(path)
        assert exported.equals(expected)
    else:
        exported = pl.read_csv(path.read_bytes().removeprefix(b"\xef\xbb\xbf"), infer_schema=False)
        assert exported.columns == expected.columns
        assert exported["row_number"].cast(pl.Int32).to_list() == expected["row_number"].to_list()
        assert exported["rule"].to_list() == expected["rule"].to_list()
        assert exported["row_data"].to_list() == expected["row_data"].to_list()
        # a value a spreadsheet would run as a formula is neutralised, the others are as stored
        values = expected["value"].to_list()
        assert "=1+1" in values
        assert exported["value"].to_list() == [
            "'" + v if v and v.startswith("=") else v for v in values
        ]


def test_quarantine_export_refuses_other_suffixes_and_missing_warehouses(tmp_path, quarantined):
    done = run_cli("quarantine", "--db", str(quarantined), "--export", str(tmp_path / "q.xlsx"))
    assert done.returncode == 2
    assert (
        "cannot export to q.xlsx: unsupported file type .xlsx; use .csv or .parquet" in done.stderr
    )
    assert not (tmp_path / "q.xlsx").exists()
    done = run_cli("quarantine", "--db", str(tmp_path / "none.duckdb"))
    assert done.returncode == 2 and "no warehouse" in done.stderr
    assert not (tmp_path / "none.duckdb").exists()
