"""Confidence intervals for discrimination metrics: DeLong's AUC variance (one score or two scores
on the same observations) and a stratified bootstrap for KS.

Pure functions (numpy, scipy). Scores are points, higher = riskier; `bads` flags the observations
that defaulted. DeLong follows DeLong, DeLong & Clarke-Pearson (1988) with the mid-rank formulation
of Sun & Xu (2014): ties count 1/2, as in queries.model_metrics.auc.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from queries import model_metrics

# scipy.stats.norm.ppf(0.975), written out: importing scipy.stats takes seconds, so it is loaded
# only by the functions that need it (a page's title is drawn first).
Z95 = 1.959963984540054
BOOTSTRAP_SAMPLES = 400


@dataclass(frozen=True)
class DeLong:
    """AUCs (0-1) of k scores on the same observations and their covariance matrix (k x k)."""

    aucs: np.ndarray
    covariance: np.ndarray

    def interval(self, index: int = 0, z: float = Z95) -> tuple[float, float]:
        """The normal 95 % interval of AUC `index`, clipped to [0, 1]."""
        auc, var = float(self.aucs[index]), float(self.covariance[index, index])
        half = z * math.sqrt(max(var, 0.0))
        return max(0.0, auc - half), min(1.0, auc + half)

    def difference(self, z: float = Z95) -> tuple[float, float, float, float]:
        """(AUC1 - AUC0, low, high, two-sided p-value) of the first two scores; p = 1 when the
        difference has no variance (the same ranking)."""
        diff = float(self.aucs[1] - self.aucs[0])
        c = self.covariance
        var = max(float(c[0, 0] + c[1, 1] - 2 * c[0, 1]), 0.0)
        if var <= 1e-15:
            return diff, diff, diff, 1.0
        from scipy.stats import norm  # late: seconds to import

        se = math.sqrt(var)
        p = float(2 * norm.sf(abs(diff) / se))
        return diff, diff - z * se, diff + z * se, min(1.0, p)


def delong(scores: Sequence[np.ndarray] | np.ndarray, bads: np.ndarray) -> DeLong | None:
    """DeLong's AUCs and covariance for each row of `scores` (one array per model, same
    observations) against `bads`; None without at least two bads and two goods (the variance
    needs both)."""
    table = np.atleast_2d(np.asarray(scores, dtype=float))
    bad = np.asarray(bads, dtype=bool)
    m, n = int(bad.sum()), int((~bad).sum())
    if m < 2 or n < 2:
        return None
    from scipy.stats import rankdata  # late: seconds to import

    positives, negatives = table[:, bad], table[:, ~bad]
    k = table.shape[0]
    aucs = np.empty(k)
    v01 = np.empty((k, m))  # per bad: share of goods it outranks
    v10 = np.empty((k, n))  # per good: share of bads that outrank it
    for r in range(k):
        combined = rankdata(np.concatenate([positives[r], negatives[r]]))
        rank_pos = rankdata(positives[r])
        rank_neg = rankdata(negatives[r])
        aucs[r] = (combined[:m].sum() - m * (m + 1) / 2) / (m * n)
        v01[r] = (combined[:m] - rank_pos) / n
        v10[r] = 1.0 - (combined[m:] - rank_neg) / m
    s01 = np.atleast_2d(np.cov(v01))
    s10 = np.atleast_2d(np.cov(v10))
    return DeLong(aucs, s01 / m + s10 / n)


@dataclass(frozen=True)
class KsInterval:
    """KS statistic (0-1) with the 2.5 % and 97.5 % quantiles of its bootstrap distribution."""

    statistic: float
    low: float
    high: float


def ks_interval(
    counts: pl.DataFrame, samples: int = BOOTSTRAP_SAMPLES, seed: int = 18
) -> KsInterval | None:
    """KS of score counts (score, goods, bads; see model_metrics) with a stratified bootstrap
    interval: each sample redraws the bads and the goods, as many of each as observed, from their
    own score distribution (multinomial over the distinct scores). Deterministic per seed. None
    without a good or a bad."""
    point = model_metrics.ks(counts)
    if point is None:
        return None
    ordered = counts.sort("score")
    goods = ordered["goods"].to_numpy().astype(float)
    bads = ordered["bads"].to_numpy().astype(float)
    n_goods, n_bads = int(goods.sum()), int(bads.sum())
    rng = np.random.default_rng(seed)
    drawn_goods = rng.multinomial(n_goods, goods / n_goods, size=samples)
    drawn_bads = rng.multinomial(n_bads, bads / n_bads, size=samples)
    gaps = np.abs(
        np.cumsum(drawn_goods, axis=1) / n_goods - np.cumsum(drawn_bads, axis=1) / n_bads
    ).max(axis=1)
    low, high = np.quantile(gaps, [0.025, 0.975])
    return KsInterval(point.statistic, float(low), float(high))
