"""Ingestion: formats and encodings, upsert, whole-file refusals and failures that change nothing."""

from __future__ import annotations

import io

import polars as pl
import pytest

from data import warehouse
from data.ingest import commit, load_files, prepare
from data.parsing import FileRejected, read_table
from tests import sample_files


@pytest.fixture
def con(tmp_path):
    connection = warehouse.connect(tmp_path / "w.duckdb")
    yield connection
    connection.close()


def load_text(con, files: dict[str, bytes], rebuild: bool = False):
    return commit(con, prepare(con, list(files.items())), rebuild=rebuild)


def base_files() -> dict[str, bytes]:
    return {name: text.encode("utf-8") for name, text in sample_files.ALL.items()}


def test_csv_round_trip_keeps_text_ids_and_values(con):
    result = load_text(con, base_files())
    assert result.exit_code == 0
    assert [r.status for r in result.reports] == ["loaded"] * 4
    assert warehouse.table_counts(con)["payments"] == 4
    # 00123 stays text, Chinese names arrive intact, empty cells become null.
    rows = con.sql(
        "select customer_id, name, annual_revenue from customers order by customer_id"
    ).fetchall()
    assert rows[0] == ("00123", "Acme Trading", 5000000.0)
    assert rows[1] == ("C2", "华东精密机械有限公司", None)
    assert con.sql(
        "select paid_on, amount_paid from payments where payment_id = 'P3'"
    ).fetchall() == [(None, 0.0)]
    history = con.sql(
        "select table_name, rows_accepted, rows_rejected from load_history order by load_id"
    ).fetchall()
    assert history == [
        ("customers", 3, 0),
        ("contracts", 3, 0),
        ("payments", 4, 0),
        ("risk_events", 2, 0),
    ]


def test_files_are_taken_in_dependency_order_whatever_the_input_order(con):
    files = dict(reversed(list(base_files().items())))
    result = load_text(con, files)
    assert [r.table for r in result.reports] == [
        "customers",
        "contracts",
        "payments",
        "risk_events",
    ]
    assert result.exit_code == 0


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-16"])
def test_csv_encodings_decode_chinese_names_intact(con, encoding):
    content = sample_files.CUSTOMERS.encode(encoding)
    result = load_text(con, {"customers.csv": content})
    assert result.exit_code == 0
    assert con.sql("select name from customers where customer_id = 'C2'").fetchall() == [
        ("华东精密机械有限公司",)
    ]
    assert con.sql("select count(*) from customers where customer_id = '00123'").fetchall() == [
        (1,)
    ]


def test_parquet_and_excel_round_trip(con, tmp_path):
    typed = pl.read_csv(
        io.StringIO(sample_files.CUSTOMERS), schema_overrides={"customer_id": pl.String}
    )
    typed = typed.with_columns(pl.col("onboarded_on").str.to_date())
    parquet = io.BytesIO()
    typed.write_parquet(parquet)
    contracts = pl.read_csv(
        io.StringIO(sample_files.CONTRACTS), schema_overrides={"customer_id": pl.String}
    )
    contracts = contracts.with_columns(
        pl.col("signed_on", "start_on", "end_on", "last_reviewed_on").str.to_date()
    )
    excel = io.BytesIO()
    contracts.write_excel(excel)
    result = load_text(
        con, {"customers.parquet": parquet.getvalue(), "contracts.xlsx": excel.getvalue()}
    )
    assert result.exit_code == 0, [r.summary() for r in result.reports]
    got = con.sql("select customer_id, onboarded_on::varchar from customers order by 1").fetchall()
    assert got[0] == ("00123", "2024-01-15")
    assert con.sql(
        "select amount, end_on::varchar from contracts where contract_id = 'K2'"
    ).fetchall() == [(300000.0, "2026-07-14")]


def test_header_names_match_case_and_space_insensitively():
    text = sample_files.CUSTOMERS.replace("customer_id", " Customer ID ").replace(
        "credit_limit", "CREDIT_LIMIT"
    )
    raw = read_table("customers.csv", text.encode())
    assert raw.frame.columns[0] == "customer_id"
    assert raw.frame["credit_limit"].to_list() == ["100000", "500000", "50000"]


def test_upsert_replaces_rows_by_key(con):
    load_text(con, base_files())
    corrected = "customer_id,name,industry,region,segment,onboarded_on,annual_revenue,external_rating,credit_limit,owner,status\nC3,Northwind Foods Ltd,Agriculture,North,Small,2024-03-01,900000,BB,75000,Li Wei,active\n"
    result = load_text(con, {"customers.csv": corrected.encode()})
    assert result.exit_code == 0
    assert warehouse.table_counts(con)["customers"] == 3
    row = con.sql(
        "select name, credit_limit, external_rating from customers where customer_id = 'C3'"
    ).fetchall()
    assert row == [("Northwind Foods Ltd", 75000.0, "BB")]


