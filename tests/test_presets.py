"""The shipped mapping presets (data/mappings/*.toml) on small made-up extracts
(tests/corpus/extracts/<preset>/): rows accepted and rejected per table, the rejected row's
message, and the Overview's headline figures after a build, each computed by hand from the sample
rows. Also the engine capabilities the presets need (data.mapping), and the command line.

Each preset's warehouse is loaded and built once per module, at a fixed as-of date.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import duckdb
import pytest

from commands.cli import main
from data import warehouse
from data.build import rebuild
from data.ingest import LoadResult, load_files, prepare
from data.mapping import PRESETS, apply, load_mapping, parse_mapping
from queries import portfolio
from queries.filters import Filters

EXTRACTS = Path(__file__).resolve().parent / "corpus" / "extracts"
D = date.fromisoformat


def load_and_build(
    tmp_path_factory: pytest.TempPathFactory, preset: str, as_of: date
) -> tuple[duckdb.DuckDBPyConnection, LoadResult]:
    """A fresh warehouse with the preset's sample folder loaded through the preset, built at as_of."""
    con = warehouse.connect(tmp_path_factory.mktemp(preset) / "w.duckdb")
    result = load_files(con, [EXTRACTS / preset], rebuild=False, mapping=load_mapping(preset))
    rebuild(con, as_of=as_of)
    return con, result


def counts(result: LoadResult) -> dict[str, tuple[int, int]]:
    """(accepted, rejected) per table."""
    return {r.table: (r.rows_accepted, r.rows_rejected) for r in result.reports}


def failures(result: LoadResult) -> list[tuple[str, str, int, str, str, str]]:
    """(file name, table, row, column, value, rule) of every failure."""
    return [
        (Path(r.source).name, r.table, f["row_number"], f["column"], f["value"], f["rule"])
        for r in result.reports
        for f in r.failures.iter_rows(named=True)
    ]


def overview(con: duckdb.DuckDBPyConnection, as_of: date) -> dict:
    """The Overview's headline figures at as_of, from the query functions the page calls
    (dashboard/pages/overview.py: portfolio.kpis and portfolio.collection_rate)."""
    kpis = portfolio.kpis(con, Filters(as_of=as_of))
    current = kpis.filter(kpis["period"] == "current").row(0, named=True)
    rates = portfolio.collection_rate(con, Filters(as_of=as_of)).row(0, named=True)
    assert rates["as_of"] == as_of
    return {
        "customers": current["customers"],
        "exposure": current["exposure"],
        "overdue": current["overdue"],
        "overdue_90p": current["overdue_90p"],
        "defaulted_customers": current["defaulted_customers"],
        "watchlist": current["watchlist"],
        "receivables": rates["receivables"],
        "receivables_90p": rates["overdue_90p"],
        "share_90p": rates["overdue_90p_share"],
        "collection_rate": rates["collection_rate"],
    }


def customer_month(con: duckdb.DuckDBPyConnection, as_of: date, *columns: str) -> dict:
    sql = f"select customer_id, {', '.join(columns)} from customer_month where as_of = $d"
    return {row[0]: row[1:] for row in con.sql(sql, params={"d": as_of}).fetchall()}


def test_every_preset_is_a_valid_mapping_with_its_comment_block():
    names = sorted(p.stem for p in PRESETS.glob("*.toml"))
    assert {"invoice_list", "loan_tape", "card_statements_wide"} <= set(names)
    for name in ("invoice_list", "loan_tape", "card_statements_wide"):
        text = (PRESETS / f"{name}.toml").read_text(encoding="utf-8")
        assert text.startswith("# Preset: "), name
        assert "What to edit" in text, name
        assert load_mapping(name).files


