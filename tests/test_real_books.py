"""The rules real books need, on a tiny book computed by hand (tests/tiny_warehouse.py BOOK_*):
billing dates, write-offs and recoveries, credit notes, rows owed after their contract ended, cures,
PD 1 in default, limits and ratings as they were, observed LGD, and exposure = receivables on
invoices. Built as of 2025-10-31 with the shipped policy (cure after 3 clean month-ends with max DPD
<= 30; LGD prior 0.45, 30 written-off rows before a segment's observed LGD is used)."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from data.policy import DEFAULT_POLICY, Policy
from tests.tiny_warehouse import build_book

D = date.fromisoformat


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    con, _ = build_book(tmp_path_factory.mktemp("book") / "book.duckdb")
    yield con
    con.close()


def month(con: duckdb.DuckDBPyConnection, customer: str, as_of: str, *columns: str) -> tuple:
    sql = f"select {', '.join(columns)} from customer_month where customer_id = $c and as_of = $d"
    rows = con.sql(sql, params={"c": customer, "d": D(as_of)}).fetchall()
    assert len(rows) == 1, (customer, as_of)
    return rows[0]


def test_invoice_issued_after_the_date_is_not_exposure(book: duckdb.DuckDBPyConnection) -> None:
    # Q2 (2000, due 05-20) was issued 05-02: at 04-30 only Q1 5000 is owed, although 30 days'
    # terms would have put the invoice at 04-20
    assert month(book, "R1", "2025-04-30", "exposure") == (5000.0,)
    # issued 05-02 and paid 05-20: in and out within May
    assert month(book, "R1", "2025-05-31", "exposure") == (5000.0,)


def test_a_loans_future_principal_is_exposure_from_its_start(
    book: duckdb.DuckDBPyConnection,
) -> None:
    # L1 starts 06-01 with three instalments of 1000 due 07-01, 08-01, 09-01
    exposure = [
        month(book, "R3", d, "exposure")[0]
        for d in ("2025-05-31", "2025-06-30", "2025-07-31", "2025-08-31")
    ]
    assert exposure == [0.0, 3000.0, 2000.0, 1000.0]


def test_write_off_leaves_exposure_enters_losses_then_a_recovery(
    book: duckdb.DuckDBPyConnection,
) -> None:
    # Q1 5000, due 01-31, 180 days past due on 07-30: written off that day
    assert month(book, "R1", "2025-06-30", "exposure", "max_dpd", "written_off") == (
        5000.0,
        150,
        0.0,
    )
    assert month(book, "R1", "2025-07-31", "exposure", "overdue_amount", "written_off") == (
        0.0,
        0.0,
        5000.0,
    )
    # 1000 recovered on 09-15: cash, not exposure
    assert month(book, "R1", "2025-09-30", "exposure", "recovered") == (0.0, 1000.0)
    # the segment's observed LGD: 1 - 1000 / 5000 = 0.8 from 1 written-off row; with the prior
    # 0.45 weighing 20 rows the posterior is (0.8 + 20 * 0.45) / 21; below 30 rows the prior is used
    row = book.sql(
        "select observations, observed_lgd, posterior_lgd, lgd_unsecured_used, source"
        " from lgd_calibration where segment = 'sme'"
    ).fetchall()[0]
    assert row == (1, pytest.approx(0.8), pytest.approx(9.8 / 21), 0.45, "prior")


def test_observed_lgd_is_used_once_a_segment_has_enough_write_offs(tmp_path: Path) -> None:
    raw = tomllib.loads(DEFAULT_POLICY.read_text(encoding="utf-8"))
    raw["lgd"]["min_observations"] = 1
    con, _ = build_book(tmp_path / "book.duckdb", policy=Policy.from_dict(raw))
    used = con.sql(
        "select lgd_unsecured_used, source from lgd_calibration where segment = 'sme'"
    ).fetchall()
    assert used == [(pytest.approx(9.8 / 21), "observed")]
    # R2 (sme, unsecured) in default at 06-30 owes 3000: EL = 1 * (9.8 / 21) * 3000 = 1400
    assert month(con, "R2", "2025-06-30", "lgd", "expected_loss") == (
        pytest.approx(9.8 / 21),
        pytest.approx(1400.0),
    )
    con.close()


def test_credit_note_reduces_what_is_owed(book: duckdb.DuckDBPyConnection) -> None:
    # Q4 3000 issued 06-01, 1000 credited on 07-10
    assert month(book, "R2", "2025-06-30", "exposure") == (3000.0,)
    assert month(book, "R2", "2025-07-31", "exposure") == (2000.0,)


def test_rows_stay_owed_after_their_contract_ends(book: duckdb.DuckDBPyConnection) -> None:
    # S1 completed on 06-30; Q1 is still owed (and overdue) until written off on 07-30
    assert month(book, "R1", "2025-06-30", "exposure", "overdue_amount") == (5000.0, 5000.0)
    # L1 completed 09-30 but Q7 (1000, due 09-01) is unpaid: 60 days past due at 10-31
    assert month(book, "R3", "2025-10-31", "exposure", "max_dpd") == (1000.0, 60)


def test_cure_after_three_clean_month_ends(book: duckdb.DuckDBPyConnection) -> None:
    # R2: Q3 (due 01-31) is 120 days past due at 05-31: default; paid 06-15, then clean at 06-30,
    # 07-31 and 08-31 (DPD 0, nothing written off): cured at 08-31
    states = [
        month(book, "R2", d, "defaulted", "default_exit")
        for d in (
            "2025-04-30",
            "2025-05-31",
            "2025-06-30",
            "2025-07-31",
            "2025-08-31",
            "2025-09-30",
        )
    ]
    assert states == [
        (False, None),
        (True, None),
        (True, None),
        (True, None),
        (False, "cured"),
        (False, None),
    ]


def test_written_off_default_leaves_default_as_a_loss(book: duckdb.DuckDBPyConnection) -> None:
    # R1: 120 days at 05-31; the write-off month 07-31 is not clean; 08-31, 09-30, 10-31 are
    states = [
        month(book, "R1", d, "defaulted", "default_exit")
        for d in ("2025-05-31", "2025-07-31", "2025-09-30", "2025-10-31")
    ]
    assert states == [(True, None), (True, None), (True, None), (False, "written_off")]


def test_in_default_pd_is_1_and_el_is_lgd_times_ead(book: duckdb.DuckDBPyConnection) -> None:
    # R2 at 06-30: in default (probation), 3000 owed, unsecured: EL = 1 * 0.45 * 3000 = 1350; its
    # grade keeps its own PD (B's prior 0.02, no history)
    assert month(book, "R2", "2025-06-30", "grade", "grade_pd", "pd", "expected_loss") == (
        "B",
        0.02,
        1.0,
        pytest.approx(1350.0),
    )
    # cured at 08-31: back to the grade's PD: 0.02 * 0.45 * 2000 = 18
    assert month(book, "R2", "2025-08-31", "pd", "expected_loss") == (0.02, pytest.approx(18.0))


def test_limit_and_rating_as_they_were(book: duckdb.DuckDBPyConnection) -> None:
    # R1's limit was 10 000 from 01-01 and cut to 4000 on 03-01 (the customer row says 4000 today):
    # February's utilisation uses the old limit, March's the new one
    assert month(book, "R1", "2025-02-28", "credit_limit", "utilisation", "triggers") == (
        10000.0,
        0.5,
        ["concentration"],
    )
    limit, utilisation, triggers = month(
        book, "R1", "2025-03-31", "credit_limit", "utilisation", "triggers"
    )
    assert (limit, utilisation) == (4000.0, 1.25) and "limit_breach" in triggers
    # the March review states no rating: BBB from January stays in force, not today's B
    assert month(book, "R1", "2025-03-31", "external_rating", "rating_score") == ("BBB", 20.0)
    # R3 has no review: its own values
    assert month(book, "R3", "2025-06-30", "credit_limit", "external_rating") == (5000.0, None)


def test_latest_review_counts_credit_reviews(book: duckdb.DuckDBPyConnection) -> None:
    assert month(book, "R1", "2025-02-28", "last_review") == (D("2025-01-01"),)
    assert month(book, "R1", "2025-10-31", "last_review") == (D("2025-03-01"),)


def test_collections_flows_add_up(book: duckdb.DuckDBPyConnection) -> None:
    rows = book.sql(
        "select as_of, sum(opening_receivables), sum(credit_sales), sum(collected),"
        " sum(written_off), sum(credited), sum(recovered), sum(receivables)"
        " from collections_month group by as_of order by as_of"
    ).fetchall()
    by_date = {r[0]: r[1:] for r in rows}
    # July: 8000 open (Q1 5000 + Q4 3000); Q5 1000 billed and paid on 07-01; Q1 written off 5000;
    # 1000 of Q4 credited: 2000 left
    assert by_date[D("2025-07-31")] == (8000.0, 1000.0, 1000.0, 5000.0, 1000.0, 0.0, 2000.0)
    # September: Q7 billed 1000 and unpaid; 1000 recovered on Q1 (cash, not a collection)
    assert by_date[D("2025-09-30")] == (2000.0, 1000.0, 0.0, 0.0, 0.0, 1000.0, 3000.0)
    for opening, sales, collected, written_off, credited, _, closing in by_date.values():
        assert opening + sales - collected - written_off - credited == pytest.approx(closing)


def test_exposure_equals_receivables_on_invoices(book: duckdb.DuckDBPyConnection) -> None:
    # R1 and R2 hold sales invoices only; R3's loan is exposure before it is billed
    exposure = dict(
        book.sql(
            "select as_of, sum(exposure) from customer_month where customer_id in ('R1', 'R2')"
            " group by as_of"
        ).fetchall()
    )
    receivables = dict(
        book.sql(
            "select as_of, sum(receivables) from collections_month where segment = 'sme'"
            " group by as_of"
        ).fetchall()
    )
    assert exposure == pytest.approx(receivables)
    assert exposure[D("2025-06-30")] == 8000.0  # Q1 5000 + Q4 3000


def test_customer_page_rows_follow_write_offs_and_credit_notes(
    book: duckdb.DuckDBPyConnection,
) -> None:
    from queries import customer

    contracts = customer.contracts(book, customer_id="R1", as_of=D("2025-10-31"))
    # S1: Q1 5000 written off on 07-30, Q2 paid: nothing owed, 5000 written off
    assert contracts.select("contract_id", "outstanding", "overdue", "written_off").rows() == [
        ("S1", 0.0, 0.0, 5000.0)
    ]
    # before the write-off, on 2025-06-30, Q1 is owed and overdue
    before = customer.contracts(book, customer_id="R1", as_of=D("2025-06-30"))
    assert before.select("outstanding", "overdue", "written_off").rows() == [(5000.0, 5000.0, 0.0)]
    payments = customer.payments(book, customer_id="R2", as_of=D("2025-10-31"))
    q4 = payments.filter(pl.col("payment_id") == "Q4").row(0, named=True)
    # Q4 3000 issued 06-01, 1000 credited: 2000 owed, 31 days late at 10-31
    assert (q4["issued_on"], q4["outstanding"], q4["credited"], q4["days_late"]) == (
        D("2025-06-01"),
        2000.0,
        1000.0,
        31,
    )


def test_bad_rows_of_the_new_tables_go_to_the_quarantine_with_their_rule(tmp_path: Path) -> None:
    from data import warehouse
    from data.ingest import load_files

    folder = tmp_path / "extract"
    folder.mkdir()
    (folder / "customers.csv").write_text(
        "customer_id,name,industry,region,segment,onboarded_on,annual_revenue,external_rating,"
        "credit_limit,owner,status\nC1,Alpha,Retail,North,sme,2025-01-01,,BB,1000,ana,active\n"
    )
    (folder / "contracts.csv").write_text(
        "contract_id,customer_id,kind,signed_on,start_on,end_on,amount,currency,"
        "payment_terms_days,collateral_value,status,approved_by,last_reviewed_on\n"
        "K1,C1,sales,2025-01-01,2025-01-01,2025-12-31,500,CNY,30,0,active,,\n"
    )
    (folder / "payments.csv").write_text(
        "payment_id,contract_id,issued_on,due_on,amount_due,paid_on,amount_paid\n"
        "P1,K1,2025-01-05,2025-02-04,300,2025-02-01,100\n"
        "P2,K1,2025-03-05,2025-02-04,200,,0\n"  # issued after it is due
    )
    (folder / "adjustments.csv").write_text(
        "adjustment_id,payment_id,kind,occurred_on,amount,note\n"
        "A1,P1,write_off,2025-08-01,150,\n"  # 150 of the 200 still owed: fine
        "A2,P1,credit_note,2025-08-02,100,\n"  # 150 + 100 > 200 owed
        "A3,P1,recovery,2025-07-01,10,\n"  # before any write-off
        "A4,P1,refund,2025-08-03,1,\n"  # unknown kind
        "A5,P1,recovery,2025-09-01,40,\n"  # within the 150 written off: fine
    )
    (folder / "credit_reviews.csv").write_text(
        "review_id,customer_id,effective_on,credit_limit,external_rating,decided_by,note\n"
        "R1,C1,2025-03-01,-5,BB,cfo,\n"  # negative limit
        "R2,C1,2025-04-01,800,,cfo,\n"
    )
    con = warehouse.connect(tmp_path / "w.duckdb")
    result = load_files(con, [folder])
    assert result.exit_code == 1  # some rows rejected, the rest loaded
    quarantined = con.sql(
        "select table_name, row_number, column_name, rule from quarantine order by 1, 2"
    ).fetchall()
    assert quarantined == [
        (
            "adjustments",
            2,
            "amount",
            "write-offs and credit notes of payment P1 would exceed what it owes (200.00)",
        ),
        (
            "adjustments",
            3,
            "kind",
            "a recovery needs an earlier write-off of payment P1 at least as large "
            "(recovered 10.00, written off by then 0.00)",
        ),
        ("adjustments", 4, "kind", "must be one of ['write_off', 'recovery', 'credit_note']"),
        ("credit_reviews", 1, "credit_limit", "must be >= 0"),
        ("payments", 2, "issued_on", "issued_on <= due_on"),
    ]
    loaded = {
        table: con.sql(f"select count(*) from {table}").fetchall()[0][0]
        for table in ("payments", "adjustments", "credit_reviews")
    }
    assert loaded == {"payments": 1, "adjustments": 2, "credit_reviews": 1}
    # the loaded write-off lowers exposure: 300 - 100 paid - 150 written off = 50
    assert con.sql(
        "select exposure from customer_month where as_of = (select max(as_of) from customer_month)"
    ).fetchall() == [(50.0,)]
    con.close()


def test_a_warehouse_built_by_an_earlier_release_is_rebuilt_from_its_own_rows(
    tmp_path: Path,
) -> None:
    from data import warehouse
    from data.build import BUILD_VERSION, is_current, upgrade

    path = tmp_path / "book.duckdb"
    con, _ = build_book(path)
    assert is_current(con)
    # as an earlier release left it: older definitions, and a derived table of theirs
    con.execute("update warehouse_state set build_version = $v", {"v": BUILD_VERSION - 1})
    con.execute("drop table lgd_calibration")
    con.execute("checkpoint")
    con.close()
    assert upgrade(str(path)) is True
    con = warehouse.connect(path, read_only=True)
    assert is_current(con)
    assert con.sql("select count(*) from lgd_calibration").fetchall() == [(2,)]
    assert con.sql("select count(*) from adjustments").fetchall() == [(3,)]  # its rows kept
    con.close()
    assert upgrade(str(path)) is False  # current: nothing to do
