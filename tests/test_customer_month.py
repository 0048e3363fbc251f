"""customer_month, score_explanation and pd_calibration on tiny warehouses computed by hand.

The tiny warehouse (tests/tiny_warehouse.py) is built as of 2026-03-17 with the shipped policy:
weights dpd .30, late .15, rating .20, utilisation .15, operational .10, legal .10; DPD cap 90 days;
utilisation cap 1.0; ratings BBB 20, BB 40, A 10, CCC 80, unrated 50; severity 3 -> 20, 4 -> 35.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import duckdb
import pytest

from data.build import default_as_of, last_month_end_on_or_before, rebuild
from data.policy import DEFAULT_POLICY, FACTORS, Policy, load_policy
from data.warehouse import connect, load_version
from schemas.derived import (
    CustomerMonth,
    MonthGrid,
    PdCalibration,
    PolicyFactors,
    PolicyInForce,
    ScoreExplanation,
)
from tests.tiny_warehouse import (
    AS_OF,
    CONTRACTS,
    CUSTOMERS,
    EVENTS,
    PAYMENTS,
    build_calibration,
    build_tiny,
    insert_rows,
)

D = date.fromisoformat
POLICY = load_policy()


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    connection, _result = build_tiny(tmp_path_factory.mktemp("tiny") / "tiny.duckdb")
    yield connection
    connection.close()


def fetch(con: duckdb.DuckDBPyConnection, sql: str, **params: object) -> list[tuple]:
    return con.sql(sql, params=params or None).fetchall()


def by_customer(con: duckdb.DuckDBPyConnection, column: str, as_of: date = AS_OF) -> dict:
    """customer_id -> `column` of customer_month at `as_of`."""
    sql = f"select customer_id, {column} from customer_month where as_of = $d"
    return dict(fetch(con, sql, d=as_of))


def row(con: duckdb.DuckDBPyConnection, customer_id: str, as_of: date) -> dict:
    frame = con.sql(
        "select * from customer_month where customer_id = $c and as_of = $d",
        params={"c": customer_id, "d": as_of},
    ).pl()
    assert frame.height == 1, (customer_id, as_of)
    return frame.row(0, named=True)


def test_grid_is_month_ends_plus_the_mid_month_as_of(con: duckdb.DuckDBPyConnection) -> None:
    grid = [r[0] for r in con.sql("select as_of from month_grid order by as_of").fetchall()]
    # first activity: K1 starts 2025-10-01
    month_ends = ["2025-10-31", "2025-11-30", "2025-12-31", "2026-01-31", "2026-02-28"]
    assert grid == [*map(D, month_ends), AS_OF]


def test_one_row_per_customer_from_onboarding(con: duckdb.DuckDBPyConnection) -> None:
    counts = dict(con.sql("select customer_id, count(*) from customer_month group by 1").fetchall())
    # C5 onboarded 2025-11-20, so its first row is 2025-11-30; the others start at 2025-10-31
    assert counts == {"C1": 6, "C2": 6, "C3": 6, "C4": 6, "C5": 5}


@pytest.mark.parametrize(
    ("customer", "exposure", "overdue", "max_dpd", "bucket", "utilisation", "late", "due"),
    [
        # C1 (limit 10 000): P2 3000 (paid 03-20, after as-of) + P3 3000-1000 + P4 3000 = 8000;
        # overdue P2 3000 + P3 2000; DPD P2 = 03-17 - 01-15 = 61; late P2, P3 of P1..P3 due
        ("C1", 8000.0, 5000.0, 61, "61-90", 0.8, 2, 3),
        # C2 (limit 5000): K3 completed 01-31 but its unpaid P7 2000 stays owed; K4 P10 + P11 = 2000;
        # overdue P7 (03-17 - 01-31 = 45 days) + P10 (16 days) = 3000;
        # due in [2025-03-17, 03-17): P6 on time, P7 unpaid, P8 on time, P9 late, P10 unpaid
        ("C2", 4000.0, 3000.0, 45, "31-60", 0.8, 3, 5),
        # C3 (limit 0, no utilisation): P12 4000 unpaid since 2025-12-01: 90 + 16 = 106 days
        ("C3", 4000.0, 4000.0, 106, "90+", None, 1, 1),
        # C4 (limit 100 000): P13 prepaid 2025-12-28, P14 20 000 not due yet
        ("C4", 20000.0, 0.0, 0, "current", 0.2, 0, 1),
        # C5 (limit 3000): P16 1500 unpaid since 02-10: 18 + 17 = 35 days
        ("C5", 1500.0, 1500.0, 35, "31-60", 0.5, 1, 2),
    ],
)
def test_exposure_and_overdue_at_as_of(
    con: duckdb.DuckDBPyConnection,
    customer: str,
    exposure: float,
    overdue: float,
    max_dpd: int,
    bucket: str,
    utilisation: float | None,
    late: int,
    due: int,
) -> None:
    r = row(con, customer, AS_OF)
    assert r["exposure"] == exposure
    assert r["overdue_amount"] == overdue
    assert r["max_dpd"] == max_dpd
    assert r["aging_bucket"] == bucket
    assert r["utilisation"] == (pytest.approx(utilisation) if utilisation is not None else None)
    assert (r["late_payments_12m"], r["due_payments_12m"]) == (late, due)


@pytest.mark.parametrize(
    ("customer", "grade", "grade_pd", "pd", "lgd", "expected_loss"),
    [
        # collateral 2000 (K2's 1000 not started): 0.45 * (1 - 2000 * 0.6 / 8000) = 0.3825;
        # EL = 0.08 (C prior, no history) * 0.3825 * 8000 = 244.8
        ("C1", "C", 0.08, 0.08, 0.3825, 244.8),
        # collateral 10 000 * 0.6 = 6000 >= 4000: 0.45 * 0 -> floor 0.05; EL = 0.08 * 0.05 * 4000 = 16
        ("C2", "C", 0.08, 0.08, 0.05, 16.0),
        # in default (106 DPD): PD 1 whatever its grade; EL = LGD x EAD = 0.45 * 4000 = 1800
        ("C3", "D", 0.30, 1.0, 0.45, 1800.0),
        # 50 000 * 0.6 >= 20 000: floor 0.05; EL = 0.005 (A) * 0.05 * 20 000 = 5
        ("C4", "A", 0.005, 0.005, 0.05, 5.0),
        # in default (K7 marked defaulted): EL = 0.45 * 1500 = 675, its grade B still shown
        ("C5", "B", 0.02, 1.0, 0.45, 675.0),
    ],
)
def test_pd_lgd_expected_loss(
    con: duckdb.DuckDBPyConnection,
    customer: str,
    grade: str,
    grade_pd: float,
    pd: float,
    lgd: float,
    expected_loss: float,
) -> None:
    r = row(con, customer, AS_OF)
    assert r["grade"] == grade
    assert (r["grade_pd"], r["pd"]) == (grade_pd, pd)
    assert r["lgd"] == pytest.approx(lgd)
    assert r["expected_loss"] == pytest.approx(expected_loss)


def test_pd_is_the_prior_without_history(con: duckdb.DuckDBPyConnection) -> None:
    # 12 months of history before 2026-03-17 would need month-ends <= 2025-02-28: there are none,
    # so the PD is the prior and nothing is claimed about ranking
    rows = con.sql(
        "select grade, observations, observed_rate, interval_low, pd_used, source, ranking, ranks_ok"
        " from pd_calibration"
    ).fetchall()
    assert rows == [
        ("A", 0, None, None, 0.005, "prior", "too_few_observations", False),
        ("B", 0, None, None, 0.02, "prior", "too_few_observations", False),
        ("C", 0, None, None, 0.08, "prior", "too_few_observations", False),
        ("D", 0, None, None, 0.30, "prior", "too_few_observations", False),
        ("E", 0, None, None, 0.60, "prior", "too_few_observations", False),
    ]


@pytest.mark.parametrize(
    ("customer", "score", "grade", "band"),
    [
        # 0.30*(100*61/90) + 0.15*(100*2/3) + 0.20*20 + 0.15*80 = 20.333 + 10 + 4 + 12 = 46.333
        ("C1", 46.0 + 1 / 3, "C", "Medium"),
        # 0.30*(100*45/90) + 0.15*60 + 0.20*50 + 0.15*80 + 0.10*35 + 0.10*20
        #   = 15 + 9 + 10 + 12 + 3.5 + 2 = 51.5
        ("C2", 51.5, "C", "Medium"),
        # 0.30*100 + 0.15*100 + 0.20*80 + 0.15*100 (no limit) = 30 + 15 + 16 + 15 = 76
        ("C3", 76.0, "D", "High"),
        # 0.20*10 + 0.15*20 = 5
        ("C4", 5.0, "A", "Low"),
        # 0.30*(100*35/90) + 0.15*50 + 0.20*40 + 0.15*50 = 11.667 + 7.5 + 8 + 7.5 = 34.667
        ("C5", 34.0 + 2 / 3, "B", "Low"),
    ],
)
def test_score_grade_band_at_as_of(
    con: duckdb.DuckDBPyConnection, customer: str, score: float, grade: str, band: str
) -> None:
    r = row(con, customer, AS_OF)
    assert r["score"] == pytest.approx(score)
    assert (r["grade"], r["band"]) == (grade, band)


@pytest.mark.parametrize(
    ("customer", "as_of", "triggers"),
    [
        # DPD 61 > 30; grade C now vs A at 2025-12-31 (score 0.20*20 + 0.15*30 = 8.5): 2 notches;
        # rating downgrade on 03-01; 8000 / 37 500 = 21.3 % > 10 %
        ("C1", AS_OF, ["overdue", "downgrade", "rating_downgrade", "concentration"]),
        # 45 days; litigation 02-01 (44 days); the 2025-11-01 halt is 136 days old: no
        # 'operational'; C now vs B at 12-31 is 1 notch; 4000 / 37 500 = 10.7 %
        ("C2", AS_OF, ["overdue", "legal", "concentration"]),
        # 106 days; 4000 > limit 0; 4000 / 37 500 = 10.7 %; D vs C (56 at 12-31) is 1 notch
        ("C3", AS_OF, ["overdue", "limit_breach", "concentration"]),
        ("C4", AS_OF, ["concentration"]),  # 20 000 / 37 500 = 53 %
        ("C5", AS_OF, ["overdue"]),  # 35 days; 1500 / 37 500 = 4 %
        # 2025-12-31: K4's four instalments 4000 (a loan's schedule is exposure from its start;
        # K3's P7 is invoiced only on 01-01): not above the 5000 limit; halt 60 days old,
        # severity 4; 4000 / 32 500 = 12.3 % (C1 3000, C3 4000, C4 20 000, C5 1500)
        ("C2", D("2025-12-31"), ["operational", "concentration"]),
        # 2025-12-31: P16 is invoiced 01-11, so only P15 1500, within its 3000 limit;
        # 1500 / 32 500 = 4.6 %: off the list
        ("C5", D("2025-12-31"), []),
    ],
)
def test_triggers_and_watchlist(
    con: duckdb.DuckDBPyConnection, customer: str, as_of: date, triggers: list[str]
) -> None:
    r = row(con, customer, as_of)
    assert r["triggers"] == triggers
    assert r["on_watchlist"] is bool(triggers)


def test_exposure_shares_at_as_of(con: duckdb.DuckDBPyConnection) -> None:
    shares = by_customer(con, "exposure_share")
    # total 8000 + 4000 + 4000 + 20 000 + 1500 = 37 500
    assert shares == pytest.approx(
        {
            "C1": 8000 / 37500,
            "C2": 4000 / 37500,
            "C3": 4000 / 37500,
            "C4": 20000 / 37500,
            "C5": 1500 / 37500,
        }
    )


# --- edge cases, one each -------------------------------------------------------------------------


def test_payment_after_as_of_is_still_overdue_at_as_of(con: duckdb.DuckDBPyConnection) -> None:
    # P2 (3000, due 2026-01-15) is paid on 2026-03-20, three days after the as-of date
    r = row(con, "C1", AS_OF)
    assert r["max_dpd"] == 61  # 16 days in January + 28 + 17
    assert r["overdue_amount"] == 5000.0  # P2 3000 + what P3 still owes, 2000


def test_partial_payment_leaves_the_rest_outstanding(con: duckdb.DuckDBPyConnection) -> None:
    # P3: 3000 due 2026-02-15, 1000 paid 02-20. At 02-28: P2 3000 (44 days) + P3 2000 (13 days);
    # P4 (due 04-15, 30 days' terms) is invoiced only on 03-16
    r = row(con, "C1", D("2026-02-28"))
    assert (r["exposure"], r["overdue_amount"], r["max_dpd"]) == (5000.0, 5000.0, 44)


def test_invoice_not_yet_issued_is_not_exposure(con: duckdb.DuckDBPyConnection) -> None:
    # K1 (sales, 30 days' terms) was signed for 12 000, but at 2025-10-31 only P1 (due 11-15,
    # invoiced 10-16) is issued: exposure 3000, not the contract's four invoices
    assert row(con, "C1", D("2025-10-31"))["exposure"] == 3000.0
    # at 03-17 P4 (invoiced 03-16) has been issued
    assert row(con, "C1", AS_OF)["exposure"] == 8000.0


def test_contract_starting_after_as_of_is_not_exposure(con: duckdb.DuckDBPyConnection) -> None:
    # K2 (starts 2026-04-01) has P5 5000 and collateral 1000: neither counts at 03-17
    r = row(con, "C1", AS_OF)
    assert (r["exposure"], r["collateral"]) == (8000.0, 2000.0)


def test_event_older_than_the_look_back_does_not_trigger(con: duckdb.DuckDBPyConnection) -> None:
    # the severity-4 halt of 2025-11-01 is 136 days before 03-17 (> 90): no trigger, but it is
    # within the 365-day factor look-back, so it still scores 35 points
    r = row(con, "C2", AS_OF)
    assert "operational" not in r["triggers"]
    assert r["operational_score"] == 35.0
    # at 2026-01-31 it is 91 days old: just outside (t - 90, t]
    assert "operational" not in row(con, "C2", D("2026-01-31"))["triggers"]


def test_unpaid_rows_of_an_ended_contract_stay_owed(con: duckdb.DuckDBPyConnection) -> None:
    # K3 (completed, ends 2026-01-31): P7 2000 (due 01-31) + K4's P9..P11 3000
    assert row(con, "C2", D("2026-01-31"))["exposure"] == 5000.0
    # after the end P7 is still owed, and overdue: 28 days at 02-28 (P9 was paid 02-10)
    r = row(con, "C2", D("2026-02-28"))
    assert (r["exposure"], r["overdue_amount"], r["max_dpd"]) == (4000.0, 2000.0, 28)


def test_bankruptcy_filing_makes_defaulted(con: duckdb.DuckDBPyConnection) -> None:
    # C3 files on 2026-02-10; at 02-28 its DPD is 89 (<= 90), so only the filing defaults it
    r = row(con, "C3", D("2026-02-28"))
    assert (r["max_dpd"], r["defaulted"]) == (89, True)
    assert row(con, "C3", D("2026-01-31"))["defaulted"] is False


def test_defaulted_contract_defaults_from_its_review_date(con: duckdb.DuckDBPyConnection) -> None:
    # K7 is 'defaulted', last reviewed 2026-02-15; C5's DPD stays below 90 throughout
    assert row(con, "C5", D("2026-01-31"))["defaulted"] is False
    assert row(con, "C5", D("2026-02-28"))["defaulted"] is True


def test_score_explanation_adds_up(con: duckdb.DuckDBPyConnection) -> None:
    sql = (
        "select factor, contribution from score_explanation where customer_id = 'C2' and as_of = $d"
    )
    parts = dict(fetch(con, sql, d=AS_OF))
    assert parts == pytest.approx(
        {
            "dpd": 15.0,
            "late": 9.0,
            "rating": 10.0,
            "utilisation": 12.0,
            "operational": 3.5,
            "legal": 2.0,
        }
    )
    gaps = con.sql(
        "select max(abs(m.score - e.total)) from customer_month m join ("
        " select customer_id, as_of, sum(contribution) as total, count(*) as n"
        " from score_explanation group by all) e using (customer_id, as_of) where e.n = 6"
    ).fetchall()[0][0]
    assert gaps < 1e-9


def test_sql_agrees_with_the_policy_rules(con: duckdb.DuckDBPyConnection) -> None:
    frame = con.sql("select * from customer_month").pl()
    events = con.sql(
        "select customer_id, occurred_on, category, severity from risk_events"
    ).fetchall()
    for r in frame.iter_rows(named=True):

        def severities(category: str, r: dict = r) -> list[int]:
            # events of the category in the factor look-back (t - 365, t]
            return [
                severity
                for customer, on, cat, severity in events
                if customer == r["customer_id"]
                and cat == category
                and 0 <= (r["as_of"] - on).days < 365
            ]

        factors = {
            "dpd": POLICY.dpd_score(r["max_dpd"]),
            "late": POLICY.late_score(r["late_payments_12m"], r["due_payments_12m"]),
            "rating": POLICY.rating_score(r["external_rating"]),
            "utilisation": POLICY.utilisation_score(r["exposure"], r["credit_limit"]),
            "operational": POLICY.event_score(severities("operational")),
            "legal": POLICY.event_score(severities("legal")),
        }
        assert [r[f"{f}_score"] for f in FACTORS] == pytest.approx([factors[f] for f in FACTORS])
        assert r["score"] == pytest.approx(POLICY.score(factors), abs=1e-9)
        assert r["grade"] == POLICY.grade(r["score"])
        assert r["band"] == POLICY.band(r["grade"])


def test_derived_tables_match_their_models(con: duckdb.DuckDBPyConnection) -> None:
    for model, table in [
        (MonthGrid, "month_grid"),
        (CustomerMonth, "customer_month"),
        (ScoreExplanation, "score_explanation"),
        (PdCalibration, "pd_calibration"),
        (PolicyInForce, "policy_in_force"),
        (PolicyFactors, "policy_factors"),
    ]:
        frame = con.sql(f"select * from {table}").pl()
        assert model.validate(frame, lazy=True).height == frame.height > 0


def test_build_is_recorded(con: duckdb.DuckDBPyConnection) -> None:
    state = fetch(con, "select as_of, policy_name, load_version from warehouse_state")[0]
    assert state == (AS_OF, POLICY.name, 1)
    in_force = dict(con.sql("select key, value from policy_in_force").fetchall())
    assert in_force["version"] == "2026.2" and in_force["watchlist.dpd"] == "30"
    weights = con.sql("select factor, weight from policy_factors").fetchall()
    assert weights == list(POLICY.weights.items())


def test_default_as_of_is_last_month_end_before_latest_activity(
    con: duckdb.DuckDBPyConnection,
) -> None:
    # latest activity: P2 paid 2026-03-20 (events and signings end 2026-03-01)
    assert default_as_of(con) == D("2026-02-28")
    assert last_month_end_on_or_before(D("2026-02-28")) == D("2026-02-28")
    assert last_month_end_on_or_before(D("2024-03-01")) == D("2024-02-29")


# --- other builds -----------------------------------------------------------------------------


def test_pd_calibration_posterior_of_observed_rates_and_prior(tmp_path: Path) -> None:
    # Grades are the ratings: X1, X2 AAA -> A; X3 BBB -> B; X4 BB -> C; none D; X5 D -> E.
    # Observation month-ends t with t + 12 months <= 2026-03-17: 2024-12-31, 2025-01-31, 2025-02-28.
    # A: 6 observations; X2 files 2025-06-15, within 12 months of all three: 3 -> 0.5.
    # C: X4 files 2026-02-10 (grid date 02-28), within 12 months of 2025-02-28 only: 1 of 3.
    # B, E: 3 observations, no default. D: none -> the prior 0.30.
    # PD used = (defaults + 50 * prior) / (observations + 50):
    # A (3 + 0.25) / 56, B (0 + 1) / 53, C (1 + 4) / 53, E (0 + 30) / 53.
    con = build_calibration(tmp_path / "calibration.duckdb", min_observations=3)
    rows = con.sql(
        "select grade, observations, defaults_12m, observed_rate, prior_pd, pd_used, source"
        " from pd_calibration order by grade"
    ).fetchall()
    assert rows == [
        ("A", 6, 3, 0.5, 0.005, pytest.approx(3.25 / 56), "posterior"),
        ("B", 3, 0, 0.0, 0.02, pytest.approx(1 / 53), "posterior"),
        ("C", 3, 1, pytest.approx(1 / 3), 0.08, pytest.approx(5 / 53), "posterior"),
        ("D", 0, 0, None, 0.30, 0.30, "prior"),
        ("E", 3, 0, 0.0, 0.60, pytest.approx(30 / 53), "posterior"),
    ]
    # D has no observations: nothing is claimed about ranking
    assert {r[0] for r in con.sql("select distinct ranking from pd_calibration").fetchall()} == {
        "too_few_observations"
    }
    # X2 filed in June 2025 and cured after three clean month-ends (07-31 .. 09-30): performing
    # again, with A's PD; X4 filed on 2026-02-10 and is in default: PD 1
    assert by_customer(con, "pd") == pytest.approx(
        {"X1": 3.25 / 56, "X2": 3.25 / 56, "X3": 1 / 53, "X4": 1.0, "X5": 30 / 53}
    )
    con.close()


def test_observed_rate_interval_is_wilson(tmp_path: Path) -> None:
    # checked against SciPy's Wilson interval: A 3 of 6, C 1 of 3
    from scipy.stats import binomtest

    con = build_calibration(tmp_path / "calibration.duckdb", min_observations=3)
    got = dict(
        (g, (lo, hi))
        for g, lo, hi in con.sql(
            "select grade, interval_low, interval_high from pd_calibration where observations > 0"
        ).fetchall()
    )
    for grade, k, n in (("A", 3, 6), ("B", 0, 3), ("C", 1, 3)):
        expected = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        assert got[grade] == pytest.approx((expected.low, expected.high), abs=1e-9)
    con.close()


@pytest.mark.parametrize(
    ("copies", "prior_weight", "expected_a"),
    [
        # A: 6 * copies observations, half of them defaults; prior 0.005 with weight w:
        # (3c + 0.005 w) / (6c + w)
        (1, 0.0, 0.5),  # no prior weight: the observed rate
        (1, 50.0, 3.25 / 56),  # 0.058: between the prior 0.005 and the observed 0.5
        (10, 50.0, 30.25 / 110),  # 0.275: ten times the history pulls it towards 0.5
        (40, 50.0, 120.25 / 290),  # 0.415
        (1, 1e6, (3 + 5000) / (6 + 1e6)),  # an overwhelming prior: about the prior
    ],
)
def test_posterior_pd_moves_from_prior_to_observed_rate(
    tmp_path: Path, copies: int, prior_weight: float, expected_a: float
) -> None:
    con = build_calibration(
        tmp_path / "calibration.duckdb", prior_weight=prior_weight, copies=copies
    )
    observations, rate, pd_used = con.sql(
        "select observations, observed_rate, pd_used from pd_calibration where grade = 'A'"
    ).fetchall()[0]
    assert (observations, rate) == (6 * copies, 0.5)
    assert pd_used == pytest.approx(expected_a)
    assert 0.005 <= pd_used <= 0.5
    con.close()


def test_ranking_is_claimed_only_from_enough_observed_rates(tmp_path: Path) -> None:
    # with no minimum every grade but D has observations, D has none: still too few
    con = build_calibration(tmp_path / "calibration.duckdb", min_observations=0)
    assert con.sql("select distinct ranking, ranks_ok from pd_calibration").fetchall() == [
        ("too_few_observations", False)
    ]
    con.close()


def test_policy_thresholds_reach_the_sql(tmp_path: Path) -> None:
    raw = tomllib.loads(DEFAULT_POLICY.read_text(encoding="utf-8"))
    raw["watchlist"] |= {"single_name_share": 0.5, "dpd": 60}
    con, result = build_tiny(tmp_path / "tiny.duckdb", policy=Policy.from_dict(raw))
    triggers = by_customer(con, "triggers")
    # only C4 (53 %) is above 50 %; only C1 (61) and C3 (106) are above 60 days
    assert triggers == {
        "C1": ["overdue", "downgrade", "rating_downgrade"],
        "C2": ["legal"],
        "C3": ["overdue", "limit_breach"],
        "C4": ["concentration"],
        "C5": [],
    }
    assert result.as_of == AS_OF and result.tables["customer_month"] == 29
    con.close()


def test_empty_warehouse_builds_empty_tables(tmp_path: Path) -> None:
    con = connect(tmp_path / "empty.duckdb")
    calls: list[tuple[str, int, int]] = []
    result = rebuild(
        con, as_of=AS_OF, progress=lambda label, done, total: calls.append((label, done, total))
    )
    assert result.tables["customer_month"] == 0 and result.tables["month_grid"] == 0
    assert result.tables["pd_calibration"] == 5  # every grade, on the prior
    assert calls[0][1] == 0 and calls[-1][1] == calls[-1][2]
    con.close()


def test_rebuild_leaves_transactions_to_the_caller(tmp_path: Path) -> None:
    con = connect(tmp_path / "rolled_back.duckdb")
    con.execute("begin transaction")
    rebuild(con, as_of=AS_OF)
    con.execute("rollback")
    assert load_version(con) == 0
    tables = {r[0] for r in con.sql("select table_name from information_schema.tables").fetchall()}
    assert "customer_month" not in tables
    con.close()


def test_default_as_of_sees_the_callers_open_transaction(tmp_path: Path) -> None:
    # a load and its rebuild share one transaction: the as-of date must come from the new rows
    con = connect(tmp_path / "loading.duckdb")
    con.execute("begin transaction")
    tables = {
        "customers": CUSTOMERS,
        "contracts": CONTRACTS,
        "payments": PAYMENTS,
        "risk_events": EVENTS,
    }
    for table, rows in tables.items():
        insert_rows(con, table, rows)
    result = rebuild(con)
    con.execute("commit")
    assert result.as_of == D("2026-02-28")  # latest activity: P2 paid 2026-03-20
    assert result.tables["customer_month"] == 24  # 5 grid dates: 4 customers x 5 + C5 x 4
    con.close()
