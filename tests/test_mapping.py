"""Mapping files (data.mapping): checking the file key by key, converting declared formats, and
loading a foreign extract through data.ingest with rows numbered as in the file."""

from __future__ import annotations

import textwrap
import tomllib

import polars as pl
import pytest

from data import warehouse
from data.ingest import commit, prepare
from data.mapping import (
    MappingError,
    apply,
    load_mapping,
    parse_mapping,
    suggest_date_format,
    suggest_number_format,
)
from tests import sample_files

INVOICES = textwrap.dedent(
    """\
    CustomerID,Customer Name,InvoiceNumber,InvoiceDate,DueDate,Amount,Disputed,SettledDate,PaidAmount
    C1,Acme Ltd,INV-1,1/2/2013,2/1/2013,"1,200.50",No,1/25/2013,"1,200.50"
    C1,Acme Ltd,INV-2,3/5/2013,4/4/2013,"2,000.00",Yes,,
    C2,Beta Co,INV-3,2013-05-13,6/12/2013,500,No,,
    C2,Beta Co,INV-4,5/20/2013,6/19/2013,"12,5",No,,
    """
)

MAPPING = """
[[file]]
pattern = "invoices*.csv"
date_format = "%m/%d/%Y"
thousands = ","

[file.customers]
unique_by = "customer_id"
if_missing = true
customer_id = "CustomerID"
name = "Customer Name"
industry = { value = "Wholesale" }
region = { value = "East" }
segment = { value = "SME" }
onboarded_on = { column = "InvoiceDate", aggregate = "min" }
credit_limit = { value = 50000 }
owner = { value = "unassigned" }
status = { value = "active" }

[file.contracts]
unique_by = "contract_id"
if_missing = true
contract_id = { template = "OA-{CustomerID}" }
customer_id = "CustomerID"
kind = { value = "sales" }
signed_on = { column = "InvoiceDate", aggregate = "min" }
start_on = { column = "InvoiceDate", aggregate = "min" }
end_on = { column = "DueDate", aggregate = "max" }
amount = { column = "Amount", aggregate = "sum" }
currency = { value = "CNY" }
payment_terms_days = { value = 30 }
collateral_value = { value = 0 }
status = { value = "active" }

[file.payments]
payment_id = "InvoiceNumber"
contract_id = { template = "OA-{CustomerID}" }
issued_on = "InvoiceDate"
due_on = "DueDate"
amount_due = "Amount"
paid_on = "SettledDate"
amount_paid = { column = "PaidAmount", default = "0" }

[file.risk_events]
where = { column = "Disputed", in = ["Yes", "Y"] }
event_id = { template = "DSP-{InvoiceNumber}" }
customer_id = "CustomerID"
occurred_on = "InvoiceDate"
category = { value = "legal" }
kind = { value = "invoice_dispute" }
severity = { value = 2 }
source = { value = "invoice list" }
"""


def mapping(text: str = MAPPING):
    return parse_mapping(tomllib.loads(text), "test.toml")


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """The invoice list loaded once through the mapping into an empty warehouse (no build)."""
    path = tmp_path_factory.mktemp("mapping") / "w.duckdb"
    con = warehouse.connect(path)
    result = commit(
        con,
        prepare(con, [("invoices.csv", INVOICES.encode())], mapping=mapping()),
        rebuild=False,
    )
    yield con, result
    con.close()


