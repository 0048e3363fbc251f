"""Behavioural factors (cm_behaviour) and binned scorecard factors in the policy, by hand.

The real-books tiny warehouse (tests/tiny_warehouse.py build_book): grid 2025-01-31 .. 2025-10-31.
R1: Q1 5000 billed 01-01, due 01-31, never paid, written off 07-30; Q2 2000 billed 05-02, paid
05-20 on time; limit 10 000 (BBB) from 01-01, cut to 4000 on 03-01. R2 (BB, limit 10 000): Q3 2000
billed 01-01 (no issue date: due - 30), due 01-31, paid 06-15; Q4 3000 billed 06-01, due 09-30,
never paid (1000 credited 07-10). R3 (unrated, limit 5000): loan L1 from 06-01, 1000 due 07-01,
08-01 (paid on time) and 09-01 (never paid).
"""

from __future__ import annotations

import math
from datetime import date

import pytest

from data.build import rebuild
from data.policy import SCORECARD_FACTORS, Policy, PolicyError, load_policy
from tests.tiny_warehouse import AS_OF, BOOK_AS_OF, build_book, build_tiny, insert_rows

D = date.fromisoformat


def behaviour(con, customer: str, on: str) -> dict:
    cur = con.execute(
        "select * from cm_behaviour where customer_id = ? and as_of = ?", [customer, D(on)]
    )
    names = [d[0] for d in cur.description]
    return dict(zip(names, cur.fetchone(), strict=True))


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    con, _ = build_book(tmp_path_factory.mktemp("book") / "book.duckdb")
    yield con
    con.close()


def test_every_scorecard_factor_is_a_cm_behaviour_column(book):
    names = [d[0] for d in book.execute("select * from cm_behaviour limit 0").description]
    assert names == ["customer_id", "as_of", *SCORECARD_FACTORS]


def test_delinquency_counts_and_worst_dpd(book):
    # R1 is past due at Feb (28 days), Mar 59, Apr 89, May 120, Jun 150; written off 07-30
    r = behaviour(book, "R1", "2025-07-31")
    assert r["max_dpd"] == 0
    assert r["months_delinquent_3m"] == 2  # May, Jun of May-Jul
    assert r["months_delinquent_6m"] == 5  # Feb-Jun of Feb-Jul
    assert r["months_delinquent_12m"] == 5  # only 7 month-ends of history
    assert r["months_since_late"] == 1  # last late month-end: Jun
    assert r["worst_dpd_12m"] == 150
    assert behaviour(book, "R1", "2025-10-31")["months_since_late"] == 4
    # R2: late Feb-May (Q3), then Oct (Q4 due 09-30: 31 days)
    r = behaviour(book, "R2", "2025-10-31")
    assert (r["months_delinquent_3m"], r["months_delinquent_6m"]) == (1, 2)  # Oct; May, Oct
    assert r["months_delinquent_12m"] == 5
    assert (r["months_since_late"], r["worst_dpd_12m"], r["max_dpd"]) == (0, 120, 31)
    # R3 has never been late before September: no months since a late one
    assert behaviour(book, "R3", "2025-08-31")["months_since_late"] is None
    assert behaviour(book, "R3", "2025-10-31")["months_since_late"] == 0


def test_paid_to_billed_and_its_trend(book):
    # R1 at May: Mar-May billed 2000 (Q2), paid 2000; Jan-May billed 7000, paid 2000; the three
    # month-ends before Mar (only Jan and Feb exist) billed 5000, paid 0
    r = behaviour(book, "R1", "2025-05-31")
    assert r["paid_to_billed_3m"] == 1.0
    assert r["paid_to_billed_6m"] == pytest.approx(2000 / 7000)
    assert r["paid_to_billed_trend"] == 1.0
    # nothing billed Feb-Apr: no ratio
    assert behaviour(book, "R1", "2025-04-30")["paid_to_billed_3m"] is None
    # R2 at Jun: Apr-Jun billed 3000 (Q4), paid 2000 (Q3 on 06-15); Jan-Jun billed 5000;
    # Jan-Mar billed 2000, paid 0
    r = behaviour(book, "R2", "2025-06-30")
    assert r["paid_to_billed_3m"] == pytest.approx(2 / 3)
    assert r["paid_to_billed_6m"] == pytest.approx(0.4)
    assert r["paid_to_billed_trend"] == pytest.approx(2 / 3)
    # R3 at Oct: a loan's rows are billed on their due date (no terms): Aug-Oct billed Q6 (08-01)
    # and Q7 (09-01), 2000; paid Q6, 1000
    r = behaviour(book, "R3", "2025-10-31")
    assert r["paid_to_billed_3m"] == pytest.approx(0.5)


