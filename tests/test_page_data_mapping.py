"""Data page with AppTest: an upload with foreign headers gets a proposed mapping, loads through
it once confirmed, and the saved mapping is offered first for the next such file."""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.components.mapping_flow import widget_key
from dashboard.i18n import set_language
from data import warehouse
from tests.conftest import page_path

# An AR open-items export: no header is a warehouse column, US dates, thousands separators;
# customers X1 and X2 are new to the demo warehouse.
NAME = "ar_open_items_202609.csv"
INVOICES = (
    b"CustomerID,Customer Name,InvoiceNumber,InvoiceDate,DueDate,Amount,SettledDate,PaidAmount\n"
    b'X1,Acme Ltd,INV-1,09/01/2026,10/01/2026,"1,200,000.50",,\n'
    b'X1,Acme Ltd,INV-2,09/05/2026,10/05/2026,"2,000,000.00",09/30/2026,"2,000,000.00"\n'
    b"X2,Beta Co,INV-3,09/13/2026,10/13/2026,500000,,\n"
    b"X2,Beta Co,INV-4,09/14/2026,2026-10-14,700000,,\n"
)


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    set_language("en")


@pytest.fixture
def private_db(demo_db, tmp_path, monkeypatch):
    # Loading writes: work on a copy so the shared demo warehouse stays untouched.
    path = tmp_path / "copy.duckdb"
    shutil.copyfile(demo_db, path)
    monkeypatch.setenv("RISK_DB", str(path))
    return path