def test_an_invoice_list_feeds_four_tables_with_dates_and_numbers_as_declared(loaded):
    con, result = loaded
    by_table = {r.table: r for r in result.reports}
    assert set(by_table) == {"customers", "contracts", "payments", "risk_events"}
    # INV-3's invoice date is ISO, not the declared m/d/Y; INV-4's amount "12,5" is no
    # thousands grouping: both rows are quarantined, the other two load.
    assert (by_table["payments"].rows_accepted, by_table["payments"].rows_rejected) == (2, 2)
    rows = con.sql(
        "select payment_id, contract_id, issued_on::varchar, due_on::varchar, amount_due, "
        "paid_on::varchar, amount_paid from payments order by payment_id"
    ).fetchall()
    assert rows == [
        ("INV-1", "OA-C1", "2013-01-02", "2013-02-01", 1200.5, "2013-01-25", 1200.5),
        ("INV-2", "OA-C1", "2013-03-05", "2013-04-04", 2000.0, None, 0.0),
    ]
    # one dispute -> one event, on the invoice date
    assert con.sql(
        "select event_id, customer_id, occurred_on::varchar from risk_events"
    ).fetchall() == [("DSP-INV-2", "C1", "2013-03-05")]


def test_derived_customers_and_contracts_combine_the_rows_of_each_key(loaded):
    con, _ = loaded
    # C1: invoices of 2013-01-02 and 2013-03-05 -> onboarded 2013-01-02; amounts 1 200.50 + 2 000
    # C2: INV-3's date fails, INV-4 (2013-05-20) remains; its amount fails -> amount from nothing
    customers = con.sql(
        "select customer_id, name, onboarded_on::varchar, credit_limit from customers order by 1"
    ).fetchall()
    assert customers == [
        ("C1", "Acme Ltd", "2013-01-02", 50000.0),
        ("C2", "Beta Co", "2013-05-20", 50000.0),
    ]
    contracts = con.sql(
        "select contract_id, signed_on::varchar, end_on::varchar, amount from contracts"
    ).fetchall()
    # OA-C2 has no amount (its only readable invoice amount is INV-3's 500, but INV-3's date
    # failed only in payments; amounts are summed over the cells that converted: 500)
    assert sorted(contracts) == [
        ("OA-C1", "2013-01-02", "2013-04-04", 3200.5),
        ("OA-C2", "2013-05-20", "2013-06-19", 500.0),
    ]


def test_failures_name_the_file_row_the_mapping_key_and_the_value(loaded):
    _, result = loaded
    payments = next(r for r in result.reports if r.table == "payments")
    failures = payments.failures.sort("row_number").to_dicts()
    assert failures == [
        {
            "row_number": 3,
            "column": "issued_on",
            "rule": "not a date in the declared format %m/%d/%Y "
            "(mapping key file['invoices*.csv'].date_format)",
            "value": "2013-05-13",
        },
        {
            "row_number": 4,
            "column": "amount_due",
            "rule": "not a number with decimal '.' and thousands separator ',' "
            "(mapping key file['invoices*.csv'].decimal/thousands)",
            "value": "12,5",
        },
    ]


def test_derived_rows_never_replace_customers_already_known(tmp_path):
    con = warehouse.connect(tmp_path / "w.duckdb")
    files = [
        ("customers.csv", sample_files.CUSTOMERS.encode()),
        ("invoices.csv", INVOICES.replace("C1,", "C2,").replace("C2,Beta", "00123,Beta").encode()),
    ]
    result = commit(con, prepare(con, files, mapping=mapping()), rebuild=False)
    derived = next(
        r for r in result.reports if r.table == "customers" and r.source == "invoices.csv"
    )
    # both invoice customers (C2, 00123) are in customers.csv: nothing derived is loaded
    assert derived.rows_read == 0
    assert any("2 derived row(s) skipped" in note for note in derived.notes)
    assert con.sql("select name from customers where customer_id = 'C2'").fetchall() == [
        ("华东精密机械有限公司",)
    ]
    con.close()


def test_a_file_no_pattern_matches_is_read_by_its_name(tmp_path):
    con = warehouse.connect(tmp_path / "w.duckdb")
    files = [(n, t.encode()) for n, t in sample_files.ALL.items()] + [("clients.csv", b"a\n1\n")]
    prepared = prepare(con, files, mapping=mapping())
    errors = {p.report.source: p.report.error for p in prepared if p.report.error}
    assert list(errors) == ["clients.csv"]
    assert (
        "no [[file]] pattern of mapping test.toml matches it (patterns: invoices*.csv)"
        in (errors["clients.csv"])
    )
    assert sum(p.report.rows_accepted for p in prepared) == 12
    con.close()


