"""Model validation metrics on tiny data worked out by hand, and AUC / KS against independent
implementations (scikit-learn, scipy) on a generated sample with ties."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import polars as pl
import pytest
from scipy.stats import binomtest, ks_2samp
from sklearn.metrics import roc_auc_score

from queries import model_metrics as mm

# Goods score 1, 2, 2, 3; bads score 2, 3, 4 (higher = riskier). Ties at 2 and at 3.
GOOD_SCORES = [1.0, 2.0, 2.0, 3.0]
BAD_SCORES = [2.0, 3.0, 4.0]
TIED = mm.score_counts(GOOD_SCORES + BAD_SCORES, [False] * 4 + [True] * 3)


def test_score_counts_group_by_distinct_score():
    assert TIED.rows() == [(1.0, 1, 0), (2.0, 2, 1), (3.0, 1, 1), (4.0, 0, 1)]


def test_auc_counts_ties_as_half():
    # 3 bads x 4 goods = 12 pairs.
    # bad 2: beats good 1, ties goods 2 and 2 (1/2 each), loses to 3  -> 1 + 0.5 + 0.5 = 2
    # bad 3: beats 1, 2, 2, ties 3                                      -> 3 + 0.5      = 3.5
    # bad 4: beats all four                                             -> 4
    # AUC = (2 + 3.5 + 4) / 12 = 9.5 / 12
    assert mm.auc(TIED) == pytest.approx(9.5 / 12)


def test_gini_is_twice_auc_minus_one():
    # 2 * 9.5/12 - 1 = 19/12 - 12/12 = 7/12
    assert mm.gini(mm.auc(TIED)) == pytest.approx(7 / 12)
    assert mm.gini(0.5) == 0.0 and mm.gini(1.0) == 1.0 and mm.gini(None) is None


def test_auc_edge_cases():
    all_tied = mm.score_counts([5.0] * 4, [True, False, True, False])
    assert mm.auc(all_tied) == 0.5  # every pair a tie
    perfect = mm.score_counts([1.0, 2.0, 8.0, 9.0], [False, False, True, True])
    assert mm.auc(perfect) == 1.0
    assert mm.auc(mm.score_counts([1.0, 2.0], [False, False])) is None  # no bad
    assert mm.auc(mm.score_counts([1.0, 2.0], [True, True])) is None  # no good


def test_ks_is_the_largest_gap_after_whole_ties():
    # score:   1     2          3          4
    # F_good:  1/4   3/4        4/4        1
    # F_bad:   0     1/3        2/3        1
    # gap:     1/4   3/4-1/3    1-2/3      0     -> 0.25, 5/12, 1/3, 0: KS = 5/12 at score 2
    result = mm.ks(TIED)
    assert result.statistic == pytest.approx(5 / 12)
    assert result.score == 2.0
    assert (result.cum_bad, result.cum_good) == (pytest.approx(1 / 3), pytest.approx(3 / 4))
    curves = mm.ks_curves(TIED)
    assert curves["cum_good"].to_list() == pytest.approx([0.25, 0.75, 1.0, 1.0])
    assert curves["cum_bad"].to_list() == pytest.approx([0.0, 1 / 3, 2 / 3, 1.0])
    assert mm.ks(mm.score_counts([1.0], [True])) is None


def test_roc_points_trace_the_auc():
    # Thresholds 4, 3, 2, 1 flag score >= t:
    #   >= 4: bads 1/3, goods 0;  >= 3: 2/3, 1/4;  >= 2: 3/3, 3/4;  >= 1: 1, 1.
    points = mm.roc_points(TIED)
    assert points["threshold"].to_list() == [None, 4.0, 3.0, 2.0, 1.0]
    assert points["false_positive_rate"].to_list() == pytest.approx([0, 0, 0.25, 0.75, 1])
    assert points["true_positive_rate"].to_list() == pytest.approx([0, 1 / 3, 2 / 3, 1, 1])
    # Trapezoids: 0.25 * (1/3 + 2/3)/2 + 0.5 * (2/3 + 1)/2 + 0.25 * 1 = 0.125 + 5/12 + 0.25
    # = 9.5/12: straight segments across a tie are what counting a tie as 1/2 means.
    area = np.trapezoid(points["true_positive_rate"], points["false_positive_rate"])
    assert area == pytest.approx(mm.auc(TIED)) == pytest.approx(0.125 + 5 / 12 + 0.25)


@pytest.fixture(scope="module")
def sample() -> tuple[np.ndarray, np.ndarray]:
    """4 000 observations, scores rounded to whole points (many ties), bads likelier at high scores."""
    rng = np.random.default_rng(20261128)
    scores = np.round(rng.beta(2, 5, 4_000) * 100)
    bads = rng.random(4_000) < 1 / (1 + np.exp(-(scores - 45) / 8))
    return scores, bads


def test_auc_matches_scikit_learn_with_ties(sample):
    scores, bads = sample
    counts = mm.score_counts(scores, bads)
    assert counts.height < 100 and 100 < bads.sum() < 3_900  # ties and both classes present
    assert mm.auc(counts) == pytest.approx(roc_auc_score(bads, scores), abs=1e-12)


def test_ks_matches_scipy_two_sample_statistic(sample):
    scores, bads = sample
    ours = mm.ks(mm.score_counts(scores, bads)).statistic
    assert ours == pytest.approx(ks_2samp(scores[bads], scores[~bads]).statistic, abs=1e-12)


def test_downsample_keeps_ends_and_the_marked_point():
    frame = pl.DataFrame({"x": np.arange(10_000)})
    shown = mm.downsample(frame, 500, keep=[1234])
    assert shown.height <= 501
    assert shown["x"][0] == 0 and shown["x"][-1] == 9_999 and 1234 in shown["x"].to_list()
    assert shown["x"].is_sorted()
    assert mm.downsample(frame.head(20), 500).height == 20


def test_psi_by_hand():
    # E = (0.5, 0.5), A = (0.25, 0.75):
    # (0.25 - 0.5) ln(0.25/0.5) + (0.75 - 0.5) ln(0.75/0.5) = 0.25 ln 2 + 0.25 ln 1.5
    # = 0.25 * 0.693147 + 0.25 * 0.405465 = 0.274653
    assert mm.psi([50, 50], [25, 75]) == pytest.approx(0.25 * math.log(2) + 0.25 * math.log(1.5))
    assert mm.psi([50, 50], [25, 75]) == pytest.approx(0.274653, abs=1e-6)
    assert mm.psi([10, 20, 30], [1, 2, 3]) == 0.0  # same shares, other size


def test_psi_empty_bin_counts_as_epsilon():
    # A = (0, 1) -> (1e-4, 1); E = (0.5, 0.5):
    # (1e-4 - 0.5) ln(1e-4 / 0.5) + (1 - 0.5) ln(1 / 0.5)
    # = -0.4999 * -8.517193 + 0.5 * 0.693147 = 4.257745 + 0.346574 = 4.604319
    assert mm.psi([50, 50], [0, 40]) == pytest.approx(4.604319, abs=1e-6)
    # symmetric when the reference has the empty bin: same terms with the roles swapped
    assert mm.psi([0, 40], [50, 50]) == pytest.approx(4.604319, abs=1e-6)
    assert mm.psi([0, 0], [1, 2]) is None
    with pytest.raises(ValueError, match="same bins"):
        mm.psi([1, 2], [1, 2, 3])


def test_psi_by_month_against_a_reference():
    jan, feb, mar = date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)
    bins = pl.DataFrame(
        {
            "as_of": [jan, jan, feb, feb, mar, mar],
            "bin": [0, 1, 0, 1, 0, 1],
            "rows": [50, 50, 25, 75, 0, 40],
        }
    )
    result = mm.psi_by_month(bins, feb)
    assert result["as_of"].to_list() == [jan, feb, mar]
    assert result["rows"].to_list() == [100, 100, 40]
    # Jan against Feb: E = (0.25, 0.75), A = (0.5, 0.5): 0.25 ln 2 + (-0.25) ln(0.5/0.75)
    assert result["psi"][0] == pytest.approx(0.25 * math.log(2) - 0.25 * math.log(2 / 3))
    assert result["psi"][1] == 0.0
    # Mar: A = (1e-4, 1) against (0.25, 0.75): (1e-4 - .25) ln(1e-4/.25) + .25 ln(1/.75)
    expected = (1e-4 - 0.25) * math.log(1e-4 / 0.25) + 0.25 * math.log(1 / 0.75)
    assert result["psi"][2] == pytest.approx(expected)
    assert mm.psi_by_month(bins, date(2020, 1, 31)).is_empty()


@pytest.mark.parametrize(
    ("defaults", "observations", "lower", "upper"),
    [
        # 0 of 10: lower 0; upper solves (1 - p)^10 = 0.025 -> p = 1 - 0.025^(1/10) = 0.308497
        (0, 10, 0.0, 0.308497),
        # 3 of 10: the textbook exact interval (0.0667, 0.6525)
        (3, 10, 0.066739, 0.652453),
        # 10 of 10: mirror of 0 of 10 -> lower 0.025^(1/10) = 0.691503, upper 1
        (10, 10, 0.691503, 1.0),
        # 1 of 2: lower solves 1 - (1 - p)^2 = 0.025 -> p = 1 - sqrt(0.975) = 0.012579
        (1, 2, 0.012579, 0.987421),
    ],
)
def test_clopper_pearson_known_values(defaults, observations, lower, upper):
    low, high = mm.clopper_pearson(defaults, observations)
    assert float(low) == pytest.approx(lower, abs=1e-6)
    assert float(high) == pytest.approx(upper, abs=1e-6)
    exact = binomtest(defaults, observations).proportion_ci(0.95, method="exact")
    assert (float(low), float(high)) == pytest.approx((exact.low, exact.high), abs=1e-9)


def test_clopper_pearson_on_arrays_and_empty_grades():
    low, high = mm.clopper_pearson(np.array([0, 3, 0]), np.array([10, 10, 0]))
    assert low[:2] == pytest.approx([0.0, 0.066739], abs=1e-6)
    assert high[:2] == pytest.approx([0.308497, 0.652453], abs=1e-6)
    assert math.isnan(low[2]) and math.isnan(high[2])  # no observations, no interval
    with pytest.raises(ValueError, match="0 <= defaults <= observations"):
        mm.clopper_pearson(5, 4)


def test_early_warning_record_by_hand():
    defaults = pl.DataFrame(
        {
            "on_watchlist_before": [True, True, True, False],
            "lead_months": [2, 3, 10, None],
        }
    )
    outcomes = pl.DataFrame({"spells": [4, 6], "followed_by_default": [1, 2]})
    record = mm.early_warning_record(defaults, outcomes)
    # 3 of 4 defaults flagged; leads 2, 3, 10 -> mean 5, median 3; 10 spells, 3 followed -> 7 false
    assert record == mm.EarlyWarningRecord(
        defaults=4,
        flagged=3,
        hit_rate=0.75,
        mean_lead=5.0,
        median_lead=3.0,
        spells=10,
        false_alarms=7,
        false_alarm_share=0.7,
    )
    none = mm.early_warning_record(defaults.clear(), outcomes.clear())
    assert (none.hit_rate, none.mean_lead, none.false_alarm_share) == (None, None, None)