def test_exposure_utilisation_rating_and_limit_changes(book):
    r = behaviour(book, "R1", "2025-07-31")
    # exposure 0 after the write-off, 5000 six month-ends earlier (Jan); utilisation 0 against
    # 5000 / 10 000 in Jan
    assert r["exposure_trend_6m"] == -1.0
    assert r["utilisation_trend_6m"] == -0.5
    assert r["rating_rank"] == 4  # BBB
    assert (r["limit_cuts_12m"], r["limit_increases_12m"]) == (1, 0)  # the cut of 03-01
    assert behaviour(book, "R1", "2025-02-28")["limit_cuts_12m"] == 0
    assert behaviour(book, "R1", "2025-03-31")["utilisation"] == 1.25  # 5000 / 4000
    r = behaviour(book, "R3", "2025-01-31")
    # unrated; fewer than 7 month-ends of history: no trends; nothing due yet: no late share
    assert r["rating_rank"] is None
    assert r["exposure_trend_6m"] is None and r["utilisation_trend_6m"] is None
    assert r["late_share_12m"] is None
    assert behaviour(book, "R3", "2025-09-30")["late_share_12m"] == pytest.approx(1 / 3)


def test_limit_increase_and_nothing_after_t(tmp_path):
    con, _ = build_book(tmp_path / "book.duckdb")
    before = con.execute(
        "select * from cm_behaviour where as_of <= date '2025-08-31' order by all"
    ).fetchall()
    # a limit increase for R2 and events dated after 2025-08-31 change nothing at or before it
    insert_rows(
        con, "credit_reviews", [("V3", "R2", D("2025-09-15"), 20_000.0, "B", "cfo", "raised")]
    )
    insert_rows(
        con,
        "risk_events",
        [
            ("F1", "R2", D("2025-09-05"), "legal", "litigation", 3, "court", None),
            ("F2", "R2", D("2025-09-06"), "credit", "rating_downgrade", 3, "agency", None),
        ],
    )
    rebuild(con, as_of=BOOK_AS_OF)
    after = con.execute(
        "select * from cm_behaviour where as_of <= date '2025-08-31' order by all"
    ).fetchall()
    assert after == before
    r = behaviour(con, "R2", "2025-09-30")
    assert (r["limit_increases_12m"], r["limit_cuts_12m"]) == (1, 0)
    assert r["utilisation"] == pytest.approx(2000 / 20_000)
    assert r["rating_rank"] == 6  # B from the review
    assert (r["legal_events_12m"], r["credit_events_12m"], r["operational_events_12m"]) == (1, 1, 0)
    con.close()


def test_of_two_reviews_on_one_day_the_greatest_review_id_is_in_force(tmp_path):
    con, _ = build_book(tmp_path / "book.duckdb")
    # inserted greatest id first: the order of the rows must not matter
    insert_rows(
        con,
        "credit_reviews",
        [
            ("V9", "R2", D("2025-09-15"), 8_000.0, "BB", "cfo", "second decision"),
            ("V10", "R2", D("2025-09-15"), 20_000.0, "B", "cfo", "first decision"),
        ],
    )
    rebuild(con, as_of=BOOK_AS_OF)
    # 'V9' > 'V10' as text: V9's limit and rating are in force from 09-15
    r = behaviour(con, "R2", "2025-09-30")
    assert r["utilisation"] == pytest.approx(2000 / 8_000)  # Q4: 3000 less 1000 credited
    assert r["rating_rank"] == 5  # BB
    limit = con.execute(
        "select credit_limit, external_rating from customer_month "
        "where customer_id = 'R2' and as_of = date '2025-09-30'"
    ).fetchone()
    assert limit == (8_000.0, "BB")
    con.close()


def test_event_counts_over_365_days(tmp_path):
    con, _ = build_tiny(tmp_path / "tiny.duckdb")
    # C2: operational 2025-11-01, legal 2026-02-01; C1: credit (rating downgrade) 2026-03-01
    r = behaviour(con, "C2", AS_OF.isoformat())
    assert (r["operational_events_12m"], r["legal_events_12m"], r["credit_events_12m"]) == (1, 1, 0)
    assert behaviour(con, "C2", "2026-01-31")["legal_events_12m"] == 0
    assert behaviour(con, "C1", "2026-02-28")["credit_events_12m"] == 0
    assert behaviour(con, "C1", AS_OF.isoformat())["credit_events_12m"] == 1
    con.close()


# --- binned factors in the policy file ----------------------------------------------------------


def scorecard_policy(**scorecard) -> Policy:
    raw = load_policy().to_dict()
    raw["weights"] = {k: 0.0 for k in raw["weights"]}
    raw["scorecard"] = scorecard
    return Policy.from_dict(raw)