def test_a_column_the_mapping_names_must_be_in_the_file():
    m = mapping()
    with pytest.raises(
        Exception,
        match=r"column duedate named by mapping key file\[.invoices\*\.csv.\]\.contracts\.end_on is not in the file",
    ):
        apply(m.files[0], m, "invoices.csv", INVOICES.replace("DueDate", "Due").encode())


def test_lookups_alternative_headers_and_separators():
    text = """
[[file]]
pattern = "*.csv"
separator = ";"
decimal = ","
thousands = "."
trailing_minus = true
date_format = "%d.%m.%Y"

[file.risk_events]
event_id = ["Belegnummer", "Document Number"]
customer_id = "Konto"
occurred_on = ["Belegdatum", "Document Date"]
category = { column = "Art", map = { RV = "credit", DZ = "operational" } }
kind = { value = "x" }
severity = { column = "Betrag", absolute = true }
source = { value = "SAP" }
"""
    m = mapping(text)
    content = (
        "Konto;Document Number;Document Date;Art;Betrag\n"
        "K1;100;05.01.2024;RV;1.234,00-\n"
        "K2;101;31.02.2024;ZZ;3\n"
    ).encode("cp1252")
    (out,) = apply(m.files[0], m, "fbl5n.csv", content)
    assert out.cells.select("event_id", "occurred_on", "category", "severity").rows() == [
        ("100", "2024-01-05", "credit", "1234.0"),
        ("101", None, None, "3.0"),
    ]
    assert out.failures.select("index", "column", "value").rows() == [
        (1, "occurred_on", "31.02.2024"),
        (1, "category", "ZZ"),
    ]
    assert "mapping key file['*.csv'].risk_events.category.map (RV, DZ)" in out.failures["rule"][1]


def test_wide_monthly_columns_are_unpivoted_by_the_declared_pattern():
    text = """
[[file]]
pattern = "cards.csv"

[file.unpivot]
pattern = "^(?P<measure>BILL_AMT|PAY_AMT)(?P<period>\\\\d+)$"

[file.payments]
where = { column = "bill_amt", above = 0 }
payment_id = { template = "{ID}-{period}" }
contract_id = { template = "CARD-{ID}" }
due_on = { column = "period", map = { "1" = "2005-09-30", "2" = "2005-08-31" } }
amount_due = "bill_amt"
amount_paid = { column = "pay_amt", default = "0" }
"""
    m = mapping(text)
    content = (
        b"ID,LIMIT_BAL,BILL_AMT1,BILL_AMT2,PAY_AMT1,PAY_AMT2\n7,5000,300,0,100,\n8,9000,,,,\n"
        b"9,1000,5O0,,,\n"
    )
    (out,) = apply(m.files[0], m, "cards.csv", content)
    # account 7: month 1 billed 300 and paid 100; month 2 billed 0 (no row); account 8 empty;
    # account 9's bill 5O0 (a letter O) is no number: the row stays, for the parser to refuse
    assert out.cells.select("payment_id", "due_on", "amount_due", "amount_paid").rows() == [
        ("7-1", "2005-09-30", "300", "100"),
        ("9-1", "2005-09-30", "5O0", "0"),
    ]
    assert out.source_rows.to_list() == [1, 3]