# ------------------------------------------------------------------------------------------------
# invoice_list: tests/corpus/extracts/invoice_list/ar_invoices_2025-06.csv, built at 2025-06-30
#
# row  customer  invoice   issued     due        amount  paid              disputed
#  1   C001      INV-1001  2025-03-03 2025-04-02 12,500  12,500 on 03-28   No
#  2   C001      INV-1002  2025-05-05 2025-06-04  8,000   3,000 on 06-20   No
#  3   C001      INV-1003  2025-06-10 2025-07-10  4,200   -                No
#  4   C002      INV-2001  2025-02-14 2025-03-16  6,750   -                Yes
#  5   C002      INV-2002  2025-04-01 2025-05-01  2,300   2,300 on 04-29   No
#  6   C003      INV-3001  2025-05-20 2025-06-19 15,000   -                N
#  7   C003      INV-3002  2025-06-25 2025-07-25  9,800   -                (blank)
#  8   C003      INV-3003  2/30/2025  2025-03-30  1,100   -                No   <- no such day
#  9   C004      INV-4001  2025-01-15 2025-02-14  3,100   3,100 on 02-10   No
# 10   C005      INV-5001  2025-06-16 2025-07-16  2,000   -                Y

INVOICES_AS_OF = D("2025-06-30")


@pytest.fixture(scope="module")
def invoices(tmp_path_factory):
    con, result = load_and_build(tmp_path_factory, "invoice_list", INVOICES_AS_OF)
    yield con, result
    con.close()


def test_invoice_list_rows_accepted_and_rejected(invoices):
    con, result = invoices
    # customers and contracts: one derived per CustomerID (5); payments: 10 invoices, INV-3003
    # refused; risk events: INV-2001 (Yes) and INV-5001 (Y)
    assert counts(result) == {
        "customers": (5, 0),
        "contracts": (5, 0),
        "payments": (9, 1),
        "risk_events": (2, 0),
    }
    assert failures(result) == [
        (
            "ar_invoices_2025-06.csv",
            "payments",
            8,
            "issued_on",
            "2/30/2025",
            "not a date in the declared format %m/%d/%Y "
            "(mapping key file['*invoice*'].date_format)",
        )
    ]
    # no Currency column: one open account per customer, OA-<CustomerID>, in the default CNY;
    # C003 opened with INV-3001 (INV-3003's date did not convert, so it is left out of the min)
    contracts = con.sql(
        "select contract_id, customer_id, kind, signed_on::varchar, end_on::varchar, currency "
        "from contracts order by 1"
    ).fetchall()
    assert contracts[2] == ("OA-C003", "C003", "sales", "2025-05-20", "2099-12-31", "CNY")
    assert [c[0] for c in contracts] == ["OA-C001", "OA-C002", "OA-C003", "OA-C004", "OA-C005"]
    assert con.sql(
        "select distinct segment, region, industry, credit_limit, owner from customers"
    ).fetchall() == [("unassigned", "unassigned", "unassigned", 0.0, "unassigned")]
    # disputes are legal events dated on the invoice date (the file has no DisputeDate)
    assert con.sql(
        "select event_id, customer_id, occurred_on::varchar, category, kind from risk_events "
        "order by 1"
    ).fetchall() == [
        ("DSP-INV-2001", "C002", "2025-02-14", "legal", "invoice_dispute"),
        ("DSP-INV-5001", "C005", "2025-06-16", "legal", "invoice_dispute"),
    ]