def test_rejected_rows_go_to_quarantine_with_row_column_rule_value(con):
    bad = sample_files.PAYMENTS + 'P5,K1,2024/05/01,1000,,0\nP6,K9,2024-05-01,"1,000",,0\n'
    files = base_files() | {"payments.csv": bad.encode()}
    result = load_text(con, files)
    assert result.exit_code == 1
    report = result.reports[2]
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (6, 4, 2)
    failures = report.failures.select("row_number", "column", "value").rows()
    # Data rows 5 and 6 (header not counted).
    assert (5, "due_on", "2024/05/01") in failures
    assert (6, "contract_id", "K9") in failures
    assert (6, "amount_due", "1,000") in failures
    kept = con.sql(
        "select row_number, column_name, rule, value from quarantine order by 1, 2"
    ).fetchall()
    assert [(r[0], r[1]) for r in kept] == [(5, "due_on"), (6, "amount_due"), (6, "contract_id")]
    assert "ISO format" in kept[0][2]
    # The full original row is kept for inspection.
    assert (
        '"payment_id":"P6"'
        in con.sql("select row_data from quarantine where row_number = 6 limit 1").fetchall()[0][0]
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "customers.csv",
            b"customer_id,name\nC1,Acme\n",
            "missing required column(s) for customers: industry",
        ),
        ("customers.csv", b"", "the file is empty"),
        ("customers.csv", b"\x00\x01\x02\xff\xfe\x00binary", "not readable text"),
        ("customers.xlsx", b"customer_id,name\nnot really excel", "cannot be read as EXCEL"),
        ("clients.csv", b"a,b\n1,2\n", "cannot tell which table"),
        ("customers.json", b"{}", "unsupported file type .json"),
    ],
)
def test_unreadable_files_are_refused_whole_and_change_nothing(con, name, content, message):
    load_text(con, base_files())
    before = warehouse.checksum(con)
    result = load_text(con, {name: content})
    assert result.exit_code == 2
    assert result.reports[0].status == "rejected"
    assert message in result.reports[0].error
    assert name in result.reports[0].error
    assert warehouse.checksum(con) == before


def test_read_table_raises_for_duplicated_columns():
    with pytest.raises(FileRejected, match="appear more than once: name"):
        read_table("customers.csv", b"customer_id,name,Name\n1,a,b\n")


def test_same_file_twice_is_recognised_and_not_doubled(con):
    load_text(con, base_files())
    before = warehouse.checksum(con)
    result = load_text(con, {"customers.csv": sample_files.CUSTOMERS.encode()})
    assert result.reports[0].status == "duplicate"
    assert "already loaded" in result.reports[0].already_loaded
    assert warehouse.checksum(con) == before


def test_exception_mid_load_leaves_warehouse_unchanged(con, monkeypatch):
    load_text(con, {"customers.csv": sample_files.CUSTOMERS.encode()})
    before = warehouse.checksum(con)
    import data.ingest as ingest

    real_execute = ingest.execute

    def failing_execute(connection, name, **params):
        # The contracts rows are already written when the history row for them fails.
        if name == "load_record_history" and params.get("table_name") == "contracts":
            raise RuntimeError("disk on fire")
        return real_execute(connection, name, **params)

    monkeypatch.setattr(ingest, "execute", failing_execute)
    files = {k: v for k, v in base_files().items() if k != "customers.csv"}
    with pytest.raises(RuntimeError, match="disk on fire"):
        load_text(con, files)
    assert warehouse.checksum(con) == before


def test_load_files_from_folder_with_writing_swap(tmp_path):
    folder = tmp_path / "extract"
    folder.mkdir()
    sample_files.write_all(folder)
    db = tmp_path / "swap.duckdb"
    with warehouse.writing(db) as con:
        result = load_files(con, [folder], rebuild=False)
    assert result.exit_code == 0
    reader = warehouse.connect(db, read_only=True)
    assert warehouse.table_counts(reader)["risk_events"] == 2
    reader.close()


def test_failed_write_in_swap_leaves_previous_file(tmp_path):
    db = tmp_path / "swap.duckdb"
    with warehouse.writing(db) as con:
        load_text(con, {"customers.csv": sample_files.CUSTOMERS.encode()})
    reader = warehouse.connect(db, read_only=True)
    before = warehouse.checksum(reader)
    reader.close()
    with pytest.raises(RuntimeError), warehouse.writing(db) as con:
        load_text(con, {"contracts.csv": sample_files.CONTRACTS.encode()})
        raise RuntimeError("killed after the write, before the swap")
    reader = warehouse.connect(db, read_only=True)
    assert warehouse.checksum(reader) == before
    reader.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["swap.duckdb", "swap.duckdb.lock"]