def test_excel_serials_only_when_declared():
    base = """
[[file]]
pattern = "x.csv"
{extra}
[file.risk_events]
event_id = "id"
customer_id = "id"
occurred_on = "day"
category = {{ value = "credit" }}
kind = {{ value = "k" }}
severity = {{ value = 1 }}
source = {{ value = "s" }}
"""
    content = b"id,day\n1,45292\n"
    plain = mapping(base.format(extra=""))
    (out,) = apply(plain.files[0], plain, "x.csv", content)
    assert out.cells["occurred_on"].to_list() == ["45292"]  # handed on; the parser refuses it
    serial = mapping(base.format(extra="excel_dates = true"))
    (out,) = apply(serial.files[0], serial, "x.csv", content)
    assert out.cells["occurred_on"].to_list() == ["2024-01-01"]  # 45292 days after 1899-12-30


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[file]]\npattern = 'a.csv'\n", "feeds no table"),
        ("[[file]]\npattern = 'a.csv'\nencodng = 'gbk'\n", "unknown key(s) ['encodng']"),
        (
            "[[file]]\npattern = 'a.csv'\ndate_format = 'MM/DD/YYYY'\n[file.payments]\n",
            "file['a.csv'].date_format: 'MM/DD/YYYY' has no % directive",
        ),
        (
            "[[file]]\npattern = 'a.csv'\n[file.payments]\npayment_id = 'x'\n",
            "required field(s) not mapped: contract_id, due_on, amount_due, amount_paid",
        ),
        (
            "[[file]]\npattern = 'a.csv'\n[file.payments]\npaymnt_id = 'x'\n",
            "unknown field(s) ['paymnt_id']",
        ),
        (
            "[[file]]\npattern = 'a.csv'\nthousands = '.'\n[file.payments]\n",
            "file['a.csv'].thousands: cannot be the same character as decimal",
        ),
        (
            "[[file]]\npattern = 'a.csv'\nencoding = 'klingon'\n[file.payments]\n",
            "unknown encoding 'klingon'",
        ),
    ],
)
def test_a_wrong_mapping_is_refused_naming_the_key(text, message):
    with pytest.raises(MappingError, match=None) as err:
        mapping(text)
    assert message in str(err.value)


def test_a_plain_file_with_foreign_formats_gets_the_mapping_key_that_would_read_it(tmp_path):
    con = warehouse.connect(tmp_path / "w.duckdb")
    payments = sample_files.PAYMENTS.replace("2024-03-02", "3/2/2024").replace("25000", '"25,000"')
    files = [(n, t.encode()) for n, t in sample_files.ALL.items() if n != "payments.csv"]
    prepared = prepare(con, [*files, ("payments.csv", payments.encode())])
    notes = next(p.report.notes for p in prepared if p.report.table == "payments")
    assert any(
        "column due_on: 1 value(s) are not ISO dates (first: '3/2/2024')" in n
        and 'date_format = "%m/%d/%Y"' in n
        for n in notes
    )
    assert any("column amount_due" in n and 'thousands = ","' in n for n in notes)
    con.close()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1/2/2013", "%m/%d/%Y"),
        ("02.01.2013", "%d.%m.%Y"),
        ("20130102", "%Y%m%d"),
        ("2013年1月2日", "%Y年%m月%d日"),
        ("2024-01-05 10:00", "%Y-%m-%d %H:%M"),
        ("45292", "excel"),
        ("soon", None),
    ],
)
def test_date_suggestions(value, expected):
    assert suggest_date_format(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1,234.50", 'thousands = ","'),
        ("1.234,50", 'decimal = ",", thousands = "."'),
        ("12,5", 'decimal = ","'),
        ("1.234,50-", "trailing_minus = true"),
        ("abc", None),
    ],
)
def test_number_suggestions(value, expected):
    assert suggest_number_format(value) == expected


def test_a_missing_mapping_file_lists_the_presets():
    with pytest.raises(MappingError, match="no such mapping file"):
        load_mapping("no_such_mapping_here")


def test_cells_keep_text_identifiers():
    m = mapping()
    outputs = apply(m.files[0], m, "invoices.csv", INVOICES.replace("C1", "007").encode())
    payments = next(o for o in outputs if o.table == "payments")
    assert payments.cells["contract_id"].to_list()[0] == "OA-007"
    assert payments.cells.schema == pl.Schema({c: pl.String for c in payments.cells.columns})
