"""Model page queries: the back-test on the calibration warehouse worked out by hand, PSI bins and the
early-warning record on hand-made tables, and the back-test against pd_calibration on the demo."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from queries import model
from queries.filters import Filters
from tests.tiny_warehouse import AS_OF, build_calibration

D = date.fromisoformat


@pytest.fixture(scope="module")
def calibration_con(tmp_path_factory):
    """Five customers whose score is their rating's: X1, X2 AAA (0, grade A), X3 BBB (20, B),
    X4 BB (40, C), X5 D (100, E); X2 files for bankruptcy 2025-06-15, X4 2026-02-10."""
    con = build_calibration(tmp_path_factory.mktemp("model_calibration") / "c.duckdb")
    yield con
    con.close()


def test_backtest_observations_by_hand(calibration_con):
    # Month-ends t with last_day(t + 12 months) <= 2026-03-17: 2024-12-31, 2025-01-31, 2025-02-28,
    # 3 per customer. Bad: default in (t, t + 12 m]. X2 (default from 2025-06-30) is bad at all three;
    # X4 (default 2026-02-28) only from t = 2025-02-28 (window to 2026-02-28).
    backtest = model.backtest_scores(calibration_con, Filters(as_of=AS_OF))
    assert backtest.rows() == [
        ("A", 0.0, 6, 3),
        ("B", 20.0, 3, 0),
        ("C", 40.0, 3, 1),
        ("E", 100.0, 3, 0),
    ]


def test_backtest_metrics_by_hand(calibration_con):
    counts = model.score_counts(model.backtest_scores(calibration_con, Filters(as_of=AS_OF)))
    # score 0: 3 goods (X1) + 3 bads (X2); 20: 3 goods; 40: 2 goods, 1 bad; 100: 3 goods.
    assert counts.rows() == [(0.0, 3, 3), (20.0, 3, 0), (40.0, 2, 1), (100.0, 3, 0)]
    summary = model.discrimination(counts)
    # AUC: bads at 0 tie with 3 goods -> 3 * 1.5 = 4.5; the bad at 40 beats 6 goods below and ties
    # with 2 -> 7. (4.5 + 7) / (4 bads * 11 goods) = 11.5 / 44: the rating ranks badly here.
    assert summary.auc == pytest.approx(11.5 / 44)
    assert summary.gini == pytest.approx(2 * 11.5 / 44 - 1)
    # F_bad: 3/4, 3/4, 1, 1; F_good: 3/11, 6/11, 8/11, 1 -> gaps 21/44, 9/44, 12/44, 0.
    assert (summary.ks, summary.ks_score) == (pytest.approx(21 / 44), 0.0)
    assert (summary.observations, summary.bads) == (15, 4)


def test_backtest_follows_the_as_of_date_and_filters(calibration_con):
    # As of 2026-01-31: t in {2024-12-31, 2025-01-31}; X4's default (2026-02-28) is outside both
    # windows, so C has no bad.
    earlier = model.backtest_scores(calibration_con, Filters(as_of=D("2026-01-31")))
    assert earlier.rows() == [
        ("A", 0.0, 4, 2),
        ("B", 20.0, 2, 0),
        ("C", 40.0, 2, 0),
        ("E", 100.0, 2, 0),
    ]
    assert model.backtest_scores(
        calibration_con, Filters(as_of=D("2026-01-31"), regions=("South",))
    ).is_empty()
    # Before 12 months of history nothing can be judged.
    assert model.backtest_scores(calibration_con, Filters(as_of=D("2025-06-30"))).is_empty()
    assert not model.discrimination(
        model.score_counts(model.backtest_scores(calibration_con, Filters(as_of=D("2025-06-30"))))
    ).measurable


def test_calibration_by_grade_with_exact_intervals(calibration_con):
    grades = model.policy_grades(calibration_con)
    table = model.calibration(model.backtest_scores(calibration_con, Filters(as_of=AS_OF)), grades)
    assert table["grade"].to_list() == ["A", "B", "C", "D", "E"]
    assert table["observations"].to_list() == [6, 3, 3, 0, 3]
    assert table["defaults"].to_list() == [3, 0, 1, 0, 0]
    assert table["observed_rate"].to_list() == [0.5, 0.0, pytest.approx(1 / 3), None, 0.0]
    # B: 0 of 3 -> (0, 1 - 0.025^(1/3)) = (0, 0.707598); D: no observations, no interval.
    b = table.row(1, named=True)
    assert (b["ci_low"], b["ci_high"]) == (0.0, pytest.approx(0.707598, abs=1e-6))
    d = table.row(3, named=True)
    assert (d["ci_low"], d["ci_high"], d["pd_within_ci"]) == (None, None, None)
    # PD in use = (defaults + 50 * prior) / (observations + 50): A 3.25 / 56 = 0.058 lies below
    # A's interval (3 of 6: 0.118 .. 0.882), the prior outweighing 6 observations; B 1/53, C 5/53
    # and E 30/53 lie inside theirs; D has no observations and is untested.
    assert table["pd_within_ci"].to_list() == [False, True, True, None, True]


def test_policy_grades_ranges_and_bands(calibration_con):
    grades = model.policy_grades(calibration_con)
    assert grades.select("grade", "lower_edge", "upper_edge", "band").rows() == [
        ("A", 0.0, 20.0, "Low"),
        ("B", 20.0, 40.0, "Low"),
        ("C", 40.0, 60.0, "Medium"),
        ("D", 60.0, 80.0, "High"),
        ("E", 80.0, None, "High"),
    ]
    factors = model.policy_factors(calibration_con)
    assert factors.row(0)[:2] == ("rating", 1.0)  # all weight on the rating, heaviest first
    assert factors["weight"].sum() == pytest.approx(1.0)


def test_psi_bins_on_the_calibration_warehouse(calibration_con):
    months = model.score_months(calibration_con, Filters(as_of=AS_OF))
    assert months["customers"].unique().to_list() == [5]
    assert model.default_reference(months) is None  # 5 customers < 100: no default reference
    reference = months["as_of"][0]
    bins = model.psi_bins(calibration_con, Filters(as_of=AS_OF), reference=reference)
    # Scores 0, 0, 20, 40, 100: deciles {0, 20, 40, 100}, the maximum dropped -> bins
    # (-inf, 0], (0, 20], (20, 40], (40, inf) with 2, 1, 1, 1 customers; every month alike.
    first = bins.filter(pl.col("as_of") == reference)
    assert first.select("bin", "lower_edge", "upper_edge", "rows").rows() == [
        (0, None, 0.0, 2),
        (1, 0.0, 20.0, 1),
        (2, 20.0, 40.0, 1),
        (3, 40.0, None, 1),
    ]
    assert model.stability(bins, reference)["psi"].unique().to_list() == [0.0]
    assert model.psi_bins(
        calibration_con, Filters(as_of=AS_OF), reference=D("2020-01-31")
    ).is_empty()


def hand_made(path: Path) -> duckdb.DuckDBPyConnection:
    """customer_month with only the columns the model queries read, plus customers, early_warning and
    watchlist_spells, filled by hand."""
    con = duckdb.connect(str(path))
    con.execute(
        "create table customer_month (customer_id varchar, as_of date, score double, grade varchar,"
        " defaulted boolean, segment varchar, region varchar, industry varchar)"
    )
    con.execute(
        "create table customers (customer_id varchar, segment varchar, region varchar, industry varchar)"
    )
    con.execute(
        "create table early_warning (customer_id varchar, defaulted_on date, on_watchlist_before boolean,"
        " first_flagged_on date, lead_months bigint)"
    )
    con.execute("create table watchlist_spells (customer_id varchar, entered_on date)")
    return con


@pytest.fixture
def psi_con(tmp_path):
    con = hand_made(tmp_path / "psi.duckdb")
    jan, feb = D("2026-01-31"), D("2026-02-28")
    rows = [(f"R{i}", jan, 10.0 * i, "A", False, "sme", "North", "x") for i in range(1, 11)]
    # February: 5, 15, 15, 25, 95 x 4, 100 x 2, and one 'corporate' customer the filter drops
    feb_scores = [5, 15, 15, 25, 95, 95, 95, 95, 100, 100]
    rows += [
        (f"F{i}", feb, float(s), "A", False, "sme", "North", "x") for i, s in enumerate(feb_scores)
    ]
    rows.append(("Z", feb, 50.0, "C", False, "corporate", "North", "x"))
    con.executemany("insert into customer_month values (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    yield con
    con.close()


def test_psi_bins_deciles_and_an_empty_bin_by_hand(psi_con):
    jan, feb = D("2026-01-31"), D("2026-02-28")
    bins = model.psi_bins(psi_con, Filters(as_of=feb, segments=("sme",)), reference=jan)
    # January 10, 20, ..., 100: deciles 10 ... 90 (100, the maximum, is not an edge) -> ten bins
    # (-inf, 10], (10, 20], ..., (90, inf) with one customer each.
    january = bins.filter(pl.col("as_of") == jan)
    assert january["rows"].to_list() == [1] * 10
    assert january["upper_edge"].to_list() == [
        10.0,
        20.0,
        30.0,
        40.0,
        50.0,
        60.0,
        70.0,
        80.0,
        90.0,
        None,
    ]
    # February: 5 -> bin 0; 15, 15 -> 1; 25 -> 2; 95 x 4 and 100 x 2 -> 9; bins 3-8 empty.
    assert bins.filter(pl.col("as_of") == feb)["rows"].to_list() == [1, 2, 1, 0, 0, 0, 0, 0, 0, 6]
    psi = model.stability(bins, jan)
    # E = 0.1 each; A = 0.1, 0.2, 0.1, six bins of 0 (-> 1e-4), 0.6:
    #   0 + 0.1 ln 2 + 0 + 6 (1e-4 - 0.1) ln(1e-4 / 0.1) + 0.5 ln 6
    # = 0.069315 + 6 * 0.690085 + 0.895880 = 5.105705
    assert psi["psi"].to_list() == [0.0, pytest.approx(5.105705, abs=1e-5)]
    # Without the segment filter the corporate customer (50) lands in bin 4 of February.
    everyone = model.psi_bins(psi_con, Filters(as_of=feb), reference=jan)
    assert everyone.filter(pl.col("as_of") == feb)["rows"].to_list() == [
        1,
        2,
        1,
        0,
        1,
        0,
        0,
        0,
        0,
        6,
    ]
    shares = model.bin_shares(bins, jan, feb)
    assert shares["reference_share"].to_list() == [0.1] * 10
    assert shares["latest_share"].to_list()[:3] == [0.1, 0.2, 0.1]


@pytest.fixture
def warning_con(tmp_path):
    con = hand_made(tmp_path / "warning.duckdb")
    con.executemany(
        "insert into customers values (?, ?, 'North', 'x')",
        [("W1", "sme"), ("W2", "sme"), ("W3", "sme"), ("W4", "sme"), ("W5", "corporate")],
    )
    con.executemany(
        "insert into customer_month values (?, ?, 50, 'C', ?, 'sme', 'North', 'x')",
        [
            ("W1", D("2025-12-31"), False),
            ("W1", D("2026-01-31"), True),  # W1's first default
            ("W1", D("2026-02-28"), True),
            ("W3", D("2025-03-31"), True),  # W3 was in default before its spell
            ("W5", D("2025-08-31"), True),  # W5's first default
        ],
    )
    con.executemany(
        "insert into watchlist_spells values (?, ?)",
        [
            ("W1", D("2024-06-30")),  # window to 2025-06-30, default 2026-01-31 later: false alarm
            ("W1", D("2025-01-31")),  # window to 2026-01-31 inclusive: followed by the default
            ("W2", D("2025-06-30")),  # never defaults: false alarm
            ("W2", D("2025-12-31")),  # window to 2026-12-31 = as_of, judged: false alarm
            ("W3", D("2025-05-31")),  # after W3's default: not judged
            ("W4", D("2026-03-31")),  # window ends 2027-03-31 after as_of: not judged
            ("W5", D("2025-02-28")),  # corporate: the sme filter drops it
        ],
    )
    con.executemany(
        "insert into early_warning values (?, ?, ?, ?, ?)",
        [
            ("W1", D("2026-01-31"), True, D("2025-01-31"), 12),
            ("W3", D("2025-03-31"), False, None, None),
            ("W5", D("2025-08-31"), True, D("2025-02-28"), 6),
            ("W2", D("2027-01-31"), True, D("2025-12-31"), 13),  # after as_of
        ],
    )
    yield con
    con.close()


def test_watchlist_outcomes_and_early_warning_record_by_hand(warning_con):
    as_of = D("2026-12-31")
    outcomes = model.watchlist_outcomes(warning_con, Filters(as_of=as_of, segments=("sme",)))
    assert outcomes.rows() == [
        (D("2024-06-30"), 1, 0),
        (D("2025-01-31"), 1, 1),
        (D("2025-06-30"), 1, 0),
        (D("2025-12-31"), 1, 0),
    ]
    defaults = model.early_warning(warning_con, Filters(as_of=as_of, segments=("sme",)))
    assert defaults["customer_id"].to_list() == ["W3", "W1"]  # by default date; W2's is later
    from queries.model_metrics import early_warning_record

    record = early_warning_record(defaults, outcomes)
    # 1 of 2 sme defaults flagged (lead 12); 4 judged spells, 1 followed -> 3 false alarms, 75 %.
    assert (record.hit_rate, record.mean_lead, record.median_lead) == (0.5, 12.0, 12.0)
    assert (record.spells, record.false_alarms, record.false_alarm_share) == (4, 3, 0.75)
    everyone = early_warning_record(
        model.early_warning(warning_con, Filters(as_of=as_of)),
        model.watchlist_outcomes(warning_con, Filters(as_of=as_of)),
    )
    # + W5: flagged 6 months ahead (mean lead (12 + 6) / 2 = 9); its spell (2025-02-28) is judged
    # and followed by its default 2025-08-31: 5 spells, 2 followed, 3 false alarms.
    assert (everyone.defaults, everyone.flagged, everyone.mean_lead) == (3, 2, 9.0)
    assert (everyone.spells, everyone.false_alarms) == (5, 3)
    leads = model.lead_time_counts(defaults)
    assert leads["defaults"].sum() == 1 and leads.height == 13 and leads["defaults"][12] == 1


def test_demo_backtest_reproduces_the_pd_calibration(demo_con):
    # At the build's as-of date and unfiltered, the back-test is the PD calibration's sample.
    as_of = demo_con.sql("select max(as_of) from month_grid").fetchall()[0][0]
    grades = model.policy_grades(demo_con)
    table = model.calibration(model.backtest_scores(demo_con, Filters(as_of=as_of)), grades)
    assert table["observations"].to_list() == grades["observations"].to_list()
    assert table["defaults"].to_list() == grades["defaults_12m"].to_list()


@pytest.mark.parametrize(
    ("customers", "expected"),
    [
        # 24 month-ends from Jan 2025 to Dec 2026, 150 customers each: a year before Dec 2026
        ([150] * 24, date(2025, 12, 31)),
        # Dec 2025 too thin: the latest month before it with enough customers
        ([150] * 10 + [50, 50] + [150] * 12, date(2025, 10, 31)),
        # nothing a year old has enough customers: the first month that has
        ([50] * 12 + [150] * 12, date(2026, 1, 31)),
        ([50] * 24, None),
    ],
)
def test_default_psi_reference_is_a_year_before_the_latest_month(customers, expected):
    ends = pl.date_range(date(2025, 1, 1), date(2026, 12, 1), "1mo", eager=True).dt.month_end()
    months = pl.DataFrame({"as_of": ends, "customers": customers})
    assert model.default_reference(months) == expected