# --- the load report: grouped failures, statuses and exit codes ------------------------------


def many_failures() -> bytes:
    """payments.csv with 30 new rows: every third (rows 5, 8, …, 32) has a date the parser
    refuses, every fifth (rows 5, 10, …, 30) an amount with a thousands separator; row 5, 20 and
    35 break both. Rows 1-4 are the valid sample rows."""
    lines = [sample_files.PAYMENTS.rstrip("\n")]
    for row in range(5, 35):
        due = f"2024/05/{row - 4:02d}" if row % 3 == 2 else "2024-05-01"
        amount = f'"1,{row:03d}"' if row % 5 == 0 else "100"
        lines.append(f"Q{row},K1,{due},{amount},,0")
    return ("\n".join(lines) + "\n").encode()


def test_failures_are_grouped_by_rule_and_column_with_three_example_rows(con):
    from data.ingest import grouped_failures
    from schemas.rules import describe

    result = load_text(con, base_files() | {"payments.csv": many_failures()})
    payments = result.reports[2]
    # by hand: dates fail on rows 5, 8, …, 32 (10 rows), amounts on 5, 10, …, 30 (6 rows);
    # rows 5, 20 break both: 14 rows rejected, 16 failures
    date_rows = [r for r in range(5, 35) if r % 3 == 2]
    amount_rows = [r for r in range(5, 35) if r % 5 == 0]
    assert len(date_rows) == 10 and len(amount_rows) == 6
    assert payments.rows_rejected == len(set(date_rows) | set(amount_rows)) == 14
    assert payments.failures.height == 16
    groups = grouped_failures(result.reports)
    assert groups.columns == ["file", "table", "column", "rule", "count", "examples"]
    assert groups.select("file", "table", "column", "rule", "count").rows() == [
        ("payments.csv", "payments", "due_on", describe("not_a_date"), 10),
        ("payments.csv", "payments", "amount_due", describe("not_a_number"), 6),
    ]
    assert groups["examples"].to_list() == [
        [
            {"row_number": 5, "value": "2024/05/01"},
            {"row_number": 8, "value": "2024/05/04"},
            {"row_number": 11, "value": "2024/05/07"},
        ],
        [
            {"row_number": 5, "value": "1,005"},
            {"row_number": 10, "value": "1,010"},
            {"row_number": 15, "value": "1,015"},
        ],
    ]
    assert grouped_failures([r for r in result.reports if r.table != "payments"]).is_empty()


def test_group_lines_quote_and_cut_values():
    from data.ingest import FileReport, failure_group_lines, grouped_failures

    failures = pl.DataFrame(
        {
            "row_number": [2, 7, 9, 12],
            "column": ["name", "name", "name", "name"],
            "rule": ["required: value is missing"] * 4,
            "value": [None, "   ", "x" * 60, "N/A"],
        }
    )
    report = FileReport(source="/x/customers.csv", table="customers", failures=failures)
    assert failure_group_lines(grouped_failures([report])) == [
        "customers.csv, column name: required: value is missing — 4 rows: "
        f"row 2 (empty), row 7 '   ', row 9 '{'x' * 39}…'"
    ]


def test_exit_codes_0_all_loaded_1_some_rejected_2_nothing_changed(con):
    assert load_text(con, base_files()).exit_code == 0
    # the same files again: every file already loaded, nothing changed
    before = warehouse.checksum(con)
    again = load_text(con, base_files())
    assert [r.status for r in again.reports] == ["duplicate"] * 4
    assert (again.changed, again.exit_code) == (False, 2)
    assert warehouse.checksum(con) == before
    # one file new, the others already loaded: everything is in
    newer = sample_files.RISK_EVENTS + "E3,C2,2024-07-01,legal,litigation,2,news,\n"
    mixed = load_text(con, base_files() | {"risk_events.csv": newer.encode()})
    assert [r.status for r in mixed.reports] == ["duplicate"] * 3 + ["loaded"]
    assert mixed.exit_code == 0
    # some rows rejected, the rest loaded
    partial = load_text(con, {"payments.csv": many_failures()})
    assert (partial.reports[0].status, partial.exit_code) == ("partial", 1)
    # a file refused whole next to one that loads: something changed, not everything: 1
    refused = load_text(
        con,
        {
            "customers.csv": b"customer_id\nC1\n",
            "risk_events.csv": sample_files.RISK_EVENTS.replace("E1,", "E7,").encode(),
        },
    )
    assert [r.status for r in refused.reports] == ["rejected", "loaded"]
    assert refused.exit_code == 1