def test_invoice_list_overview_figures_by_hand(invoices):
    con, _ = invoices
    figures = overview(con, INVOICES_AS_OF)
    # Exposure at 06-30 = what the invoices issued by then still owe:
    #   INV-1002  8,000 - 3,000 paid 06-20 = 5,000   (due 06-04: overdue, 26 days)
    #   INV-1003  4,200                             (due 07-10: not yet due)
    #   INV-2001  6,750                             (due 03-16: overdue, 106 days)
    #   INV-3001 15,000                             (due 06-19: overdue, 11 days)
    #   INV-3002  9,800                             (due 07-25: not yet due)
    #   INV-5001  2,000                             (due 07-16: not yet due)
    #   INV-1001, INV-2002, INV-4001 are paid; INV-3003 was rejected
    #   = 5,000 + 4,200 + 6,750 + 15,000 + 9,800 + 2,000 = 42,750
    assert figures["exposure"] == pytest.approx(42_750.0)
    # customers with exposure: C001, C002, C003, C005 (C004's only invoice is paid)
    assert figures["customers"] == 4
    # overdue: INV-1002 5,000 + INV-2001 6,750 + INV-3001 15,000 = 26,750
    assert figures["overdue"] == pytest.approx(26_750.0)
    # the KPI "90+ overdue": overdue of customers whose max DPD is over 90: C002 (106) 6,750;
    # C002 is also in default (DPD above 90)
    assert figures["overdue_90p"] == pytest.approx(6_750.0)
    assert figures["defaulted_customers"] == 1
    # an invoice list only: receivables = exposure; 90+ receivables: INV-2001 6,750 of 42,750
    assert figures["receivables"] == pytest.approx(42_750.0)
    assert figures["receivables_90p"] == pytest.approx(6_750.0)
    assert figures["share_90p"] == pytest.approx(6_750 / 42_750)
    # collection rate of June = collected / (overdue at 05-31 + due in June)
    #   collected: INV-1002's 3,000 (06-20)
    #   overdue at 05-31: INV-2001 6,750; due in June: INV-1002 8,000 + INV-3001 15,000
    #   = 3,000 / 29,750
    assert figures["collection_rate"] == pytest.approx(3_000 / 29_750)
    # the preset's credit limit 0 (no limit on record) puts every customer with exposure on the
    # watchlist as a limit breach: C001, C002, C003, C005
    assert figures["watchlist"] == 4
    # the disputes count as legal events: 10 points (severity 2) of the legal factor for C002
    # (dispute 02-14, within 365 days) and C005, whose dispute of 06-16 is within the 90 days
    # of the legal trigger
    months = customer_month(con, INVOICES_AS_OF, "legal_score", "triggers", "max_dpd")
    assert months["C002"][0] == months["C005"][0] == 10.0
    assert "legal" in months["C005"][1] and "legal" not in months["C002"][1]
    assert "overdue" in months["C002"][1] and months["C002"][2] == 106


def test_invoice_list_with_a_currency_column_has_an_account_per_customer_and_currency(tmp_path):
    """With a Currency column: OA-<CustomerID>-<Currency>, USD converted at the fx_rates rate."""
    folder = tmp_path / "extract"
    folder.mkdir()
    (folder / "invoices_fx.csv").write_text(
        "CustomerID,CustomerName,InvoiceNumber,InvoiceDate,DueDate,InvoiceAmount,Currency,"
        "PaidDate,PaidAmount,Disputed\n"
        'C1,Acme Ltd,INV-1,5/2/2025,6/1/2025,"1,000.00",USD,,,No\n'
        'C1,Acme Ltd,INV-2,5/3/2025,6/2/2025,"2,000.00",CNY,,,No\n',
        encoding="utf-8",
    )
    (folder / "fx_rates.csv").write_text(
        "currency,on,rate_to_reporting\nUSD,2025-01-01,7.2\n", encoding="utf-8"
    )
    con = warehouse.connect(tmp_path / "w.duckdb")
    result = load_files(con, [folder], rebuild=False, mapping=load_mapping("invoice_list"))
    assert result.exit_code == 0, failures(result)
    assert con.sql("select contract_id, currency, amount from contracts order by 1").fetchall() == [
        ("OA-C1-CNY", "CNY", 2000.0),
        ("OA-C1-USD", "USD", 7200.0),
    ]
    assert con.sql(
        "select payment_id, contract_id, amount_due from payments order by 1"
    ).fetchall() == [("INV-1", "OA-C1-USD", 7200.0), ("INV-2", "OA-C1-CNY", 2000.0)]
    con.close()


