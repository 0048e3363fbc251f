"""Fit a challenger scorecard on the warehouse's own month-end history (`python -m data model fit`).

Observations are customer-months not in default whose 12-month outcome is known (queries/sql/
model_fit_frame.sql); the target default_12m is the one pd_calibration counts. Each behavioural
factor (data/policy.py SCORECARD_FACTORS) is binned with optbinning's optimal monotone binning on the
training window, each bin's weight of evidence WoE = ln(share of defaults in the bin / share of
non-defaults in the bin) (higher = riskier), and a logistic regression on the WoE values chooses its
L2 regularisation by cross-validation grouped by customer (no customer in both a fold's train and
test part). The training window ends `holdout_months` month-ends before the last observation (or at
`train_until`); the months after it are the out-of-time hold-out.

Points: factor j's bin i gets scale x (b_j WoE_ij - min_i b_j WoE_ij), with scale = 100 / the sum of
each factor's range, so a customer-month's points add up to a linear function of the fitted
log-odds between 0 and 100 (rounded down to 4 decimals). Grade cut-offs keep the grade shares the
policy in force gives the training window's month-ends, in default or not (queries/sql/
model_fit_grading.sql; the customers in default are where grade E lives), unless told other
shares; the PD of each grade is its observed default rate on the training observations.
Same data and seed, same file.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import polars as pl

from data.policy import GRADES, SCORECARD_FACTORS, Policy

MIN_DEFAULTS = 50  # defaults the training window needs
MIN_BIN_DEFAULTS = 5  # defaults (and non-defaults) every bin needs
LEAK_AUC = 0.98  # a single factor ranking the training outcome this well is taken to leak it
CS = tuple(float(c) for c in np.logspace(-4, 2, 13))  # inverse regularisation strengths tried
FOLDS = 5
TARGETS = ("default_12m",)


class FitError(ValueError):
    """The data cannot support a fit; the message gives the numbers."""


@dataclass(frozen=True)
class FactorFit:
    name: str
    edges: tuple[float, ...]
    woe: tuple[float, ...]  # per bin, lowest values first
    missing_woe: float
    counts: tuple[tuple[int, int], ...]  # (observations, defaults) per bin
    missing_counts: tuple[int, int]


@dataclass
class FitResult:
    policy: Policy
    factors: list[FactorFit]
    coefficients: dict[str, float]
    intercept: float
    c: float  # the chosen inverse regularisation strength
    notes: list[str]
    train_until: date
    train_rows: int
    train_defaults: int
    test_rows: int
    test_defaults: int
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)  # "in force"/"fitted" -> ...
    seconds: float = 0.0

    def summary(self) -> str:
        lines = [
            f"trained on month-ends up to {self.train_until}: {self.train_rows:,} customer-months, "
            f"{self.train_defaults:,} defaults; out of time: {self.test_rows:,} customer-months, "
            f"{self.test_defaults:,} defaults; C = {self.c:g}",
            *(f"note: {n}" for n in self.notes),
            "points (factor: bin -> points):",
        ]
        for name, bins in self.policy.scorecard.items():
            edges = bins.edges
            labels = [f"< {edges[0]:g}"] if edges else ["all"]
            labels += [f"[{a:g}, {b:g})" for a, b in zip(edges, edges[1:], strict=False)]
            labels += [f">= {edges[-1]:g}"] if edges else []
            cells = ", ".join(f"{lab}: {p:g}" for lab, p in zip(labels, bins.points, strict=True))
            lines.append(
                f"  {name} (coef {self.coefficients[name]:.3f}): {cells}; missing: {bins.missing:g}"
            )
        cuts = ", ".join(f"{g} >= {v:g}" for g, v in self.policy.grades.items())
        pds = ", ".join(f"{g} {v:.4f}" for g, v in self.policy.pd.prior.items())
        lines += [f"grade cut-offs: {cuts}", f"PD by grade (training window): {pds}"]
        for who, m in self.metrics.items():
            lines.append(
                f"{who}: AUC in time {m['auc_in']:.3f}, out of time {m['auc_out']:.3f}; "
                f"KS in time {m['ks_in']:.3f}, out of time {m['ks_out']:.3f}"
            )
        lines.append(f"fitted in {self.seconds:.1f} s")
        return "\n".join(lines)


# --- measures ----------------------------------------------------------------------------------


def auc(score: np.ndarray, target: np.ndarray) -> float:
    """Area under the ROC curve (ties count one half): the chance a default scores above a
    non-default. NaN when either class is absent."""
    score, target = np.asarray(score, dtype=float), np.asarray(target, dtype=bool)
    bad, good = int(target.sum()), int((~target).sum())
    if bad == 0 or good == 0:
        return math.nan
    ranks = _average_ranks(score)
    return float((ranks[target].sum() - bad * (bad + 1) / 2) / (bad * good))


def _average_ranks(values: np.ndarray) -> np.ndarray:
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    ranks = np.empty(len(values), dtype=float)
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_values)) + 1]
    ends = np.r_[starts[1:], len(values)]
    for s, e in zip(starts, ends, strict=True):
        ranks[order[s:e]] = (s + e + 1) / 2  # ranks s+1..e averaged
    return ranks


def ks(score: np.ndarray, target: np.ndarray) -> float:
    """Kolmogorov-Smirnov: the largest gap between the score distributions of defaults and
    non-defaults (0-1). NaN when either class is absent."""
    score, target = np.asarray(score, dtype=float), np.asarray(target, dtype=bool)
    bad, good = int(target.sum()), int((~target).sum())
    if bad == 0 or good == 0:
        return math.nan
    thresholds = np.unique(score)
    bad_cdf = np.searchsorted(np.sort(score[target]), thresholds, side="right") / bad
    good_cdf = np.searchsorted(np.sort(score[~target]), thresholds, side="right") / good
    return float(np.max(np.abs(bad_cdf - good_cdf)))


# --- binning and WoE ---------------------------------------------------------------------------


def bin_index(values: np.ndarray, edges: tuple[float, ...]) -> np.ndarray:
    """0-based bin of each value (bin i: edges[i-1] <= v < edges[i]); -1 for missing (NaN)."""
    values = np.asarray(values, dtype=float)
    out = np.searchsorted(np.asarray(edges, dtype=float), values, side="right")
    return np.where(np.isnan(values), -1, out)


def woe_table(
    values: np.ndarray, target: np.ndarray, edges: tuple[float, ...]
) -> tuple[list[tuple[int, int]], tuple[int, int], list[float | None], float | None]:
    """(observations, defaults) per bin and for the missing values, and each bin's WoE =
    ln((defaults_i / defaults) / (non-defaults_i / non-defaults)); None where a bin has no
    defaults or no non-defaults."""
    target = np.asarray(target, dtype=bool)
    idx = bin_index(values, edges)
    bad_total, good_total = int(target.sum()), int((~target).sum())

    def cell(mask: np.ndarray) -> tuple[tuple[int, int], float | None]:
        n, b = int(mask.sum()), int((mask & target).sum())
        g = n - b
        w = math.log((b / bad_total) / (g / good_total)) if b > 0 and g > 0 else None
        return (n, b), w

    cells = [cell(idx == i) for i in range(len(edges) + 1)]
    missing_count, missing_woe = cell(idx == -1)
    return [c for c, _ in cells], missing_count, [w for _, w in cells], missing_woe


def optimal_edges(values: np.ndarray, target: np.ndarray, name: str) -> tuple[float, ...]:
    """optbinning's optimal monotone binning split points (every bin with at least
    MIN_BIN_DEFAULTS defaults and non-defaults); () when no split helps."""
    from optbinning import OptimalBinning

    binning = OptimalBinning(
        name=name,
        dtype="numerical",
        solver="cp",
        monotonic_trend="auto_asc_desc",
        max_n_prebins=20,
        max_n_bins=8,
        min_bin_n_event=MIN_BIN_DEFAULTS,
        min_bin_n_nonevent=MIN_BIN_DEFAULTS,
        max_pvalue=0.05,  # adjacent bins whose default rates do not differ significantly merge
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        binning.fit(np.asarray(values, dtype=float), np.asarray(target, dtype=int))
    return tuple(round(float(s), 6) for s in binning.splits)


def fit_factor(values: np.ndarray, target: np.ndarray, name: str, notes: list[str]) -> FactorFit:
    """The binning and WoE of one factor on the training rows; refuses (FitError) a bin with fewer
    than MIN_BIN_DEFAULTS defaults. A missing-value group too small for its own WoE gets 0 (the
    average risk), with a note."""
    edges = optimal_edges(values, target, name)
    counts, missing_counts, woes, missing_woe = woe_table(values, target, edges)
    for (n, b), lo, hi in zip(counts, (-math.inf, *edges), (*edges, math.inf), strict=True):
        if b < MIN_BIN_DEFAULTS or n - b < MIN_BIN_DEFAULTS:
            raise FitError(
                f"{name}: the bin [{lo:g}, {hi:g}) has {b} defaults and {n - b} non-defaults; every "
                f"bin needs at least {MIN_BIN_DEFAULTS} of each"
            )
    n_missing, b_missing = missing_counts
    if n_missing and (b_missing < MIN_BIN_DEFAULTS or n_missing - b_missing < MIN_BIN_DEFAULTS):
        notes.append(
            f"{name}: {n_missing} missing values with {b_missing} defaults, too few for their "
            f"own weight of evidence; they score as average (WoE 0)"
        )
        missing_woe = None
    return FactorFit(
        name=name,
        edges=edges,
        woe=tuple(float(w) for w in woes),  # every bin has defaults and non-defaults (checked)
        missing_woe=float(missing_woe) if missing_woe is not None else 0.0,
        counts=tuple(counts),
        missing_counts=missing_counts,
    )


def woe_values(values: np.ndarray, fit: FactorFit) -> np.ndarray:
    table = np.asarray([*fit.woe, fit.missing_woe])
    return table[bin_index(values, fit.edges)]  # -1 (missing) picks the last entry


# --- the fit -------------------------------------------------------------------------------------


def split_months(
    months: list[date], train_until: date | None, holdout_months: int
) -> tuple[date, list[date], list[date]]:
    """(train_until, training month-ends, out-of-time month-ends) among the observed months."""
    months = sorted(set(months))
    if train_until is None:
        if len(months) <= holdout_months:
            raise FitError(
                f"{len(months)} month-ends with a complete 12-month outcome; an out-of-time "
                f"hold-out of {holdout_months} needs more"
            )
        train_until = months[-holdout_months - 1]
    train = [m for m in months if m <= train_until]
    test = [m for m in months if m > train_until]
    if not train:
        raise FitError(f"no month-end with a complete outcome on or before {train_until}")
    return train_until, train, test


def grouped_folds(groups: np.ndarray, seed: int, folds: int = FOLDS) -> list[tuple[Any, Any]]:
    """Cross-validation folds grouped by customer: a customer's rows are all in one fold."""
    from sklearn.model_selection import GroupKFold

    # integer codes in the order of the sorted ids: the same folds, but sklearn's membership
    # test on text ids compares every row with every id (minutes on a large book)
    _ids, codes = np.unique(groups, return_inverse=True)
    splitter = GroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(codes)), groups=codes))


