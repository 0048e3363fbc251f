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
        (
            "customers.csv",
            sample_files.CUSTOMERS.splitlines()[0].encode() + b"\n",
            "header but no data rows",
        ),
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