# ------------------------------------------------------------------------------------------------
# loan_tape: tests/corpus/extracts/loan_tape/{loans,repayments}.csv, built at 2025-06-30
#
# loan   borrower  start       principal  collateral  instalments (due, amount, paid)
# L-001  B01       2025-01-15  12,000     5,000       #1 04-15 3,000 paid 04-14; #2 07-15 3,000;
#                                                     #3 "2025-10-32" <- no such day; #4 2026-01-15
# L-002  B02       2024-12-01  20,000     0           #1 03-01 5,000 paid 03-01; #2 06-01 5,000
#                                                     2,000 paid 06-10; #3 09-01; #4 12-01
# L-003  B03       2024-09-15   8,000     10,000      #1 2024-12-15 2,000 paid; #2 03-15 2,000;
#                                                     #3 06-15 2,000; #4 09-15 2,000 (no segment)

LOANS_AS_OF = D("2025-06-30")


@pytest.fixture(scope="module")
def loans(tmp_path_factory):
    con, result = load_and_build(tmp_path_factory, "loan_tape", LOANS_AS_OF)
    yield con, result
    con.close()


def test_loan_tape_rows_accepted_and_rejected(loans):
    con, result = loans
    assert counts(result) == {"customers": (3, 0), "contracts": (3, 0), "payments": (11, 1)}
    assert failures(result) == [
        (
            "repayments.csv",
            "payments",
            3,
            "due_on",
            "2025-10-32",
            "not a date in the declared format %Y-%m-%d "
            "(mapping key file['repayments*'].date_format)",
        )
    ]
    # a borrower's credit limit is the sum of its principals; a blank segment is the default
    assert con.sql(
        "select customer_id, segment, region, credit_limit, onboarded_on::varchar from customers "
        "order by 1"
    ).fetchall() == [
        ("B01", "SME", "East", 12000.0, "2025-01-15"),
        ("B02", "Mid", "South", 20000.0, "2024-12-01"),
        ("B03", "unassigned", "North", 8000.0, "2024-09-15"),
    ]
    assert con.sql(
        "select contract_id, kind, start_on::varchar, end_on::varchar, amount, collateral_value "
        "from contracts where contract_id = 'L-003'"
    ).fetchall() == [("L-003", "loan", "2024-09-15", "2025-09-15", 8000.0, 10000.0)]
    assert con.sql(
        "select payment_id, issued_on from payments where contract_id = 'L-002' order by 1"
    ).fetchall() == [("L-002-1", None), ("L-002-2", None), ("L-002-3", None), ("L-002-4", None)]


def test_loan_tape_overview_figures_by_hand(loans):
    con, _ = loans
    figures = overview(con, LOANS_AS_OF)
    # A loan's instalments are exposure from its start, whether due yet or not; at 06-30:
    #   L-001: #2 3,000 + #4 3,000 (#1 paid, #3 rejected)                 =  6,000
    #   L-002: #2 5,000 - 2,000 paid = 3,000, + #3 5,000 + #4 5,000        = 13,000
    #   L-003: #2 2,000 + #3 2,000 + #4 2,000                             =  6,000
    #   = 25,000, on 3 borrowers
    assert figures["exposure"] == pytest.approx(25_000.0)
    assert figures["customers"] == 3
    # overdue: L-002 #2 3,000 (29 days) + L-003 #2 2,000 (107 days) + #3 2,000 (15 days) = 7,000
    assert figures["overdue"] == pytest.approx(7_000.0)
    # the KPI "90+ overdue": all the overdue of B03, whose max DPD is 107: 4,000; B03 in default
    assert figures["overdue_90p"] == pytest.approx(4_000.0)
    assert figures["defaulted_customers"] == 1
    # receivables are the instalments due by 06-30 and still owed: 3,000 + 2,000 + 2,000 = 7,000;
    # of them more than 90 days past due: L-003 #2 2,000
    assert figures["receivables"] == pytest.approx(7_000.0)
    assert figures["receivables_90p"] == pytest.approx(2_000.0)
    assert figures["share_90p"] == pytest.approx(2_000 / 7_000)
    # collection rate of June: collected L-002 #2's 2,000 (06-10) / (overdue at 05-31: L-003 #2
    # 2,000 + due in June: L-002 #2 5,000 + L-003 #3 2,000) = 2,000 / 9,000
    assert figures["collection_rate"] == pytest.approx(2_000 / 9_000)
    months = customer_month(con, LOANS_AS_OF, "max_dpd", "utilisation")
    # utilisation = still owed / lent: B01 6,000 / 12,000
    assert months["B01"] == (0, pytest.approx(0.5))
    assert months["B03"][0] == 107