def _logistic(x: np.ndarray, y: np.ndarray, groups: np.ndarray, seed: int) -> tuple[Any, float]:
    """An L2 logistic regression of `y` on the WoE columns `x`, its C chosen from CS by the mean
    log loss over the folds grouped by customer, refitted on every row with that C.

    WoE columns take a few values each, so the rows collapse to their distinct (fold, outcome,
    WoE values) combinations weighted by how often each occurs: the same fits and losses as one
    row each (a logistic loss adds over rows), at a cost that no longer grows with the book."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss

    fold_of = np.empty(len(y), dtype=np.int64)
    for k, (_train, test) in enumerate(grouped_folds(groups, seed)):
        fold_of[test] = k
    keys = np.column_stack([fold_of, y.astype(float), x])
    distinct, weight = np.unique(keys, axis=0, return_counts=True)
    fold, bad, features = distinct[:, 0].astype(np.int64), distinct[:, 1] > 0.5, distinct[:, 2:]
    weight = weight.astype(float)

    losses = np.zeros((FOLDS, len(CS)))
    for k in range(FOLDS):
        test = fold == k
        # along the path of C, each fit starting from the last (as LogisticRegressionCV does)
        model = LogisticRegression(max_iter=2000, warm_start=True)
        for j, c in enumerate(CS):
            model.set_params(C=c).fit(features[~test], bad[~test], sample_weight=weight[~test])
            chance = model.predict_proba(features[test])[:, 1]
            losses[k, j] = log_loss(bad[test], chance, sample_weight=weight[test], labels=[0, 1])
    best = int(np.argmin(losses.mean(axis=0)))  # the first (strongest regularisation) of ties
    model = LogisticRegression(C=CS[best], max_iter=2000)
    return model.fit(features, bad, sample_weight=weight), float(CS[best])


def fit_scorecard(
    frame: pl.DataFrame,
    base: Policy,
    *,
    target: str = "default_12m",
    train_until: date | None = None,
    holdout_months: int = 12,
    seed: int = 0,
    factors: tuple[str, ...] = tuple(SCORECARD_FACTORS),
    grading: pl.DataFrame | None = None,
    grade_shares: Mapping[str, float] | None = None,
) -> FitResult:
    """Fit a scorecard on `frame` (model_fit_frame rows) and return it as a policy derived from
    `base` (the policy in force): weights 0, [scorecard] bins and points, cut-offs, PD priors.

    The cut-offs give the customer-months of `grading` (model_fit_grading rows: the training
    window's month-ends in default or not; default: the training rows of `frame`) the grade
    shares the policy in force gives them, or `grade_shares` (grade -> share, adding up to 1)."""
    started = time.perf_counter()
    if target not in TARGETS:
        raise FitError(f"unknown target {target!r} (expected one of {', '.join(TARGETS)})")
    frame = frame.sort("customer_id", "as_of")
    train_until, train_months, _test = split_months(
        frame["as_of"].to_list(), train_until, holdout_months
    )
    is_train = (frame["as_of"] <= train_until).to_numpy()
    y_all = frame[target].to_numpy().astype(bool)
    y = y_all[is_train]
    n_train, n_bad = int(is_train.sum()), int(y.sum())
    if n_bad < MIN_DEFAULTS:
        raise FitError(
            f"the training window (month-ends up to {train_until}) has {n_bad} defaults among "
            f"{n_train} customer-months; a fit needs at least {MIN_DEFAULTS}"
        )
    notes: list[str] = []
    fits: list[FactorFit] = []
    for name in factors:
        x = frame[name].cast(pl.Float64).to_numpy()[is_train]
        present = x[~np.isnan(x)]
        if present.size == 0 or np.all(present == present[0]):
            notes.append(f"{name}: constant on the training window, dropped")
            continue
        single = auc(np.nan_to_num(x, nan=float(np.nanmedian(x))), y)
        if max(single, 1 - single) >= LEAK_AUC:
            notes.append(
                f"{name}: ranks the training outcome with AUC {max(single, 1 - single):.3f} "
                f"on its own, taken to leak the target, dropped"
            )
            continue
        fit = fit_factor(x, y, name, notes)
        if not fit.edges:
            notes.append(f"{name}: no split separates defaults better than none, dropped")
            continue
        fits.append(fit)
    if not fits:
        raise FitError("no factor is left to fit (see the notes): " + "; ".join(notes))

    groups = frame["customer_id"].to_numpy()[is_train]
    while True:
        x_woe = np.column_stack(
            [woe_values(frame[f.name].cast(pl.Float64).to_numpy()[is_train], f) for f in fits]
        )
        model, c = _logistic(x_woe, y, groups, seed)
        coef = np.ravel(model.coef_)
        wrong = [f.name for f, b in zip(fits, coef, strict=True) if b <= 0]
        if not wrong:
            break
        notes.append(
            f"{', '.join(wrong)}: a coefficient against its own weight of evidence once the "
            f"other factors are in, dropped"
        )
        fits = [f for f in fits if f.name not in wrong]
        if not fits:
            raise FitError("no factor is left to fit (see the notes): " + "; ".join(notes))

    if grading is None:
        grading = frame.filter(pl.col("as_of") <= train_until)
    else:
        grading = grading.filter(pl.col("as_of") <= train_until)
    shares = _shares(grading["grade"].to_numpy(), grade_shares)
    policy = _policy(
        base, fits, coef, frame, is_train, y, train_until, target, seed, grading, shares
    )
    result = FitResult(
        policy=policy,
        factors=fits,
        coefficients={f.name: float(b) for f, b in zip(fits, coef, strict=True)},
        intercept=float(np.ravel(model.intercept_)[0]),
        c=c,
        notes=notes,
        train_until=train_until,
        train_rows=n_train,
        train_defaults=n_bad,
        test_rows=int((~is_train).sum()),
        test_defaults=int(y_all[~is_train].sum()),
    )
    fitted = score_frame(policy, frame)
    in_force = frame["score"].to_numpy()
    for who, s in (("policy in force", in_force), ("fitted", fitted)):
        result.metrics[who] = {
            "auc_in": auc(s[is_train], y),
            "auc_out": auc(s[~is_train], y_all[~is_train]),
            "ks_in": ks(s[is_train], y),
            "ks_out": ks(s[~is_train], y_all[~is_train]),
        }
    result.seconds = time.perf_counter() - started
    return result


def score_frame(policy: Policy, frame: pl.DataFrame) -> np.ndarray:
    """The scorecard points of each row of `frame` under `policy` (weights 0), added in the
    policy's factor order as the build SQL adds them."""
    total = np.zeros(frame.height)
    for name, bins in policy.scorecard.items():
        table = np.asarray([*bins.points, bins.missing])
        total = total + table[bin_index(frame[name].cast(pl.Float64).to_numpy(), bins.edges)]
    return total


def _floor4(value: float) -> float:
    return math.floor(value * 10_000) / 10_000


def _policy(
    base: Policy,
    fits: list[FactorFit],
    coef: np.ndarray,
    frame: pl.DataFrame,
    is_train: np.ndarray,
    y: np.ndarray,
    train_until: date,
    target: str,
    seed: int,
    grading: pl.DataFrame,
    shares: dict[str, float],
) -> Policy:
    terms = [np.asarray([*f.woe, f.missing_woe]) * b for f, b in zip(fits, coef, strict=True)]
    scale = 100.0 / sum(float(t.max() - t.min()) for t in terms)
    scorecard: dict[str, dict[str, Any]] = {}
    for f, t in zip(fits, terms, strict=True):
        points = [_floor4(scale * float(v - t.min())) for v in t]
        scorecard[f.name] = {"edges": list(f.edges), "points": points[:-1], "missing": points[-1]}
    raw = base.to_dict()
    raw["version"] = f"fit-{target}-{train_until.isoformat()}-seed{seed}"
    raw["name"] = f"Fitted scorecard ({target}, trained on month-ends up to {train_until})"
    raw["weights"] = {k: 0.0 for k in raw["weights"]}
    raw["scorecard"] = {n: scorecard[n] for n in SCORECARD_FACTORS if n in scorecard}
    draft = Policy.from_dict(raw)
    raw["grades"] = _cut_offs(score_frame(draft, grading), shares)
    graded = Policy.from_dict(raw)
    scores = score_frame(draft, frame)[is_train]
    raw["pd"]["prior"] = _grade_pds(graded, scores, y, base)
    return Policy.from_dict(raw)


def _shares(grades_in_force: np.ndarray, told: Mapping[str, float] | None) -> dict[str, float]:
    """The grade shares the cut-offs keep: `told` (checked) or those of the policy in force."""
    if told is None:
        n = max(len(grades_in_force), 1)
        return {g: float((grades_in_force == g).sum()) / n for g in GRADES}
    unknown = sorted(set(told) - set(GRADES))
    if unknown:
        raise FitError(f"grade shares: unknown grade {', '.join(unknown)} (grades are A-E)")
    shares = {g: float(told.get(g, 0.0)) for g in GRADES}
    bad = [g for g, v in shares.items() if not 0 <= v <= 1]
    if bad:
        raise FitError(f"grade shares: the share of {bad[0]} must be between 0 and 1")
    if abs(sum(shares.values()) - 1.0) > 1e-6:
        total = sum(shares.values())
        raise FitError(f"grade shares add up to {total:g}; they must add up to 1")
    return shares


def _cut_offs(scores: np.ndarray, shares: Mapping[str, float]) -> dict[str, float]:
    """Lowest score of grades B-E so that the scored customer-months get the grade `shares` (as
    near as ties allow), rising strictly."""
    ordered = np.sort(scores)
    n = len(ordered)
    cuts: dict[str, float] = {}
    cumulative = 0.0
    previous = -1.0
    for grade in GRADES[:-1]:
        cumulative += shares[grade]
        below = round(cumulative * n)
        k = min(below, n - 1)
        cut = _floor4(float(ordered[k])) if below < n else 100.0
        cut = max(cut, previous + 0.0001)
        cut = min(cut, 100.0 - 0.0001 * (GRADES.index("E") - GRADES.index(grade) - 1))
        nxt = GRADES[GRADES.index(grade) + 1]
        cuts[nxt] = round(cut, 4)
        previous = cuts[nxt]
    return cuts


def _grade_pds(policy: Policy, scores: np.ndarray, y: np.ndarray, base: Policy) -> dict[str, float]:
    grades = np.asarray([policy.grade(float(s)) for s in scores])
    out: dict[str, float] = {}
    for g in GRADES:
        mask = grades == g
        if mask.any():
            out[g] = max(policy.pd.floor, round(float(y[mask].mean()), 6))
        else:
            out[g] = base.pd.prior[g]
    return out
