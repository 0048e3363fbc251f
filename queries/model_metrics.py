"""Validation metrics of the scoring model: AUC, Gini, KS, ROC points, PSI, exact binomial intervals.

Pure functions (numpy, Polars, scipy), no warehouse access. Scores are points 0-100, higher =
riskier; a *bad* is an observation that defaulted within the horizon, a *good* one that did not.
Discrimination metrics take **score counts**: one row per distinct score with its number of goods
and bads, ascending by score (`score_counts` builds them from raw samples). A back-test of millions of
customer-months thus travels as one row per distinct score, and ties are exact by construction: every
observation sharing a score sits in the same row.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

# Share given to an empty bin in PSI (0.01 %): ln(A / E) is undefined at 0, and a small positive
# share keeps one empty bin visible as a large contribution instead of an infinity.
PSI_EPSILON = 1e-4
# Conventional PSI reading: below 0.1 stable, 0.1-0.25 some shift, above 0.25 significant shift.
PSI_WATCH = 0.10
PSI_ACTION = 0.25
# Points at most in a curve sent to the browser (ROC, KS): enough to look smooth, small to send.
MAX_CURVE_POINTS = 500


def score_counts(
    scores: Sequence[float] | np.ndarray, bads: Sequence[bool] | np.ndarray
) -> pl.DataFrame:
    """(score, goods, bads) per distinct score, ascending, from one score and one bad flag per
    observation."""
    frame = pl.DataFrame(
        {"score": np.asarray(scores, dtype=float), "bad": np.asarray(bads, dtype=bool)}
    )
    return (
        frame.group_by("score")
        .agg(
            goods=(~pl.col("bad")).sum().cast(pl.Int64),
            bads=pl.col("bad").sum().cast(pl.Int64),
        )
        .sort("score")
    )


def _arrays(counts: pl.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ordered = counts.sort("score")
    goods = ordered["goods"].to_numpy().astype(float)
    bads = ordered["bads"].to_numpy().astype(float)
    if (goods < 0).any() or (bads < 0).any():
        raise ValueError("goods and bads must be counts (>= 0)")
    return ordered["score"].to_numpy().astype(float), goods, bads


def auc(counts: pl.DataFrame) -> float | None:
    """Area under the ROC curve (0-1): the probability that a random bad scores higher (riskier)
    than a random good, a tie counting 1/2. 0.5 = no discrimination. None without a good or a bad.

    Per distinct score s: each bad at s beats the goods below s and ties with the goods at s, so
    AUC = sum_s bads_s * (goods_below_s + goods_s / 2) / (bads * goods).
    """
    _, goods, bads = _arrays(counts)
    total_goods, total_bads = goods.sum(), bads.sum()
    if total_goods == 0 or total_bads == 0:
        return None
    goods_below = np.cumsum(goods) - goods
    return float((bads * (goods_below + goods / 2)).sum() / (total_goods * total_bads))


def gini(auc_value: float | None) -> float | None:
    """Gini coefficient (accuracy ratio) = 2 * AUC - 1: 0 = random, 1 = perfect ranking."""
    return None if auc_value is None else 2 * auc_value - 1


@dataclass(frozen=True)
class KolmogorovSmirnov:
    """KS statistic (0-1) with the score (points) where the two distributions are furthest apart
    and their cumulative shares (0-1) there."""

    statistic: float
    score: float
    cum_bad: float
    cum_good: float


def ks_curves(counts: pl.DataFrame) -> pl.DataFrame:
    """(score, cum_bad, cum_good): the empirical distribution functions F_bad(s), F_good(s) = share
    (0-1) of bads / goods with score <= s, at each distinct score. Empty without a good or a bad."""
    scores, goods, bads = _arrays(counts)
    if goods.sum() == 0 or bads.sum() == 0:
        return pl.DataFrame(
            schema={"score": pl.Float64, "cum_bad": pl.Float64, "cum_good": pl.Float64}
        )
    return pl.DataFrame(
        {
            "score": scores,
            "cum_bad": np.cumsum(bads) / bads.sum(),
            "cum_good": np.cumsum(goods) / goods.sum(),
        }
    )


def ks(counts: pl.DataFrame) -> KolmogorovSmirnov | None:
    """KS = max over scores of |F_bad(s) - F_good(s)| (0-1); None without a good or a bad.

    Evaluated only after all observations at a score are counted, so tied scores are never split
    between the two sides of the cut.
    """
    curves = ks_curves(counts)
    if curves.is_empty():
        return None
    gap = (curves["cum_good"] - curves["cum_bad"]).abs().to_numpy()
    at = int(np.argmax(gap))
    row = curves.row(at, named=True)
    return KolmogorovSmirnov(float(gap[at]), row["score"], row["cum_bad"], row["cum_good"])


def roc_points(counts: pl.DataFrame) -> pl.DataFrame:
    """(threshold, false_positive_rate, true_positive_rate): flagging every observation with score
    >= threshold catches that share (0-1) of the bads and of the goods. Starts at (0, 0) with a null
    threshold (nothing flagged) and ends at (1, 1); straight segments between the points give the
    area `auc` reports, ties included. Empty without a good or a bad."""
    scores, goods, bads = _arrays(counts)
    if goods.sum() == 0 or bads.sum() == 0:
        return pl.DataFrame(
            schema={
                "threshold": pl.Float64,
                "false_positive_rate": pl.Float64,
                "true_positive_rate": pl.Float64,
            }
        )
    # Riskiest first: lowering the threshold past each distinct score flags all of its observations.
    order = np.argsort(-scores, kind="stable")
    return pl.DataFrame(
        {
            "threshold": np.concatenate([[np.nan], scores[order]]),
            "false_positive_rate": np.concatenate([[0.0], np.cumsum(goods[order]) / goods.sum()]),
            "true_positive_rate": np.concatenate([[0.0], np.cumsum(bads[order]) / bads.sum()]),
        }
    ).with_columns(pl.col("threshold").fill_nan(None))


def downsample(
    frame: pl.DataFrame, max_points: int = MAX_CURVE_POINTS, keep: Sequence[int] = ()
) -> pl.DataFrame:
    """At most about `max_points` rows of `frame` evenly spaced by position, always with the first
    and last row and the rows at positions `keep` (e.g. the KS point), in their original order."""
    if frame.height <= max_points:
        return frame
    positions = set(np.linspace(0, frame.height - 1, max_points).round().astype(int).tolist())
    positions.update(p for p in keep if 0 <= p < frame.height)
    return frame[sorted(positions)]


def psi(
    expected: Sequence[float] | np.ndarray,
    actual: Sequence[float] | np.ndarray,
    epsilon: float = PSI_EPSILON,
) -> float | None:
    """Population stability index of `actual` against `expected` (counts per bin, same bins):
    PSI = sum over bins of (A - E) * ln(A / E) with A, E the shares (0-1) of each bin. A share of 0
    becomes `epsilon` (the shares are not renormalised: the difference is at most
    bins * epsilon). 0 = identical; None when either side has no observation."""
    e = np.asarray(expected, dtype=float)
    a = np.asarray(actual, dtype=float)
    if e.shape != a.shape:
        raise ValueError("expected and actual need the same bins")
    if e.sum() <= 0 or a.sum() <= 0:
        return None
    e_share = np.maximum(e / e.sum(), epsilon)
    a_share = np.maximum(a / a.sum(), epsilon)
    return float(((a_share - e_share) * np.log(a_share / e_share)).sum())


def psi_by_month(bins: pl.DataFrame, reference: date) -> pl.DataFrame:
    """(as_of, rows, psi) per month of `bins` = (as_of, bin, rows) with every bin present for every
    month (zeros included), PSI against the month `reference`; empty when that month is absent."""
    expected = bins.filter(pl.col("as_of") == reference).sort("bin")["rows"].to_numpy()
    if expected.size == 0:
        return pl.DataFrame(schema={"as_of": pl.Date, "rows": pl.Int64, "psi": pl.Float64})
    rows = []
    for (as_of,), month in bins.sort("as_of", "bin").group_by("as_of", maintain_order=True):
        actual = month["rows"].to_numpy()
        rows.append((as_of, int(actual.sum()), psi(expected, actual)))
    return pl.DataFrame(
        rows, schema={"as_of": pl.Date, "rows": pl.Int64, "psi": pl.Float64}, orient="row"
    )


def clopper_pearson(
    defaults: int | np.ndarray, observations: int | np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Clopper-Pearson) two-sided interval for a binomial rate, as shares 0-1: lower =
    Beta(alpha/2; k, n - k + 1), upper = Beta(1 - alpha/2; k + 1, n - k), with lower 0 at k = 0 and
    upper 1 at k = n. NaN where n = 0. Works on scalars or arrays (returns arrays)."""
    from scipy.stats import beta  # late: seconds to import, and only this function needs it

    k = np.asarray(defaults, dtype=float)
    n = np.asarray(observations, dtype=float)
    if ((k < 0) | (k > n)).any():
        raise ValueError("need 0 <= defaults <= observations")
    alpha = 1 - confidence
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = np.where(k > 0, beta.ppf(alpha / 2, k, n - k + 1), 0.0)
        upper = np.where(k < n, beta.ppf(1 - alpha / 2, k + 1, n - k), 1.0)
    empty = n == 0
    return np.where(empty, np.nan, lower), np.where(empty, np.nan, upper)