def test_a_file_with_every_row_rejected_is_nothing_loaded_and_changes_nothing(con):
    load_text(con, base_files())
    before = warehouse.checksum(con)
    every_row_bad = (
        "payment_id,contract_id,due_on,amount_due,paid_on,amount_paid\n"
        "Q1,K1,2024/05/01,100,,0\nQ2,K9,2024-05-01,100,,0\n"
    )
    result = load_text(con, {"payments.csv": every_row_bad.encode()})
    report = result.reports[0]
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (2, 0, 2)
    assert report.status == "nothing_loaded"
    assert (result.changed, result.exit_code) == (False, 2)
    # nothing at all is written: no rows, no quarantine, no load history, no load version
    assert warehouse.checksum(con) == before
    # next to a file that loads, it still writes nothing of its own; the load is a 1
    newer = sample_files.RISK_EVENTS.replace("E1,", "E8,").replace("E2,", "E9,")
    mixed = load_text(
        con, {"payments.csv": every_row_bad.encode(), "risk_events.csv": newer.encode()}
    )
    assert [r.status for r in mixed.reports] == ["nothing_loaded", "loaded"]
    assert mixed.exit_code == 1
    assert warehouse.table_counts(con)["quarantine"] == 0
    assert con.sql(
        "select count(*) from load_history where table_name = 'payments'"
    ).fetchall() == [(1,)]


@pytest.mark.parametrize("name", ["customers.csv", "customers.parquet", "customers.xlsx"])
def test_a_header_only_file_is_an_empty_table_and_loads_0_rows(con, tmp_path, name):
    header = sample_files.CUSTOMERS.splitlines()[0]
    if name.endswith(".csv"):
        content = (header + "\n").encode()
    else:
        empty = pl.DataFrame(schema={c: pl.String for c in header.split(",")})
        path = tmp_path / name
        empty.write_parquet(path) if name.endswith(".parquet") else empty.write_excel(path)
        content = path.read_bytes()
    assert read_table(name, content).frame.height == 0
    load_text(con, base_files())
    result = load_text(
        con,
        {name: content, "risk_events.csv": sample_files.RISK_EVENTS.replace("E1,", "E5,").encode()},
    )
    empty_report = result.reports[0]
    assert (empty_report.status, empty_report.error) == ("loaded", None)
    assert (empty_report.rows_read, empty_report.rows_accepted, empty_report.rows_rejected) == (
        0,
        0,
        0,
    )
    assert "0 rows read, 0 accepted, 0 rejected" in empty_report.summary()
    assert result.exit_code == 0
    assert warehouse.table_counts(con)["customers"] == 3


def test_a_refused_write_into_a_new_path_leaves_no_file(tmp_path):
    db = tmp_path / "new" / "deeper" / "w.duckdb"
    with warehouse.writing(db) as con:
        result = load_text(con, {"customers.csv": b"customer_id\nC1\n"})
    assert result.exit_code == 2
    assert list(tmp_path.iterdir()) == []  # no warehouse, staging, lock file nor folder
    with pytest.raises(RuntimeError), warehouse.writing(db):
        raise RuntimeError("failed before anything was written")
    assert list(tmp_path.iterdir()) == []
    # a lock file that was there before is someone else's: it stays
    (tmp_path / "w.duckdb.lock").write_text("")
    with warehouse.writing(tmp_path / "w.duckdb") as con:
        load_text(con, {"customers.csv": b"customer_id\nC1\n"})
    assert [p.name for p in tmp_path.iterdir()] == ["w.duckdb.lock"]


def test_removing_a_lock_file_keeps_writers_apart(tmp_path):
    """A writer that created the lock file and writes nothing removes it; a writer that waited on
    that file must not then work alongside one that locked the new file."""
    import threading
    import time

    db = tmp_path / "w.duckdb"
    inside: list[tuple[str, float, float]] = []
    first_in, release_first = threading.Event(), threading.Event()

    def first() -> None:
        with warehouse.writing(db):
            first_in.set()
            release_first.wait(10)

    errors: list[BaseException] = []

    def writer(name: str, hold: float) -> None:
        try:
            with warehouse.writing(db) as con:
                start = time.monotonic()
                time.sleep(hold)
                warehouse.bump_load_version(con)
                inside.append((name, start, time.monotonic()))
        except BaseException as err:  # noqa: BLE001 - two writers at once fail here
            errors.append(err)

    a = threading.Thread(target=first)
    a.start()
    assert first_in.wait(10)
    b = threading.Thread(target=writer, args=("b", 0.5))
    b.start()
    time.sleep(0.3)  # b now waits for the lock on the file a created
    release_first.set()
    a.join()
    c = threading.Thread(target=writer, args=("c", 0.0))
    c.start()  # the file a created is gone: c may create a new one while b wakes up
    b.join()
    c.join()
    assert not errors, errors
    (_, b_start, b_end), (_, c_start, c_end) = sorted(inside)
    assert b_end <= c_start or c_end <= b_start, inside
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.duckdb", "w.duckdb.lock"]