def _uploaded(name: str = NAME, content: bytes = INVOICES, lang: str = "en") -> AppTest:
    # AppTest formats widget values with their format_func in this thread, outside the run:
    # in the page's language
    set_language(lang)
    at = AppTest.from_file(page_path("data_sources"), default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    at.file_uploader[0].set_value((name, content, "text/csv")).run()
    assert not at.exception
    return at


def _rows(path, query: str) -> list[tuple]:
    con = warehouse.connect(path, read_only=True)
    try:
        return con.sql(query).fetchall()
    finally:
        con.close()


def test_a_foreign_invoice_list_is_proposed_a_mapping_and_loads_once_confirmed(private_db):
    at = _uploaded()
    key = widget_key(NAME, INVOICES, "en")
    assert "Map a file with other column names" in [s.value for s in at.subheader]
    # the proposal: an invoice list, headers preselected for their fields, formats from the values
    assert at.radio(key=f"{key}_mode").value == "invoice_list"
    picked = {
        field: at.selectbox(key=f"{key}_invoice_list_{field}").value
        for field in (
            "customers_customer_id",
            "customers_name",
            "payments_payment_id",
            "payments_issued_on",
            "payments_due_on",
            "payments_amount_due",
            "payments_paid_on",
            "payments_amount_paid",
        )
    }
    assert picked == {
        "customers_customer_id": "CustomerID",
        "customers_name": "Customer Name",
        "payments_payment_id": "InvoiceNumber",
        "payments_issued_on": "InvoiceDate",
        "payments_due_on": "DueDate",
        "payments_amount_due": "Amount",
        "payments_paid_on": "SettledDate",
        "payments_amount_paid": "PaidAmount",
    }
    dates = next(s for s in at.selectbox if s.key.startswith(f"{key}_dates_"))
    numbers = next(s for s in at.selectbox if s.key.startswith(f"{key}_numbers_"))
    assert (dates.value, numbers.value) == ("%m/%d/%Y", (".", ","))
    # offered, not applied: nothing is in the warehouse yet
    assert _rows(private_db, "select count(*) from payments where payment_id like 'INV-%'") == [
        (0,)
    ]
    # the first rows converted, and the row that fails with its message (an ISO due date)
    payments = next(d.value for d in at.dataframe if "payment_id" in d.value.columns)
    assert payments["amount_due"].tolist()[:3] == ["1200000.5", "2000000.0", "500000.0"]
    failures = next(d.value for d in at.dataframe if "rule" in d.value.columns)
    assert failures[["row_number", "column", "value"]].values.tolist() == [
        [4, "due_on", "2026-10-14"]
    ]
    assert "declared format %m/%d/%Y" in failures["rule"].iloc[0]

    at.button(key=f"{key}_load").click().run()
    assert not at.exception
    assert [s.value for s in at.success][0].startswith("Loaded 7 row(s); 1 row(s) went to")
    assert _rows(
        private_db,
        "select payment_id, contract_id, due_on::varchar, amount_due, amount_paid from payments "
        "where payment_id like 'INV-%' order by 1",
    ) == [
        ("INV-1", "OA-X1", "2026-10-01", 1200000.5, 0.0),
        ("INV-2", "OA-X1", "2026-10-05", 2000000.0, 2000000.0),
        ("INV-3", "OA-X2", "2026-10-13", 500000.0, 0.0),
    ]
    assert _rows(
        private_db,
        "select customer_id, name, onboarded_on::varchar from customers "
        "where customer_id in ('X1', 'X2') order by 1",
    ) == [("X1", "Acme Ltd", "2026-09-01"), ("X2", "Beta Co", "2026-09-13")]
    # the derived tables were rebuilt: the new customers have month-ends
    assert _rows(
        private_db,
        "select count(distinct customer_id) from customer_month where customer_id like 'X%'",
    ) == [(2,)]
    # and the flow is gone with the upload; the page shows the load in its history
    assert "Map a file with other column names" not in [s.value for s in at.subheader]


def test_a_saved_mapping_is_offered_first_for_the_next_file_like_it(private_db):
    at = _uploaded()
    key = widget_key(NAME, INVOICES, "en")
    assert at.text_input(key=f"{key}_pattern").value == "ar_open_items_*.csv"
    at.text_input(key=f"{key}_save_name").input("ar open items").run()
    at.button(key=f"{key}_save").click().run()
    saved = private_db.with_name(private_db.name + ".mappings") / "ar_open_items.toml"
    assert saved.exists()
    assert 'pattern = "ar_open_items_*.csv"' in saved.read_text(encoding="utf-8")

    october = INVOICES.replace(b"INV-", b"INV-10-")
    nxt = _uploaded("ar_open_items_202610.csv", october)
    source = nxt.radio(key=f"{widget_key('ar_open_items_202610.csv', october, 'en')}_source")
    assert source.value == "ar_open_items"
    assert source.options[0] == "Use saved mapping ar_open_items"
    # no proposal widgets: the saved mapping is used as it is
    assert not [s for s in nxt.selectbox if s.key and s.key.endswith("_payments_payment_id")]
    nxt.button(key=f"{widget_key('ar_open_items_202610.csv', october, 'en')}_load").click().run()
    assert not nxt.exception
    assert _rows(private_db, "select count(*) from payments where payment_id like 'INV-10-%'") == [
        (3,)
    ]


def test_the_mapping_flow_reads_chinese_on_the_chinese_page(private_db):
    at = _uploaded(lang="zh")
    key = widget_key(NAME, INVOICES, "zh")
    assert "映射列名不同的文件" in [s.value for s in at.subheader]
    assert at.selectbox(key=f"{key}_invoice_list_payments_due_on").label == "到期日（必填）"
    assert at.radio(key=f"{key}_mode").options[0].startswith("发票清单")
    assert at.button(key=f"{key}_load").label == "按此映射加载 7 行有效数据"


def test_a_file_named_after_a_table_is_loaded_as_before(private_db):
    # a plain file is no case for a mapping: no proposal is shown
    at = _uploaded(
        "risk_events.csv", b"event_id,customer_id,occurred_on,category,kind,severity,source\n"
    )
    assert "Map a file with other column names" not in [s.value for s in at.subheader]


def test_a_preset_whose_pattern_matches_is_offered_and_loads_as_it_is(private_db):
    from pathlib import Path

    sample = Path(__file__).parent / "corpus" / "extracts" / "invoice_list"
    content = (sample / "ar_invoices_2025-06.csv").read_bytes()
    name = "ar_invoices_2025-06.csv"
    before = _rows(private_db, "select count(*) from payments")[0][0]
    at = _uploaded(name, content)
    key = widget_key(name, content, "en")
    source = at.radio(key=f"{key}_source")
    # the invoice_list preset's pattern *invoice* matches: offered before building a new one
    assert "Use the preset mapping invoice_list (shipped with the product)" in source.options
    source.set_value("invoice_list").run()
    at.button(key=f"{key}_load").click().run()
    assert not at.exception
    # the sample's 10 invoices, one with an impossible date (2/30/2025): 9 load
    assert _rows(private_db, "select count(*) from payments")[0][0] - before == 9