@dataclass(frozen=True)
class EarlyWarningRecord:
    """How the watchlist did before past defaults and what its entries led to.

    defaults: defaults judged; flagged: of them, on the list in the 12 months before; hit_rate:
    flagged / defaults (0-1); mean_lead, median_lead: months from the flagging spell's entry to the
    default (flagged defaults only); spells: watchlist entries whose 12 months have passed;
    false_alarms: of them, not followed by a default within 12 months; false_alarm_share (0-1).
    """

    defaults: int
    flagged: int
    hit_rate: float | None
    mean_lead: float | None
    median_lead: float | None
    spells: int
    false_alarms: int
    false_alarm_share: float | None


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def early_warning_record(defaults: pl.DataFrame, outcomes: pl.DataFrame) -> EarlyWarningRecord:
    """The record from `defaults` (one row per default: on_watchlist_before, lead_months) and
    `outcomes` (spells, followed_by_default, per entry date)."""
    flagged = defaults.filter(pl.col("on_watchlist_before"))
    leads = flagged["lead_months"].drop_nulls()
    spells = int(outcomes["spells"].sum()) if outcomes.height else 0
    followed = int(outcomes["followed_by_default"].sum()) if outcomes.height else 0

    def stat(value: float | None) -> float | None:
        return None if value is None or math.isnan(value) else float(value)

    return EarlyWarningRecord(
        defaults=defaults.height,
        flagged=flagged.height,
        hit_rate=_share(flagged.height, defaults.height),
        mean_lead=stat(leads.mean()) if leads.len() else None,
        median_lead=stat(leads.median()) if leads.len() else None,
        spells=spells,
        false_alarms=spells - followed,
        false_alarm_share=_share(spells - followed, spells),
    )
