"""The mapping proposed for a foreign file (data.mapping_proposal): headers to fields in English,
German and Chinese, date and number formats from the first values, and the document the choices
make, which data.mapping reads and applies."""

from __future__ import annotations

import tomllib

import pytest

from data import mapping_store
from data.extract_sample import read_sample
from data.mapping import apply, parse_mapping
from data.mapping_proposal import (
    Choice,
    header_score,
    mapping_document,
    missing_required,
    normalised,
    propose_choices,
    propose_columns,
    propose_date_format,
    propose_number_format,
    propose_pattern,
    propose_target,
)

ENGLISH = ["CustomerID", "Customer Name", "InvoiceNumber", "InvoiceDate", "DueDate", "Amount"]
GERMAN = ["Kundennummer", "Kundenname", "Belegnummer", "Belegdatum", "Nettofälligkeit", "Betrag"]
CHINESE = ["客户编号", "客户名称", "单据编号", "开票日期", "到期日", "金额"]
INVOICE_FIELDS = [
    ("customers", "customer_id"),
    ("customers", "name"),
    ("payments", "payment_id"),
    ("payments", "issued_on"),
    ("payments", "due_on"),
    ("payments", "amount_due"),
]


@pytest.mark.parametrize("headers", [ENGLISH, GERMAN, CHINESE], ids=["en", "de", "zh"])
def test_invoice_headers_are_proposed_for_their_fields(headers):
    choices = propose_choices("invoice_list", "payments", headers, "CNY")
    for (table, field), header in zip(INVOICE_FIELDS, headers, strict=True):
        assert choices[table][field] == Choice(column=header), (table, field)
    # the derived tables read the invoice's own columns
    assert choices["customers"]["onboarded_on"] == Choice(column=headers[3])
    assert choices["contracts"]["end_on"] == Choice(column=headers[4])
    assert choices["contracts"]["amount"] == Choice(column=headers[5])
    # no contract column: one open account per customer, built from the customer column
    assert choices["contracts"]["contract_id"] == Choice(value=f"OA-{{{headers[0]}}}")
    assert choices["contracts"]["currency"] == Choice(value="CNY")
    assert missing_required("invoice_list", choices) == []


@pytest.mark.parametrize(
    ("header", "table", "field"),
    [
        ("Invoice No.", "payments", "payment_id"),
        ("document_number", "payments", "payment_id"),
        ("Belegnummer", "payments", "payment_id"),
        ("单据编号", "payments", "payment_id"),
        ("Due Date", "payments", "due_on"),
        ("Fälligkeit", "payments", "due_on"),
        ("Settled Date", "payments", "paid_on"),
        ("Paid Amount", "payments", "amount_paid"),
        ("回款金额", "payments", "amount_paid"),
        ("Customer-ID", "customers", "customer_id"),
        ("customer_id", "customers", "customer_id"),
        ("Credit Limit", "customers", "credit_limit"),
    ],
)
def test_a_header_names_its_field(header, table, field):
    assert header_score(header, table, field) == 1.0


def test_close_spellings_are_proposed_and_unrelated_headers_are_not():
    assert propose_columns(["Invoice Numbr", "Due-Dates", "Colour"], "payments") == {
        "payment_id": "Invoice Numbr",
        "contract_id": None,
        "issued_on": None,
        "due_on": "Due-Dates",
        "amount_due": None,
        "paid_on": None,
        "amount_paid": None,
    }


def test_each_header_feeds_one_field_the_best_match_first():
    # "Amount" is amount_due's own synonym; "PaidAmount" is amount_paid's: neither is taken twice
    proposed = propose_columns(["Amount", "PaidAmount"], "payments")
    assert (proposed["amount_due"], proposed["amount_paid"]) == ("Amount", "PaidAmount")


def test_an_invoice_status_is_never_proposed_as_a_customer_or_contract_status():
    choices = propose_choices("invoice_list", "payments", [*ENGLISH, "Status"], "CNY")
    assert choices["customers"]["status"] == Choice(value="active")
    assert choices["contracts"]["status"] == Choice(value="active")


@pytest.mark.parametrize(
    ("name", "headers", "target"),
    [
        ("ar_open_items.csv", ENGLISH, ("invoice_list", "payments")),
        ("Belege.csv", GERMAN, ("invoice_list", "payments")),
        ("payments.csv", ENGLISH, ("one_table", "payments")),  # named after a table
        (
            "kunden.csv",
            ["Kundennummer", "Kundenname", "Branche", "Region"],
            ("one_table", "customers"),
        ),
    ],
)
def test_the_target_offered_first(name, headers, target):
    assert propose_target(name, headers) == target


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["1/2/2013", "2/1/2013"], "%m/%d/%Y"),
        (["1/2/2013", "25/1/2013"], "%d/%m/%Y"),  # 25 cannot be a month
        (["31.01.2024", ""], "%d.%m.%Y"),
        (["2024年3月31日"], "%Y年%m月%d日"),
        (["20240331"], "%Y%m%d"),
        (["2024-03-31"], "%Y-%m-%d"),
        (["next week"], None),
    ],
)
def test_date_format_from_the_first_values(values, expected):
    assert propose_date_format(values) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["1,200.50", "500", "2,000.00", "12,5"], (".", ",")),  # most values say thousands ','
        (["1.234,50"], (",", ".")),
        (["1 234,50"], (",", " ")),
        (["12,5"], (",", None)),
        (["500", "12.75"], (".", None)),
    ],
)
def test_number_format_from_the_first_values(values, expected):
    assert propose_number_format(values) == expected


