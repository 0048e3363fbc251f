"""The ERP presets (data/mappings/sap_fbl5n, oracle_ar_aging, kingdee_yonyou_ar) on their samples.

Each sample (tests/corpus/extracts/<preset>/, written by make_erp_samples.py) is loaded with
`load_files(..., mapping=load_mapping("<preset>"))` into a fresh warehouse, built as of 2024-03-31,
and the Overview's headline figures are checked against sums done by hand: customers with
exposure, exposure, overdue and 90+ receivables, as queries/portfolio.py returns them to the page.
The mapping engine's conditions (lists of them, blank, below, signed numbers), field conditions
and `subtract` that these presets need are unit-tested at the end.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from data import warehouse
from data.build import rebuild
from data.ingest import LoadResult, load_files
from data.mapping import PRESETS, MappingError, apply, load_mapping, parse_mapping
from queries import portfolio
from queries.filters import Filters

EXTRACTS = Path(__file__).resolve().parent / "corpus" / "extracts"
AS_OF = date(2024, 3, 31)


def build(
    folder: Path, preset: str, currency: str, files: list[str]
) -> tuple[duckdb.DuckDBPyConnection, LoadResult]:
    con = warehouse.connect(folder / "w.duckdb")
    warehouse.set_reporting_currency(con, currency)
    result = load_files(
        con, [EXTRACTS / preset / f for f in files], rebuild=False, mapping=load_mapping(preset)
    )
    rebuild(con, as_of=AS_OF)
    return con, result


def counts(result: LoadResult) -> dict[tuple[str, str], tuple[int, int, int]]:
    """(file name, table) -> (rows read, accepted, rejected)."""
    return {
        (Path(r.source).name, r.table): (r.rows_read, r.rows_accepted, r.rows_rejected)
        for r in result.reports
    }


def failures(result: LoadResult) -> list[tuple[str, str, int, str, str, str]]:
    """(file name, table, row, column, rule, value) of every failure."""
    return [
        (Path(r.source).name, r.table, *row)
        for r in result.reports
        for row in r.failures.select("row_number", "column", "rule", "value").iter_rows()
    ]


def headline(con: duckdb.DuckDBPyConnection) -> dict:
    """The Overview's figures at AS_OF: portfolio.kpis (customers, exposure, overdue, overdue_90p
    of customers in the 90+ bucket) and portfolio.collection_rate (receivables, 90+ receivables by
    row and their share: the page's 90+ card)."""
    kpis = portfolio.kpis(con, Filters(as_of=AS_OF))
    current = kpis.filter(pl.col("period") == "current").row(0, named=True)
    rates = portfolio.collection_rate(con, Filters(as_of=AS_OF)).row(0, named=True)
    assert current["as_of"] == rates["as_of"] == AS_OF
    return {
        "customers": current["customers"],
        "exposure": current["exposure"],
        "overdue": current["overdue"],
        "overdue_90p_customers": current["overdue_90p"],
        "receivables": rates["receivables"],
        "overdue_90p": rates["overdue_90p"],
        "overdue_90p_share": rates["overdue_90p_share"],
    }


def test_each_erp_preset_opens_with_its_comment_block_and_loads_by_name():
    for name in ("sap_fbl5n", "oracle_ar_aging", "kingdee_yonyou_ar"):
        text = (PRESETS / f"{name}.toml").read_text(encoding="utf-8")
        assert text.startswith("# Preset: "), name
        for part in ("Export", "What to edit"):
            assert part in text, (name, part)
        assert load_mapping(name).files, name


# ----------------------------------------------------------------------------------------------
# SAP FBL5N: a German (cp1252, semicolons, umlauts) and an English export, reporting in EUR


@pytest.fixture(scope="module")
def sap(tmp_path_factory) -> tuple[duckdb.DuckDBPyConnection, LoadResult]:
    con, result = build(
        tmp_path_factory.mktemp("sap"), "sap_fbl5n", "EUR", ["fbl5n_de.csv", "fbl5n_en.csv"]
    )
    yield con, result
    con.close()


def test_sap_rows_per_table(sap):
    _, result = sap
    assert counts(result) == {
        # customers and contracts: one per account with invoices (DE 10001-10003, EN 20001-2)
        ("fbl5n_de.csv", "customers"): (3, 3, 0),
        ("fbl5n_de.csv", "contracts"): (3, 3, 0),
        ("fbl5n_en.csv", "customers"): (2, 2, 0),
        ("fbl5n_en.csv", "contracts"): (2, 2, 0),
        # invoices: RV/DR items with a positive amount (DE 7 of 11 lines, EN 5 of 8; payments DZ
        # and credit memos are no invoices)
        ("fbl5n_de.csv", "payments"): (7, 6, 1),
        ("fbl5n_en.csv", "payments"): (5, 4, 1),
        # credit notes: the open credit memo with an invoice reference of each file (DE DG
        # 1600000007; EN the SD credit memo RV 1800000205); DG 1600000008 has no reference
        ("fbl5n_de.csv", "adjustments"): (1, 1, 0),
        ("fbl5n_en.csv", "adjustments"): (1, 1, 0),
    }
    assert result.exit_code == 1  # rows rejected, the rest loaded


def test_sap_rejected_rows_name_the_mapping_key(sap):
    con, result = sap
    assert failures(result) == [
        (
            "fbl5n_de.csv",
            "payments",
            9,
            "due_on",
            "not a date in the declared format %d.%m.%Y "
            "(mapping key file['fbl5n*.csv'].date_format)",
            "31.02.2024",
        ),
        (
            "fbl5n_en.csv",
            "payments",
            4,
            "amount_due",
            "not a number with decimal ',' and thousands separator '.' "
            "(mapping key file['fbl5n*.csv'].decimal/thousands)",
            "1,250.00",
        ),
    ]
    quarantined = con.sql(
        "select source_file, row_number, column_name from quarantine order by source_file"
    ).fetchall()
    assert [(Path(f).name, n, c) for f, n, c in quarantined] == [
        ("fbl5n_de.csv", 9, "due_on"),
        ("fbl5n_en.csv", 4, "amount_due"),
    ]


def test_sap_items_become_invoices_paid_at_clearing_and_credit_notes(sap):
    con, _ = sap
    rows = con.sql(
        "select payment_id, contract_id, issued_on, due_on, amount_due, paid_on, amount_paid"
        " from payments order by payment_id"
    ).fetchall()
    D = date.fromisoformat
    assert rows[:3] == [
        # cleared on 02.02.2024: paid in full at clearing
        ("1800000101", "10001", D("2024-01-05"), D("2024-02-04"), 12500.0, D("2024-02-02"), 12500.0),
        # open: unpaid; 8.250,50 read with decimal comma
        ("1800000102", "10001", D("2024-02-15"), D("2024-03-16"), 8250.5, None, 0.0),
        ("1800000103", "10001", D("2024-03-20"), D("2024-04-19"), 4000.0, None, 0.0),
    ]  # fmt: skip
    assert con.sql(
        "select adjustment_id, payment_id, kind, occurred_on, amount, note from adjustments"
        " order by adjustment_id"
    ).fetchall() == [
        # 1.000,00- (trailing minus) on invoice 1800000103, by its Rechnungsbezug
        ("1600000007", "1800000103", "credit_note", D("2024-03-25"), 1000.0, "Gutschrift Mängelrüge"),
        ("1800000205", "1800000204", "credit_note", D("2024-03-20"), 800.0, "Credit memo 90000205"),
    ]  # fmt: skip
    # cp1252 umlauts in headers (Nettofälligkeit, Hauswährung) and in names arrive intact
    names = con.sql("select customer_id, name from customers order by customer_id").fetchall()
    assert names == [
        ("10001", "Müller Maschinenbau GmbH"),
        ("10002", "Bäckerei Schäfer KG"),
        ("10003", "Köhler Logistik AG"),
        ("20001", "Northwind Trading Ltd"),
        ("20002", "Société Lumière SARL"),
    ]
    assert con.sql("select distinct currency from contracts").fetchall() == [("EUR",)]


def test_sap_overview_figures_by_hand(sap):
    con, _ = sap
    # Owed on 2024-03-31 (EUR), invoice by invoice:
    #   10001: 1800000101 cleared 02.02 -> 0; 1800000102 8,250.50 open, due 16.03 (15 days past
    #          due); 1800000103 4,000.00 - credit note 1,000.00 (25.03) = 3,000.00, due 19.04
    #          -> 11,250.50, overdue 8,250.50
    #   10002: 1800000104 2,300.00 open, due 10.12.2023 (21 + 31 + 29 + 31 = 112 days past due);
    #          1800000105 cleared 20.02 -> 0                       -> 2,300.00, overdue 2,300.00
    #   10003: 1800000106 rejected; 1800000107 5,600.00, due 09.04 -> 5,600.00, overdue 0
    #   20001: 1800000201 6,000.00 open, due 07.02 (22 + 31 = 53 days); 1800000202 cleared
    #          28.02; 1800000203 rejected                          -> 6,000.00, overdue 6,000.00
    #   20002: 1800000204 3,200.00 - credit note 800.00 = 2,400.00, due 14.04; 1800000199
    #          cleared 15.03                                       -> 2,400.00, overdue 0
    # exposure = 11,250.50 + 2,300 + 5,600 + 6,000 + 2,400 = 27,550.50 over 5 customers
    # overdue  = 8,250.50 + 2,300 + 6,000 = 16,550.50
    # 90+      = 2,300.00 (1800000104, 112 days; customer 10002 is the only one in the 90+ bucket)
    assert headline(con) == {
        "customers": 5,
        "exposure": pytest.approx(27550.50),
        "overdue": pytest.approx(16550.50),
        "overdue_90p_customers": pytest.approx(2300.0),
        "receivables": pytest.approx(27550.50),  # invoices only: receivables = exposure
        "overdue_90p": pytest.approx(2300.0),
        "overdue_90p_share": pytest.approx(2300.0 / 27550.50),
    }


# ----------------------------------------------------------------------------------------------
# Oracle Receivables aging: open items in USD and one in EUR (fx_rates.csv), reporting in USD


@pytest.fixture(scope="module")
def oracle(tmp_path_factory) -> tuple[duckdb.DuckDBPyConnection, LoadResult]:
    con, result = build(
        tmp_path_factory.mktemp("oracle"),
        "oracle_ar_aging",
        "USD",
        ["ar_aging_7_buckets.csv", "fx_rates.csv"],
    )
    yield con, result
    con.close()


def test_oracle_rows_per_table(oracle):
    _, result = oracle
    assert counts(result) == {
        ("fx_rates.csv", "fx_rates"): (2, 2, 0),  # a plain file beside the mapped one
        ("ar_aging_7_buckets.csv", "customers"): (4, 4, 0),
        # one per customer and currency: 1001, 1002, 1003 and 1003 EUR, 1004
        ("ar_aging_7_buckets.csv", "contracts"): (5, 5, 0),
        # the 9 rows with a positive Original Amount (the credit memo CM-00412 is left out)
        ("ar_aging_7_buckets.csv", "payments"): (9, 8, 1),
    }


def test_oracle_rejected_row_names_the_mapping_key(oracle):
    _, result = oracle
    assert failures(result) == [
        (
            "ar_aging_7_buckets.csv",
            "payments",
            8,  # the 8th data row (INV-10177): its transaction date is written ISO
            "issued_on",
            "not a date in the declared format %d-%b-%Y "
            "(mapping key file['*aging*.csv'].date_format)",
            "2024-03-12",
        )
    ]


def test_oracle_paid_is_original_less_remaining_and_dates_upper_case(oracle):
    con, _ = oracle
    D = date.fromisoformat
    rows = con.sql(
        "select payment_id, issued_on, due_on, amount_due, paid_on, amount_paid from payments"
        " where payment_id in ('INV-10045', 'INV-10102', 'INV-10050', 'INV-10190')"
        " order by payment_id"
    ).fetchall()
    assert rows == [
        # 12,000.00 remaining of 12,000.00: nothing received (the As of Date with 0 paid)
        ("INV-10045", D("2023-12-15"), D("2024-01-14"), 12000.0, D("2024-03-31"), 0.0),
        # 9,000.00 - 1,500.00 remaining = 7,500.00 received
        ("INV-10050", D("2024-01-05"), D("2024-02-04"), 9000.0, D("2024-03-31"), 7500.0),
        # 5,500.00 - 2,000.00 = 3,500.00; 20-FEB-2024 read with %b in capitals
        ("INV-10102", D("2024-02-20"), D("2024-03-21"), 5500.0, D("2024-03-31"), 3500.0),
        # EUR 2,000.00 at the rate in force on 20-MAR-2024 (1.0850 from 2024-03-01) = USD 2,170
        ("INV-10190", D("2024-03-20"), D("2024-04-19"), pytest.approx(2170.0), D("2024-03-31"), 0.0),
    ]  # fmt: skip
    assert con.sql(
        "select contract_id, currency from contracts where customer_id = '1003' order by 1"
    ).fetchall() == [("AR-1003-EUR", "EUR"), ("AR-1003-USD", "USD")]


def test_oracle_overview_figures_by_hand(oracle):
    con, _ = oracle
    # Owed on 2024-03-31 (USD) = Amount Remaining of each accepted row:
    #   1001 Acme:     INV-10045 12,000 (due 14-JAN: 17 + 29 + 31 = 77 days past due)
    #                  INV-10102  2,000 (due 21-MAR: 10 days), INV-10160 7,250 (due 14-APR)
    #                                                      -> 21,250, overdue 14,000
    #   1002 Globex:   INV-09870  3,300 (due 01-DEC: 30 + 31 + 29 + 31 = 121 days),
    #                  INV-10188  4,800 (due 17-APR)       ->  8,100, overdue 3,300
    #   1003 Initech:  INV-10050  1,500 (due 04-FEB: 56 days); INV-10177 rejected;
    #                  INV-10190 EUR 2,000 x 1.0850 = 2,170 (due 19-APR)
    #                                                      ->  3,670, overdue 1,500
    #   1004 Umbrella: INV-10120  1,200 due 31-MAR, the as-of date itself: not yet past due
    #                                                      ->  1,200, overdue 0
    # exposure = 21,250 + 8,100 + 3,670 + 1,200 = 34,220 over 4 customers
    # overdue  = 14,000 + 3,300 + 1,500 = 18,800
    # 90+      = 3,300 (INV-09870; Globex is the only customer in the 90+ bucket)
    assert headline(con) == {
        "customers": 4,
        "exposure": pytest.approx(34220.0),
        "overdue": pytest.approx(18800.0),
        "overdue_90p_customers": pytest.approx(3300.0),
        "receivables": pytest.approx(34220.0),
        "overdue_90p": pytest.approx(3300.0),
        "overdue_90p_share": pytest.approx(3300.0 / 34220.0),
    }


# ----------------------------------------------------------------------------------------------
# 金蝶/用友 应收款明细表: GBK, title lines above the header, 人民币 and 美元, reporting in CNY


@pytest.fixture(scope="module")
def kingdee(tmp_path_factory) -> tuple[duckdb.DuckDBPyConnection, LoadResult]:
    con, result = build(
        tmp_path_factory.mktemp("kingdee"),
        "kingdee_yonyou_ar",
        "CNY",
        ["应收款明细表.csv", "fx_rates.csv"],
    )
    yield con, result
    con.close()


def test_kingdee_rows_per_table(kingdee):
    _, result = kingdee
    assert counts(result) == {
        ("fx_rates.csv", "fx_rates"): (2, 2, 0),
        ("应收款明细表.csv", "customers"): (3, 3, 0),
        # C001 人民币, C002 人民币, C002 美元, C003 人民币
        ("应收款明细表.csv", "contracts"): (4, 4, 0),
        # 8 documents: the red-letter AR20240030 and the 合计 line are left out
        ("应收款明细表.csv", "payments"): (8, 7, 1),
    }


def test_kingdee_rejected_row_names_the_mapping_key(kingdee):
    _, result = kingdee
    assert failures(result) == [
        (
            "应收款明细表.csv",
            "payments",
            6,  # the 6th data row under the header on line 3 (AR20240022)
            "due_on",
            "not a date in the declared format %Y-%m-%d "
            "(mapping key file['*应收*.csv'].date_format)",
            "2024/03/21",
        )
    ]


def test_kingdee_gbk_names_dates_and_currencies(kingdee):
    con, _ = kingdee
    D = date.fromisoformat
    assert con.sql("select customer_id, name, industry from customers order by 1").fetchall() == [
        ("C001", "华东精密机械有限公司", "未分类"),
        ("C002", "深圳市新锐电子科技有限公司", "未分类"),
        ("C003", "成都天府物流股份有限公司", "未分类"),
    ]
    rows = con.sql(
        "select payment_id, contract_id, issued_on, due_on, amount_due, paid_on, amount_paid"
        " from payments where payment_id in ('AR20240015', 'AR20240019') order by 1"
    ).fetchall()
    assert rows == [
        # 2024-2-10, 2024-3-11 (no leading zeros) read by %Y-%m-%d; partly received
        ("AR20240015", "AR-C001-人民币", D("2024-02-10"), D("2024-03-11"), 36800.0, D("2024-03-05"), 10000.0),
        # 美元 5,000.00 at the USD rate in force on 2024-02-15 (7.18 from 2024-02-01) = 35,900
        ("AR20240019", "AR-C002-美元", D("2024-02-15"), D("2024-03-16"), pytest.approx(35900.0), None, 0.0),
    ]  # fmt: skip
    assert con.sql(
        "select contract_id, currency from contracts where customer_id = 'C002' order by 1"
    ).fetchall() == [("AR-C002-人民币", "CNY"), ("AR-C002-美元", "USD")]


def test_kingdee_overview_figures_by_hand(kingdee):
    con, _ = kingdee
    # Owed on 2024-03-31 (CNY):
    #   C001: AR20240001 paid in full 2024-02-01 -> 0; AR20240015 36,800 - 10,000 = 26,800
    #         (due 2024-03-11: 20 days past due); AR20240031 18,000 (due 2024-04-19)
    #                                                       -> 44,800, overdue 26,800
    #   C002: AR20230188 28,500 (due 2023-12-15: 16 + 31 + 29 + 31 = 107 days past due);
    #         AR20240019 USD 5,000 x 7.18 = 35,900 (due 2024-03-16: 15 days); AR20240022 rejected
    #                                                       -> 64,400, overdue 64,400
    #   C003: AR20240008 paid 2024-03-10 -> 0; AR20240027 9,900 due 2024-03-31, the as-of date
    #         itself: not yet past due                      ->  9,900, overdue 0
    # exposure = 44,800 + 64,400 + 9,900 = 119,100 over 3 customers
    # overdue  = 26,800 + 64,400 = 91,200
    # 90+ by row (the page's 90+ card): AR20230188 28,500 of 119,100 receivables; by customer
    # bucket (kpis.overdue_90p): all of C002's overdue, 28,500 + 35,900 = 64,400
    assert headline(con) == {
        "customers": 3,
        "exposure": pytest.approx(119100.0),
        "overdue": pytest.approx(91200.0),
        "overdue_90p_customers": pytest.approx(64400.0),
        "receivables": pytest.approx(119100.0),
        "overdue_90p": pytest.approx(28500.0),
        "overdue_90p_share": pytest.approx(28500.0 / 119100.0),
    }


# ----------------------------------------------------------------------------------------------
# the engine's parts these presets need (data/mapping.py)

SIGNED = (
    b"id;Art;Betrag;Ausgleich\n"
    b"1;RV;1.000,00;\n"
    b"2;DG;200,00-;\n"
    b"3;DG;50,00-;01.02.2024\n"
    b"4;RV;abc;\n"
    b"5;RV;1,250.00;\n"
)


def event_ids(where: str) -> list[str]:
    """The rows of SIGNED (German separators, trailing minus) a risk_events `where` keeps."""
    m = parse_mapping(
        tomllib.loads(f"""
[[file]]
pattern = "x.csv"
separator = ";"
decimal = ","
thousands = "."
trailing_minus = true
[file.risk_events]
{where}
event_id = "id"
customer_id = "id"
occurred_on = {{ value = "2024-01-01" }}
category = {{ value = "credit" }}
kind = {{ value = "k" }}
severity = {{ value = 1 }}
source = {{ value = "s" }}
""")
    )
    (out,) = apply(m.files[0], m, "x.csv", SIGNED)
    return out.cells["event_id"].to_list()


def test_where_conditions_in_a_list_must_all_hold():
    # 200,00- is -200 (trailing minus): below 0; of the two credit memos only the uncleared one
    assert event_ids(
        'where = [{ column = "Art", in = ["DG"] }, { column = "Betrag", below = 0 },'
        ' { column = "Ausgleich", blank = true }]'
    ) == ["2"]
    assert event_ids('where = { column = "Ausgleich", not_blank = true }') == ["3"]


def test_above_reads_the_files_signs_and_keeps_a_misformatted_number_for_its_field():
    # 1.000,00 is above 0, the credits are not; 'abc' is no number: it meets both conditions, so
    # the field reading it quarantines the row instead of the row vanishing; 1,250.00 is read
    # leniently (1.25) so that the field reading it reports it, not dropped
    assert event_ids('where = { column = "Betrag", above = 0 }') == ["1", "4", "5"]
    assert event_ids('where = { column = "Betrag", below = 0 }') == ["2", "3", "4"]


def test_a_condition_column_may_be_a_list_of_headers():
    assert event_ids('where = { column = ["Belegart", "Art"], in = ["RV"] }') == ["1", "4", "5"]


def payments(spec: str, content: bytes, extra: str = ""):
    m = parse_mapping(
        tomllib.loads(f"""
[[file]]
pattern = "p.csv"
{extra}
[file.payments]
payment_id = "id"
contract_id = {{ value = "K" }}
due_on = {{ value = "2024-01-31", format = "%Y-%m-%d" }}
{spec}
""")
    )
    (out,) = apply(m.files[0], m, "p.csv", content)
    return out


def test_a_field_condition_blanks_the_field_elsewhere_and_its_default_applies():
    out = payments(
        'amount_due = "Betrag"\n'
        'paid_on = { column = "Ausgleich", format = "%d.%m.%Y" }\n'
        'amount_paid = { column = "Betrag", where = { column = "Ausgleich", not_blank = true },'
        ' default = "0" }',
        "id;Betrag;Ausgleich\nA;1.000,00;02.02.2024\nB;250,50;\n".encode("cp1252"),
        extra='separator = ";"\ndecimal = ","\nthousands = "."',
    )
    assert out.cells.select("payment_id", "amount_due", "paid_on", "amount_paid").rows() == [
        ("A", "1000.0", "2024-02-02", "1000.0"),
        ("B", "250.5", None, "0.0"),
    ]
    assert out.failures.is_empty()


def test_subtract_takes_another_column_off_and_names_its_key_when_it_cannot():
    out = payments(
        'amount_due = "Original"\n'
        'amount_paid = { column = "Original", subtract = ["Remaining", "Balance Due"] }',
        b'id,Original,Balance Due\nA,"1,234.56",234.56\nB,500.00,\nC,700.00,n/a\n',
        extra='thousands = ","',
    )
    # 1,234.56 - 234.56 = 1,000 exactly (the binary noise of the difference rounded off); the
    # second header of the list is the one the file has
    assert out.cells["amount_paid"].to_list() == ["1000.0", None, None]
    assert out.failures.select("index", "column").rows() == [(1, "amount_paid"), (2, "amount_paid")]
    assert set(out.failures["rule"]) == {
        "not a number with decimal '.' and thousands separator ',' "
        "(mapping key file['p.csv'].payments.amount_paid.subtract)"
    }


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            'where = [{ column = "a", in = ["x"] }, { column = "b", blank = "yes" }]\n'
            'amount_due = "a"\namount_paid = { value = 0 }',
            "payments.where[2].blank: must be true or false",
        ),
        (
            'where = { column = "a", below = "0" }\namount_due = "a"\namount_paid = { value = 0 }',
            "payments.where.below: must be a number",
        ),
        (
            'amount_due = "a"\namount_paid = { column = "a", subtract = 3 }',
            "payments.amount_paid.subtract: must be a column's header",
        ),
        (
            'amount_due = "a"\namount_paid = { column = "a", where = { column = "b" } }',
            "payments.amount_paid.where: needs in = [",
        ),
    ],
)
def test_refused_conditions_and_subtract_name_their_key(spec, message):
    with pytest.raises(MappingError, match=re.escape(message)):
        payments(spec, b"id,a,b\n1,2,3\n")
