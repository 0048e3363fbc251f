"""Data page with AppTest: summary of the demo warehouse, upload preview, load, quarantine."""

from __future__ import annotations

import shutil

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.access import release
from dashboard.components.plain_text import markdown_text
from data import warehouse
from tests import sample_files
from tests.conftest import page_path


@pytest.fixture
def private_db(demo_db, tmp_path, monkeypatch):
    # Loading writes: work on a copy so the shared demo warehouse stays untouched.
    path = tmp_path / "copy.duckdb"
    shutil.copyfile(demo_db, path)
    monkeypatch.setenv("RISK_DB", str(path))
    return path


def test_summary_shows_row_counts_of_the_warehouse(demo_db, demo_con):
    at = AppTest.from_file(page_path("data_sources"), default_timeout=60).run()
    assert not at.exception
    summary = at.dataframe[0].value
    counts = dict(zip(summary["table_name"], summary["rows"], strict=True))
    expected = warehouse.table_counts(demo_con)
    assert counts == {t: expected[t] for t in warehouse.SOURCE_TABLES}


def test_upload_preview_lists_failures_and_load_keeps_the_rest(private_db):
    at = AppTest.from_file(page_path("data_sources"), default_timeout=60).run()
    assert not at.exception
    release()  # the page's reader would otherwise keep this process on the old file
    bad_customers = (
        sample_files.CUSTOMERS.replace("C3,Northwind Foods,", "C3,,").replace(
            "00123,Acme", "X1,Acme"
        )
        + "C9,Bad Rating Ltd,Retail,East,Mid,2024-01-01,,ZZ,10,Li,active\n"
    )
    # AppTest cannot drive st.file_uploader, so the page's own code path is exercised through
    # the same functions the button calls.
    from data.ingest import commit, prepare

    con = warehouse.connect(private_db, read_only=True)
    prepared = prepare(con, [("customers.csv", bad_customers.encode())])
    con.close()
    report = prepared[0].report
    assert (report.rows_read, report.rows_accepted, report.rows_rejected) == (4, 2, 2)
    assert report.failures.select("row_number", "column").rows() == [
        (3, "name"),
        (4, "external_rating"),
    ]
    reader = warehouse.connect(private_db, read_only=True)
    before = warehouse.table_counts(reader)
    reader.close()  # DuckDB keeps one instance per path: an open reader would hide the swap
    with warehouse.writing(private_db) as con:
        result = commit(
            con, prepare(con, [("customers.csv", bad_customers.encode())]), rebuild=False
        )
    assert result.exit_code == 1
    reader = warehouse.connect(private_db, read_only=True)
    after = warehouse.table_counts(reader)
    reader.close()
    assert after["customers"] == before["customers"] + 2
    assert after["quarantine"] == before["quarantine"] + 2
    # The page now shows the new load and the quarantined rows.
    at = AppTest.from_file(page_path("data_sources"), default_timeout=60).run()
    assert not at.exception
    loads = at.dataframe[2].value
    assert loads["rows_rejected"].iloc[0] == 2
    at.selectbox(key="quarantine_table").select("customers").run()
    quarantined = [df.value for df in at.dataframe if "rule" in df.value.columns][0]
    assert set(quarantined["column_name"]) == {"name", "external_rating"}


def test_upload_above_the_limit_is_refused_with_the_limit_in_the_message():
    from dashboard.components.uploads import refusal

    assert refusal("payments.csv", 200 * 1024 * 1024, 200) is None
    message = refusal("payments.csv", 250 * 1024 * 1024, 200)
    # shown with st.error (Markdown): the file name is escaped, so it reads as typed
    assert message == (
        "payments\\.csv is 250.0 MB; the limit is 200 MB per file. Split the extract or load it with the command line."
    )
    hostile = refusal("![](http://evil.example/x.png).csv", 250 * 1024 * 1024, 200)
    assert hostile.startswith(markdown_text("![](http://evil.example/x.png).csv") + " is 250.0 MB")


def test_the_last_load_is_reported_per_file_and_grouped_by_rule_and_column(demo_db):
    """After a load the page shows what it did: per file, and the failures grouped by rule and
    column with a count and the first three rows (the report of data.ingest.grouped_failures)."""
    from data.ingest import prepare

    header = "payment_id,contract_id,due_on,amount_due,paid_on,amount_paid"
    # rows 1-12: a bad date on every odd row, a thousands separator on every fourth
    thousands = '"1,000"'
    rows = [
        f"X{n},NOPE,{'2024/05/01' if n % 2 else '2024-05-01'},{thousands if n % 4 == 0 else 10},,0"
        for n in range(1, 13)
    ]
    payments = ("\n".join([header, *rows]) + "\n").encode()
    con = warehouse.connect(demo_db, read_only=True)
    reports = [p.report for p in prepare(con, [("payments.csv", payments)])]
    con.close()
    assert reports[0].status == "nothing_loaded"  # every row also names an unknown contract

    at = AppTest.from_file(page_path("data_sources"), default_timeout=60)
    at.session_state["data_last_load"] = reports
    at.run()
    assert not at.exception
    assert "Result of the last load" in [m.value.strip("*") for m in at.markdown]
    files = [df.value for df in at.dataframe if "Status" in df.value.columns][0]
    assert files["Status"].tolist() == ["🚫 nothing loaded: every row rejected"]
    assert (files["Read"].tolist(), files["Accepted"].tolist(), files["Rejected"].tolist()) == (
        [12],
        [0],
        [12],
    )
    groups = [df.value for df in at.dataframe if "examples" in df.value.columns][0]
    assert groups[["column", "count"]].values.tolist() == [
        ["contract_id", 12],
        ["due_on", 6],
        ["amount_due", 3],
    ]
    assert groups["examples"].tolist() == [
        "row 1: 'NOPE'; row 2: 'NOPE'; row 3: 'NOPE'",
        "row 1: '2024/05/01'; row 3: '2024/05/01'; row 5: '2024/05/01'",
        "row 4: '1,000'; row 8: '1,000'; row 12: '1,000'",
    ]
    assert groups["rule"].tolist()[1] == "not a valid date in ISO format YYYY-MM-DD"
    caption = [c.value for c in at.caption if "failure(s)" in c.value][0]
    assert caption.startswith("21 failure(s) in 12 row(s), grouped by rule and column")
    assert at.get("download_button")  # every failure, as before


def test_the_grouped_report_in_chinese(demo_db):
    from dashboard.components import load_report
    from dashboard.i18n import set_language
    from data.ingest import FileReport

    failures = pl.DataFrame(
        {
            "row_number": [3, 9],
            "column": ["due_on", "due_on"],
            "rule": ["not a valid date in ISO format YYYY-MM-DD"] * 2,
            "value": ["2024/05/01", None],
        }
    )
    report = FileReport(
        source="payments.csv",
        table="payments",
        rows_read=9,
        rows_accepted=7,
        rows_rejected=2,
        failures=failures,
    )
    set_language("zh")
    try:
        groups = load_report.groups_table([report])
        files = load_report.files_table([report])
    finally:
        set_language("en")
    assert groups["examples"].to_list() == ["第 3 行：'2024/05/01'；第 9 行：（空）"]
    assert groups["rule"].to_list() != ["not a valid date in ISO format YYYY-MM-DD"]
    assert files["状态"].to_list() == ["⚠️ 部分行被拒绝"]