# ------------------------------------------------------------------------------------------------
# card_statements_wide: tests/corpus/extracts/card_statements_wide/card_clients_2005-09.csv,
# built at 2005-09-30. Month 1 = 2005-09 … 6 = 2005-04 (the preset's periods); each month's
# bill is billed, due and paid (PAY_AMTn) on that month-end.
#
# ID  LIMIT   bills 09, 08, 07, 06, 05, 04             payments 09, 08, 07, 06, 05, 04
# 1   20,000  3000 2800 2500 2000 1500 1000            the same: every bill paid in full
# 2   50,000  5000 4000 3000 -200 0 (blank)            0 4000 1000 0 0 500
# 3   10,000  2000 in every month                      0 in every month
# 4   30,000  6000 5500 5000 4500 4000 3500            1000 5500 "5,000" 4500 4000 3500
# 5   80,000  0 0 0 0 -150 0                           0 in every month

CARDS_AS_OF = D("2005-09-30")


@pytest.fixture(scope="module")
def cards(tmp_path_factory):
    con, result = load_and_build(tmp_path_factory, "card_statements_wide", CARDS_AS_OF)
    yield con, result
    con.close()


def test_card_statements_rows_accepted_and_rejected(cards):
    con, result = cards
    # payments: one row per (account, month) with a bill above 0: ID 1 six, ID 2 three (09, 08,
    # 07; -200, 0 and a blank bill give none), ID 3 six, ID 4 six, ID 5 none = 21; ID 4's July
    # payment "5,000" is not a plain number (the preset declares no thousands separator)
    assert counts(result) == {"customers": (5, 0), "contracts": (5, 0), "payments": (20, 1)}
    assert failures(result) == [
        (
            "card_clients_2005-09.csv",
            "payments",
            4,
            "amount_paid",
            "5,000",
            "not a plain number (no thousands separators, currency symbols or text)",
        )
    ]
    assert con.sql(
        "select payment_id, contract_id, issued_on::varchar, due_on::varchar, amount_due, "
        "paid_on::varchar, amount_paid from payments where contract_id = 'CARD-2' order by 1"
    ).fetchall() == [
        ("2-2005-07", "CARD-2", "2005-07-31", "2005-07-31", 3000.0, "2005-07-31", 1000.0),
        ("2-2005-08", "CARD-2", "2005-08-31", "2005-08-31", 4000.0, "2005-08-31", 4000.0),
        ("2-2005-09", "CARD-2", "2005-09-30", "2005-09-30", 5000.0, "2005-09-30", 0.0),
    ]
    # one customer and one card contract per account, the limit from LIMIT_BAL
    assert con.sql(
        "select c.customer_id, c.name, c.credit_limit, c.onboarded_on::varchar, k.contract_id, "
        "k.kind, k.amount from customers c join contracts k using (customer_id) "
        "where c.customer_id = '5'"
    ).fetchall() == [("5", "Card account 5", 80000.0, "2005-04-30", "CARD-5", "loan", 80000.0)]


