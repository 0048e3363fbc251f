"""queries/customer.py on the tiny warehouse (tests/tiny_warehouse.py, as of 2026-03-17), answers
worked out by hand from its contracts and payments, and on a hand-made watchlist_spells."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl
import pytest

from queries import customer
from tests.tiny_warehouse import AS_OF, build_tiny

D = date.fromisoformat


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    connection, _ = build_tiny(tmp_path_factory.mktemp("tiny_customer") / "tiny.duckdb")
    yield connection
    connection.close()


def rows(frame: pl.DataFrame, *columns: str) -> list[tuple]:
    return frame.select(columns).rows()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # every name but "Epsilon Foods" has an "a"; exposures at 2026-03-17: C4 20 000, C1 8 000,
        # C2 4 000 and C3 4 000 (equal: by id) (37 500 in all with C5's 1 500)
        ("a", ["C4", "C1", "C2", "C3"]),
        ("FOODS", ["C5"]),
        (" c5 ", ["C5"]),
        ("%", []),  # a literal character, not a wildcard
        ("'; drop table customers; --", []),
    ],
)
def test_search_by_name_or_id_largest_exposure_first(con, text, expected):
    found = customer.search(con, text=text, as_of=AS_OF)
    assert found["customer_id"].to_list() == expected


def test_search_gives_exposure_zero_before_a_customers_first_grid_date(con):
    found = customer.search(con, text="epsilon", as_of=D("2025-10-31"))  # C5 onboarded 11-20
    assert rows(found, "customer_id", "exposure") == [("C5", 0.0)]


def test_profile_now_before_onboarding_and_unknown(con):
    now = customer.profile(con, customer_id="C1", as_of=AS_OF).row(0, named=True)
    assert (now["name"], now["credit_limit"], now["exposure"], now["grade"]) == (
        "Alpha Manufacturing",
        10_000.0,
        8_000.0,
        "C",
    )
    early = customer.profile(con, customer_id="C5", as_of=D("2025-10-31")).row(0, named=True)
    assert early["name"] == "Epsilon Foods" and early["exposure"] is None and early["grade"] is None
    assert customer.profile(con, customer_id="NOPE", as_of=AS_OF).is_empty()


def test_history_runs_from_the_first_grid_date_to_as_of(con):
    history = customer.history(con, customer_id="C5", as_of=D("2026-01-31"))
    assert history["as_of"].to_list() == [D("2025-11-30"), D("2025-12-31"), D("2026-01-31")]
    # C5's contract K7 (3 000 in two invoices, 30 days' terms): at 2025-12-31 only P15 (due 01-10)
    # is issued; P15 is paid on 01-09 and P16 (due 02-10) issued on 01-11
    assert history["exposure"].to_list() == [0.0, 1_500.0, 1_500.0]
    assert customer.history(con, customer_id="C5", as_of=AS_OF).height == 5


def test_explanation_has_six_factors_summing_to_the_score(con):
    explanation = customer.explanation(con, customer_id="C1", as_of=AS_OF)
    assert explanation.height == 6
    assert explanation["contribution"].to_list() == sorted(
        explanation["contribution"], reverse=True
    )
    assert explanation["contribution"].sum() == pytest.approx(46.333333, abs=1e-5)


def test_contract_outstanding_and_overdue_at_as_of(con):
    got = customer.contracts(con, customer_id="C1", as_of=AS_OF)
    # K1: P2 3 000 (paid only on 03-20) + P3 2 000 (1 000 of 3 000 paid) + P4 3 000 not yet due;
    # overdue = P2 + P3. K2: P5 5 000, due in May. Newest signature first.
    assert rows(got, "contract_id", "outstanding", "overdue") == [
        ("K2", 5_000.0, 0.0),
        ("K1", 8_000.0, 5_000.0),
    ]
    earlier = customer.contracts(con, customer_id="C1", as_of=D("2026-01-31"))
    # at 01-31: P2 overdue 3 000, P3 and P4 not yet due (3 000 each)
    assert rows(earlier, "contract_id", "outstanding", "overdue")[1] == ("K1", 9_000.0, 3_000.0)


def test_payments_with_days_late(con):
    got = customer.payments(con, customer_id="C2", as_of=AS_OF)
    # P6 paid on its due date; P8 too; P7 unpaid since 01-31 (45 days to 03-17); P9 paid 9 days
    # late; P10 unpaid since 03-01 (16 days); P11 (due 04-01) is after the as-of date
    assert rows(got, "payment_id", "days_late", "outstanding") == [
        ("P6", 0, 0.0),
        ("P8", 0, 0.0),
        ("P7", 45, 2_000.0),
        ("P9", 9, 0.0),
        ("P10", 16, 1_000.0),
    ]
    c1 = customer.payments(con, customer_id="C1", as_of=AS_OF)
    # P1 paid 5 days early; P2 paid after the as-of date: 61 days late at 03-17; P3 partly paid: 30
    assert rows(c1, "payment_id", "days_late", "outstanding") == [
        ("P1", -5, 0.0),
        ("P2", 61, 3_000.0),
        ("P3", 30, 2_000.0),
    ]


def test_events_up_to_as_of_newest_first(con):
    got = customer.events(con, customer_id="C2", as_of=AS_OF)
    assert rows(got, "occurred_on", "kind") == [
        (D("2026-02-01"), "litigation"),
        (D("2025-11-01"), "production_halt"),
    ]
    assert customer.events(con, customer_id="C2", as_of=D("2025-12-31")).height == 1


def test_spells_on_the_tiny_warehouse(con):
    # C3 on the list from the first grid date; bankrupt on 2026-02-10, defaulted from 02-28
    at_year_end = customer.spells(con, customer_id="C3", as_of=D("2025-12-31"))
    assert rows(at_year_end, "entered_on", "left_on", "months_on", "outcome") == [
        (D("2025-10-31"), None, 3, "on_list")
    ]
    now = customer.spells(con, customer_id="C3", as_of=AS_OF)
    assert rows(now, "months_on", "outcome") == [(6, "defaulted")]
    assert customer.spells(con, customer_id="C2", as_of=D("2025-10-31")).is_empty()


@pytest.fixture(scope="module")
def spells_con() -> duckdb.DuckDBPyConnection:
    """X1: on the list Jan-Feb (left at Mar, cured), again from Apr; defaulted in May."""
    connection = duckdb.connect()
    grid = [D(d) for d in ("2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31")]
    connection.execute("create table month_grid as select unnest($g::date[]) as as_of", {"g": grid})
    connection.execute(
        "create table customer_month as select 'X1' as customer_id, as_of, "
        "as_of = date '2026-05-31' as defaulted from month_grid"
    )
    connection.execute(
        """
        create table watchlist_spells as select * from (values
            ('X1', date '2026-01-31', date '2026-03-31', 2, ['overdue'], 'cured'),
            ('X1', date '2026-04-30', null, 2, ['legal'], 'defaulted')
        ) as s(customer_id, entered_on, left_on, months_on, entry_triggers, outcome)
        """
    )
    yield connection
    connection.close()


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        # in February the first spell is still open: not yet left, two months so far
        ("2026-02-28", [(D("2026-01-31"), None, 2, "on_list")]),
        ("2026-03-31", [(D("2026-01-31"), D("2026-03-31"), 2, "cured")]),
        # in April the second spell is open and the default is still to come
        (
            "2026-04-30",
            [(D("2026-04-30"), None, 1, "on_list"), (D("2026-01-31"), D("2026-03-31"), 2, "cured")],
        ),
        (
            "2026-05-31",
            [
                (D("2026-04-30"), None, 2, "defaulted"),
                (D("2026-01-31"), D("2026-03-31"), 2, "cured"),
            ],
        ),
    ],
)
def test_spells_are_seen_from_the_as_of_date(spells_con, as_of, expected):
    got = customer.spells(spells_con, customer_id="X1", as_of=D(as_of))
    assert rows(got, "entered_on", "left_on", "months_on", "outcome") == expected