@pytest.mark.parametrize(
    ("name", "pattern"),
    [
        ("AR_Open_Items_2024-06.csv", "ar_open_items_*-*.csv"),
        ("invoices.xlsx", "invoices.xlsx"),
        ("export[1].csv", "export*.csv"),
    ],
)
def test_pattern_for_the_next_files_like_this_one(name, pattern):
    assert propose_pattern(name) == pattern


def test_normalised_keeps_chinese_and_drops_punctuation():
    assert normalised(" Beleg-Nr. ") == "belegnr"
    assert normalised("客户 编号") == "客户编号"


INVOICES = (
    "Kundennummer;Kundenname;Belegnummer;Belegdatum;Nettofälligkeit;Betrag\n"
    "K1;Müller GmbH;B-1;01.09.2026;01.10.2026;1.200,50\n"
    "K1;Müller GmbH;B-2;05.09.2026;05.10.2026;800,00\n"
    "K2;Schmidt AG;B-3;13.09.2026;13.10.2026;12.500,00\n"
    "K2;Schmidt AG;B-4;13.09.2026;31.02.2026;100,00\n"
)


def test_the_document_of_the_proposal_reads_the_file():
    sample = read_sample("belege_2026-09.csv", INVOICES.encode())
    assert sample.headers == GERMAN
    choices = propose_choices("invoice_list", "payments", sample.headers, "CNY")
    date_format = propose_date_format(sample.first_values(["Belegdatum", "Nettofälligkeit"]))
    decimal, thousands = propose_number_format(sample.first_values(["Betrag"]))
    assert (date_format, decimal, thousands) == ("%d.%m.%Y", ",", ".")
    document = mapping_document(
        propose_pattern("belege_2026-09.csv"),
        "invoice_list",
        choices,
        date_format,
        decimal,
        thousands,
    )
    # the saved text reads back as the same document
    assert tomllib.loads(mapping_store.to_toml(document)) == document
    mapping = parse_mapping(document, "proposal.toml")
    file_map = mapping.for_file("belege_2026-10.csv")
    assert file_map is not None
    mapped = {m.table: m for m in apply(file_map, mapping, "belege_2026-09.csv", INVOICES.encode())}
    assert mapped["payments"].cells.select(
        "payment_id", "contract_id", "due_on", "amount_due"
    ).rows() == [
        ("B-1", "OA-K1", "2026-10-01", "1200.5"),
        ("B-2", "OA-K1", "2026-10-05", "800.0"),
        ("B-3", "OA-K2", "2026-10-13", "12500.0"),
        ("B-4", "OA-K2", None, "100.0"),
    ]
    # 31.02. is no date: a failure naming the mapping key, on the file's fourth row
    failure = mapped["payments"].failures.to_dicts()
    assert [(f["index"], f["column"], f["value"]) for f in failure] == [(3, "due_on", "31.02.2026")]
    customers = mapped["customers"].cells
    # an invoice list says nothing about limits: 0 (none on record) until the user types one,
    # never a limit made up from the invoices
    assert customers.select("customer_id", "name", "onboarded_on", "credit_limit").rows() == [
        ("K1", "Müller GmbH", "2026-09-01", "0.0"),
        ("K2", "Schmidt AG", "2026-09-13", "0.0"),
    ]
    contracts = mapped["contracts"].cells
    assert contracts.select("contract_id", "customer_id", "amount", "currency").rows() == [
        ("OA-K1", "K1", "2000.5", "CNY"),
        ("OA-K2", "K2", "12600.0", "CNY"),
    ]


def test_constants_are_written_as_the_warehouse_writes_them():
    choices = {
        "customers": {
            "customer_id": Choice(column="Kundennummer"),
            "name": Choice(column="Kundenname"),
            "industry": Choice(value="Retail"),
            "region": Choice(value="East"),
            "segment": Choice(value="Small"),
            "onboarded_on": Choice(value="2020-01-31"),
            "credit_limit": Choice(value="50000.5"),
            "owner": Choice(value="Li"),
            "status": Choice(value="active"),
        }
    }
    document = mapping_document("kunden*.csv", "one_table", choices, "%d.%m.%Y", ",", ".")
    block = document["file"][0]
    # a fixed date is ISO and a fixed number has a decimal point, whatever the file writes
    assert block["customers"]["onboarded_on"] == {"value": "2020-01-31", "format": "%Y-%m-%d"}
    assert block["customers"]["credit_limit"] == {"value": 50000.5, "decimal": "."}
    assert "unique_by" not in block["customers"]
    parse_mapping(document)  # a valid mapping


def test_a_required_field_without_column_or_value_is_named():
    choices = propose_choices("one_table", "payments", ["Invoice", "Due"], "CNY")
    assert missing_required("one_table", choices) == [
        ("payments", "contract_id"),
        ("payments", "amount_due"),
    ]


def test_saved_mappings_are_found_by_their_pattern(tmp_path):
    db = tmp_path / "w.duckdb"
    choices = propose_choices("invoice_list", "payments", GERMAN, "CNY")
    document = mapping_document("belege_*.csv", "invoice_list", choices, "%d.%m.%Y", ",", ".")
    # the name cannot leave the folder beside the warehouse
    path = mapping_store.save(document, "../Belege Export", db)
    assert path == tmp_path / "w.duckdb.mappings" / "Belege_Export.toml"
    path.unlink()
    path = mapping_store.save(document, "belege", db)
    assert path == tmp_path / "w.duckdb.mappings" / "belege.toml"
    (path.parent / "broken.toml").write_text("[[file]]\npattern = 1\n", encoding="utf-8")
    assert [s.name for s in mapping_store.matching("belege_2026-10.csv", db)] == ["belege"]
    assert mapping_store.matching("kunden.csv", db) == []