CARD = {
    "rating_rank": {"edges": [5.0], "points": [0.0, 20.0], "missing": 50.0},
    "months_delinquent_3m": {"edges": [1.0, 3.0], "points": [0.0, 10.0, 30.0], "missing": 5.0},
}


def test_default_policy_has_no_scorecard():
    policy = load_policy()
    assert dict(policy.scorecard) == {}
    assert policy.scorecard_params()["scorecard_factors"] == []


@pytest.mark.parametrize(
    ("card", "key"),
    [
        ({"nonsense": {"edges": [], "points": [0.0], "missing": 0.0}}, "scorecard.nonsense"),
        ({"max_dpd": {"edges": [2.0, 1.0], "points": [0, 1, 2], "missing": 0}}, "scorecard.max_dpd.edges"),
        ({"max_dpd": {"edges": [1.0], "points": [0.0], "missing": 0.0}}, "scorecard.max_dpd.points"),
        ({"max_dpd": {"edges": [1.0], "points": [0.0, 101.0], "missing": 0.0}}, "scorecard.max_dpd.points[1]"),
        ({"max_dpd": {"edges": [1.0], "points": [0.0, 1.0]}}, "scorecard.max_dpd.missing"),
        ({"max_dpd": {"edges": [1.0], "points": [0.0, 60.0], "missing": 0.0},
          "worst_dpd_12m": {"edges": [], "points": [50.0], "missing": 0.0}}, "scorecard"),
    ],
)  # fmt: skip
def test_scorecard_validation_names_the_key(card, key):
    with pytest.raises(PolicyError) as err:
        scorecard_policy(**card)
    assert err.value.key == key


def test_weights_with_a_scorecard_leave_room_for_its_points():
    raw = load_policy().to_dict()
    raw["scorecard"] = {"max_dpd": {"edges": [1.0], "points": [0.0, 1.0], "missing": 0.0}}
    with pytest.raises(PolicyError) as err:  # weights sum to 1: no room for a point
        Policy.from_dict(raw)
    assert err.value.key == "scorecard"
    raw["weights"] = {k: v / 2 for k, v in raw["weights"].items()}
    assert Policy.from_dict(raw).scorecard["max_dpd"].points == (0.0, 1.0)


def test_scorecard_round_trips_through_toml_and_entries(tmp_path):
    policy = scorecard_policy(**CARD)
    assert list(policy.scorecard) == ["rating_rank", "months_delinquent_3m"]  # vocabulary order
    file = tmp_path / "card.toml"
    file.write_text(policy.to_toml(), encoding="utf-8")
    assert load_policy(file) == policy
    assert Policy.from_entries(policy.flat()) == policy


def test_bins_are_lower_inclusive():
    bins = scorecard_policy(**CARD).scorecard["months_delinquent_3m"]
    assert [bins.points_for(v) for v in (0.0, 0.99, 1.0, 2.0, 3.0, 7.0, None, math.nan)] == [
        0.0, 0.0, 10.0, 10.0, 30.0, 30.0, 5.0, 5.0,
    ]  # fmt: skip


def test_the_build_scores_binned_factors(tmp_path):
    policy = scorecard_policy(**CARD)
    con, _ = build_book(tmp_path / "book.duckdb", policy=policy)

    def score(customer: str, on: str) -> float:
        return con.execute(
            "select score from customer_month where customer_id = ? and as_of = ?",
            [customer, D(on)],
        ).fetchone()[0]

    assert score("R1", "2025-03-31") == 10.0  # 2 delinquent of 3 -> 10, BBB (rank 4 < 5) -> 0
    assert score("R1", "2025-05-31") == 30.0  # 3 of 3 -> 30
    assert score("R2", "2025-05-31") == 50.0  # BB (rank 5) -> 20, 3 of 3 -> 30
    assert score("R3", "2025-01-31") == 50.0  # unrated -> missing 50, 0 of 1 -> 0
    points = con.execute(
        "select factor, bin_no, points from cm_scorecard"
        " where customer_id = 'R2' and as_of = date '2025-05-31' order by position"
    ).fetchall()
    assert points == [("rating_rank", 2, 20.0), ("months_delinquent_3m", 3, 30.0)]
    # the build's scores are Policy.score's, exactly, on every customer-month
    rows = con.execute(
        "select b.*, m.score from cm_behaviour as b inner join customer_month as m"
        " using (customer_id, as_of)"
    )
    names = [d[0] for d in rows.description]
    for row in rows.fetchall():
        values = dict(zip(names, row, strict=True))
        zeros = dict.fromkeys(policy.weights, 0.0)
        assert values["score"] == policy.score(zeros, values)
    con.close()