def test_card_statements_overview_figures_by_hand(cards):
    con, _ = cards
    figures = overview(con, CARDS_AS_OF)
    # Exposure at 09-30 = what the statements still owe:
    #   ID 1: 0 (every bill paid)
    #   ID 2: 09 5,000 (due today: not overdue) + 07 3,000 - 1,000 = 2,000 (61 days) = 7,000
    #   ID 3: 2,000 x 6 months = 12,000, of which overdue every month but 09: 10,000
    #   ID 4: 09 6,000 - 1,000 = 5,000 (not overdue); 07 was rejected, the others paid
    #   = 7,000 + 12,000 + 5,000 = 24,000, on 3 accounts
    assert figures["exposure"] == pytest.approx(24_000.0)
    assert figures["customers"] == 3
    # overdue: ID 2 2,000 + ID 3 10,000 = 12,000
    assert figures["overdue"] == pytest.approx(12_000.0)
    # the KPI "90+ overdue": all the overdue of ID 3 (max DPD 153, since 04-30): 10,000; in default
    assert figures["overdue_90p"] == pytest.approx(10_000.0)
    assert figures["defaulted_customers"] == 1
    # statements carry their dates: receivables = exposure; more than 90 days past due: ID 3's
    # 06 (92 days), 05 (122) and 04 (153) bills = 6,000 of 24,000
    assert figures["receivables"] == pytest.approx(24_000.0)
    assert figures["receivables_90p"] == pytest.approx(6_000.0)
    assert figures["share_90p"] == pytest.approx(0.25)
    # collection rate of September: collected ID 1 3,000 + ID 4 1,000 = 4,000 /
    #   (overdue at 08-31: ID 2 07 2,000 + ID 3 07, 06, 05, 04 8,000 = 10,000
    #    + due in September: ID 1 3,000 + ID 2 5,000 + ID 3 2,000 + ID 4 6,000 = 16,000)
    assert figures["collection_rate"] == pytest.approx(4_000 / 26_000)
    months = customer_month(con, CARDS_AS_OF, "max_dpd", "aging_bucket", "triggers")
    assert months["2"][:2] == (61, "61-90")
    # ID 3 owes 12,000 on a 10,000 line
    assert months["3"][0] == 153 and "limit_breach" in months["3"][2]


# ------------------------------------------------------------------------------------------------
# the command line


def test_cli_ingest_with_a_preset_name(tmp_path, capsys):
    sample = EXTRACTS / "invoice_list" / "ar_invoices_2025-06.csv"
    db = tmp_path / "w.duckdb"
    code = main(["ingest", str(sample), "--mapping", "invoice_list", "--db", str(db), "--quiet"])
    out = capsys.readouterr().out
    assert code == 1  # loaded, but a row was rejected
    name = str(sample)
    for line in (
        f"[loaded] {name} → customers: 5 rows read, 5 accepted, 0 rejected",
        f"[loaded] {name} → contracts: 5 rows read, 5 accepted, 0 rejected",
        f"[partial] {name} → payments: 10 rows read, 9 accepted, 1 rejected",
        f"[loaded] {name} → risk_events: 2 rows read, 2 accepted, 0 rejected",
    ):
        assert line in out, out
    assert "read with mapping invoice_list.toml, [[file]] pattern *invoice*" in out
    assert (
        "not a date in the declared format %m/%d/%Y (mapping key file['*invoice*'].date_format)"
        in out
    )
    assert "2/30/2025" in out
    con = warehouse.connect(db, read_only=True)
    assert warehouse.table_counts(con)["payments"] == 9
    con.close()


