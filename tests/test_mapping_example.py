"""The README's mapping example, end to end: an AR invoice list in two currencies (US dates,
thousands separators) plus fx_rates.csv goes from files to the Overview's figures with one command.

docs/examples/ar_two_currencies/ holds the extract, docs/examples/ar_two_currencies.toml the mapping
(the same text as the README's block, checked below).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import pytest

from commands.cli import main
from queries import portfolio
from queries.filters import Filters

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples"
AS_OF = date(2026, 10, 31)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    db = tmp_path_factory.mktemp("example") / "ar.duckdb"
    code = main(
        [
            "ingest",
            str(EXAMPLE / "ar_two_currencies"),
            "--mapping",
            str(EXAMPLE / "ar_two_currencies.toml"),
            "--db",
            str(db),
            "--quiet",
        ]
    )
    con = duckdb.connect(str(db), read_only=True)
    yield code, con
    con.close()


def test_the_readme_shows_the_example_mapping_as_it_is_tested():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(\[\[file\]\]\npattern = \"ar_invoices.*?)```", readme, re.S)
    assert block is not None
    example = (EXAMPLE / "ar_two_currencies.toml").read_text(encoding="utf-8")
    assert example.split("\n", 1)[1] == block.group(1)


def test_one_command_loads_the_extract_and_quarantines_what_it_cannot_read(loaded):
    code, con = loaded
    # exit 1: rows were rejected and the rest loaded
    assert code == 1
    quarantined = con.sql(
        "select table_name, row_number, rule from quarantine order by table_name, row_number, rule"
    ).fetchall()
    by_row = {(t, n) for t, n, _ in quarantined}
    # row 4 (A-1004, EUR: no EUR rate) loses its payment and its derived EUR contract; row 12
    # (D-4003, invoice date 13/01/2026 is no m/d/Y date) loses its payment
    assert by_row == {("contracts", 4), ("payments", 4), ("payments", 12)}
    rules = {r for _, _, r in quarantined}
    assert (
        "no exchange rate for EUR in fx_rates (load fx_rates.csv with currency, on, "
        "rate_to_reporting)" in rules
    )
    assert (
        "not a date in the declared format %m/%d/%Y (mapping key file['ar_invoices*.csv'].date_format)"
        in rules
    )
    assert con.sql("select count(*) from customers").fetchall() == [(4,)]
    assert con.sql("select contract_id from contracts order by 1").fetchall() == [
        ("OA-ACME-01-CNY",),
        ("OA-BETA-02-USD",),
        ("OA-DELTA-04-USD",),
        ("OA-GAMMA-03-CNY",),
    ]


def test_usd_invoices_are_converted_at_the_rate_in_force_on_their_invoice_date(loaded):
    _, con = loaded
    rows = dict(
        con.sql(
            "select payment_id, amount_due from payments where payment_id like 'B-%' "
            "or payment_id like 'D-%'"
        ).fetchall()
    )
    # USD 7.10 from 2026-01-01, 7.25 from 2026-07-01
    assert rows == {
        "B-2001": 10_000 * 7.10,  # 15 June
        "B-2002": 12_500 * 7.25,  # 20 July
        "B-2003": 8_000 * 7.25,
        "D-4001": 20_000 * 7.10,  # 10 March
        "D-4002": 15_750 * 7.25,
    }


def test_the_overview_figures_are_those_computed_by_hand(loaded):
    _, con = loaded
    assert con.sql("select as_of from warehouse_state").fetchall() == [(AS_OF,)]
    current = portfolio.kpis(con, Filters(as_of=AS_OF)).row(0, named=True)
    # open at 31 October 2026 (issued by then, not paid by then), in CNY:
    #   A-1002  85 500            due 14 Oct: overdue, 17 days
    #   A-1003  64 250            due 19 Nov
    #   B-2002  12 500 × 7.25 =  90 625    due 19 Aug: overdue, 73 days
    #   B-2003  (8 000 − 3 000) × 7.25 = 36 250   due 4 Nov
    #   G-3001  45 000            due 1 Jun: overdue, 152 days (in default: 90+ days)
    #   D-4002  15 750 × 7.25 = 114 187.50  due 11 Nov
    #   A-1001, B-2001, D-4001 paid before their due dates; G-3002 paid on 31 Oct
    assert current["customers"] == 4
    assert current["exposure"] == pytest.approx(
        85_500 + 64_250 + 90_625 + 36_250 + 45_000 + 114_187.5
    )
    assert current["overdue"] == pytest.approx(85_500 + 90_625 + 45_000)
    assert current["overdue_90p"] == pytest.approx(45_000)
    assert current["defaulted_customers"] == 1
    # the dispute on B-2002 is a legal event of Beta Trading (it feeds the legal factor and trigger)
    assert con.sql("select customer_id, kind from risk_events").fetchall() == [
        ("BETA-02", "invoice_dispute")
    ]