def test_cli_refuses_an_unknown_preset_listing_the_presets(tmp_path, capsys):
    code = main(
        ["ingest", str(EXTRACTS), "--mapping", "no_such_preset", "--db", str(tmp_path / "w")]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "no such mapping file" in err
    assert "card_statements_wide" in err and "invoice_list" in err and "loan_tape" in err


# ------------------------------------------------------------------------------------------------
# engine capabilities the presets use (data.mapping)


def mapping(text: str):
    return parse_mapping(tomllib.loads(text), "test.toml")


EVENTS = """
[[file]]
pattern = {pattern}
date_format = "%m/%d/%Y"
decimal = ","

[file.risk_events]
event_id = {{ template = "E-{{id}}-{{Currency}}", optional = true }}
customer_id = "id"
occurred_on = "day"
category = {{ value = "legal" }}
kind = {{ value = "k" }}
severity = {{ value = 2 }}
source = {{ value = "s" }}
"""


def test_a_block_may_name_several_file_patterns(tmp_path):
    m = mapping(EVENTS.format(pattern='["repayments*", "schedule*"]'))
    assert [m.for_file(n) is not None for n in ("Repayments_2025.csv", "schedule.xlsx")] == [
        True,
        True,
    ]
    assert m.for_file("loans.csv") is None
    block = m.files[0]
    # named by the first pattern in mapping keys; all of them in messages
    assert block.key == "file['repayments*']" and block.pattern == "repayments*, schedule*"
    con = warehouse.connect(tmp_path / "w.duckdb")
    prepared = prepare(con, [("other.csv", b"a\n1\n")], mapping=m)
    con.close()
    assert "(patterns: repayments*, schedule*)" in prepared[0].report.error


def test_an_optional_template_leaves_out_a_column_the_file_lacks_with_the_text_before_it():
    m = mapping(EVENTS.format(pattern='"e.csv"'))
    (without,) = apply(m.files[0], m, "e.csv", b"id,day\n7,1/2/2025\n")
    assert without.cells["event_id"].to_list() == ["E-7"]
    (with_it,) = apply(m.files[0], m, "e.csv", b"id,day,Currency\n7,1/2/2025,USD\n")
    assert with_it.cells["event_id"].to_list() == ["E-7-USD"]


def test_constants_are_written_in_the_mapping_not_in_the_files_formats():
    text = """
[[file]]
pattern = "i.csv"
date_format = "%m/%d/%Y"
decimal = ","
thousands = "."

[file.contracts]
contract_id = "id"
customer_id = "id"
kind = { value = "sales" }
signed_on = "day"
start_on = "day"
end_on = { value = "2099-12-31" }
amount = "amount"
currency = { value = "CNY" }
payment_terms_days = { value = 30 }
collateral_value = { value = 1250.5 }
status = { value = "active" }
"""
    m = mapping(text)
    (out,) = apply(m.files[0], m, "i.csv", b'id,day,amount\nK1,1/31/2025,"1.250,50"\n')
    # the file's cells in its formats, the constants as TOML writes them (ISO date, plain number)
    assert out.cells.select("start_on", "end_on", "amount", "collateral_value").rows() == [
        ("2025-01-31", "2099-12-31", "1250.5", "1250.5")
    ]
    assert out.failures.is_empty()


def test_unpivot_periods_say_which_month_each_period_is():
    text = """
[[file]]
pattern = "cards.csv"

[file.unpivot]
pattern = "^(?P<measure>BILL_AMT|PAY_AMT)(?P<period>\\\\d+)$"
periods = { "1" = "2005-09", "2" = "2005-08" }

[file.payments]
payment_id = { template = "{ID}-{period}" }
contract_id = { template = "CARD-{ID}" }
due_on = { column = "period", format = "%Y-%m", month_end = true }
amount_due = "bill_amt"
amount_paid = { column = "pay_amt", default = "0" }
"""
    m = mapping(text)
    content = b"ID,BILL_AMT1,BILL_AMT2,BILL_AMT3,PAY_AMT1\n7,300,200,100,50\n"
    (out,) = apply(m.files[0], m, "cards.csv", content)
    # period 3 is not listed: it keeps its text, and its date fails naming the field's format
    assert out.cells.select("payment_id", "due_on", "amount_due", "amount_paid").rows() == [
        ("7-2005-09", "2005-09-30", "300", "50"),
        ("7-2005-08", "2005-08-31", "200", "0"),
        ("7-3", None, "100", "0"),
    ]
    assert out.failures.select("index", "column", "value").rows() == [(2, "due_on", "3")]
