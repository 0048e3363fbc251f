"""Champion / challenger: the policy in force and a challenger on the same month-ends and the same
outcomes — discrimination in and out of time with intervals, calibration by grade, stability per
characteristic, grade migration, EL and watchlist impact — and a verdict computed from them.

Inputs are two month-end histories (data.challenger.month_end_scores: customer_id, as_of, score,
grade, grade_pd, exposure, expected_loss, on_watchlist, defaulted, default_12m, factor scores).
The outcome of both is the champion's: an observation is a customer at a month-end t, not in
default at t, whose 12-month window ends by the build's as-of date; bad = in default at a later
grid date of that window (customer_month.default_12m, as the Model page's back-test). Out of time
= the last `oot_months` observation months (default 12); in time = the months before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from queries import model_metrics, roc_inference
from schemas.results import validate_result

GRADES = ("A", "B", "C", "D", "E")
MODELS = ("champion", "challenger")
SAMPLES = ("in_time", "out_of_time")
OOT_MONTHS = 12
# Verdict thresholds: PSI of the challenger's score out of time against in time; a significant
# AUC difference is one whose DeLong 95 % interval excludes 0.
STABLE_PSI = model_metrics.PSI_WATCH
UNSTABLE_PSI = model_metrics.PSI_ACTION


def observations(
    champion: pl.DataFrame, challenger: pl.DataFrame, oot_months: int = OOT_MONTHS
) -> pl.DataFrame:
    """One row per back-test observation: customer_id, as_of, sample (in_time / out_of_time),
    bad, the two scores (rounded to 0.01 point, as the Model page's back-test), grades and grade
    PDs (champion_*, challenger_*)."""
    horizon = champion["as_of"].max()
    base = champion.filter(
        ~pl.col("defaulted") & (pl.col("as_of").dt.offset_by("12mo").dt.month_end() <= horizon)
    ).select(
        "customer_id",
        "as_of",
        bad=pl.col("default_12m"),
        champion_score=pl.col("score").round(2),
        champion_grade="grade",
        champion_pd="grade_pd",
    )
    other = challenger.select(
        "customer_id",
        "as_of",
        challenger_score=pl.col("score").round(2),
        challenger_grade="grade",
        challenger_pd="grade_pd",
    )
    joined = base.join(other, on=["customer_id", "as_of"], how="inner")
    months = sorted(joined["as_of"].unique().to_list())
    cut = months[-oot_months] if len(months) >= oot_months else (months[0] if months else None)
    return joined.with_columns(
        sample=pl.when(pl.col("as_of") >= cut)
        .then(pl.lit("out_of_time"))
        .otherwise(pl.lit("in_time"))
    ).sort("as_of", "customer_id")


def discrimination(obs: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(per model and sample: AUC with DeLong interval, Gini, KS with bootstrap interval;
    per sample: challenger - champion AUC with DeLong interval and p-value)."""
    rows, diffs = [], []
    for sample in SAMPLES:
        part = obs.filter(pl.col("sample") == sample)
        bads = part["bad"].to_numpy().astype(bool)
        scores = [part[f"{m}_score"].to_numpy() for m in MODELS]
        test = roc_inference.delong(scores, bads) if part.height else None
        first = part["as_of"].min() if part.height else None
        last = part["as_of"].max() if part.height else None
        for index, model in enumerate(MODELS):
            counts = model_metrics.score_counts(scores[index], bads)
            kolmogorov = roc_inference.ks_interval(counts) if part.height else None
            auc = low = high = None
            if test is not None:
                auc = float(test.aucs[index])
                low, high = test.interval(index)
            rows.append(
                {
                    "model": model,
                    "sample": sample,
                    "first_month": first,
                    "last_month": last,
                    "observations": part.height,
                    "bads": int(bads.sum()),
                    "auc": auc,
                    "auc_low": low,
                    "auc_high": high,
                    "gini": model_metrics.gini(auc),
                    "gini_low": model_metrics.gini(low),
                    "gini_high": model_metrics.gini(high),
                    "ks": kolmogorov.statistic if kolmogorov else None,
                    "ks_low": kolmogorov.low if kolmogorov else None,
                    "ks_high": kolmogorov.high if kolmogorov else None,
                }
            )
        diff = test.difference() if test is not None else (None, None, None, None)
        diffs.append(dict(zip(("difference", "low", "high", "p_value"), diff, strict=True)))
        diffs[-1]["sample"] = sample
    metrics = pl.DataFrame(rows, schema=_DISCRIMINATION_SCHEMA, orient="row")
    difference = pl.DataFrame(diffs).select(
        "sample", *(pl.col(c).cast(pl.Float64) for c in ("difference", "low", "high", "p_value"))
    )
    return (
        validate_result("compare_discrimination", metrics),
        validate_result("compare_auc_difference", difference),
    )


_DISCRIMINATION_SCHEMA = {
    "model": pl.String,
    "sample": pl.String,
    "first_month": pl.Date,
    "last_month": pl.Date,
    "observations": pl.Int64,
    "bads": pl.Int64,
    **{
        c: pl.Float64
        for c in ("auc", "auc_low", "auc_high", "gini", "gini_low", "gini_high")
        + ("ks", "ks_low", "ks_high")
    },
}


def roc_curves(obs: pl.DataFrame, sample: str) -> pl.DataFrame:
    """(model, false_positive_rate, true_positive_rate) of both models on one sample, each curve
    downsampled for the browser."""
    part = obs.filter(pl.col("sample") == sample)
    frames = []
    for model in MODELS:
        counts = model_metrics.score_counts(part[f"{model}_score"].to_numpy(), part["bad"])
        points = model_metrics.downsample(model_metrics.roc_points(counts))
        frames.append(
            points.select("false_positive_rate", "true_positive_rate").with_columns(
                model=pl.lit(model)
            )
        )
    return pl.concat(frames).select("model", "false_positive_rate", "true_positive_rate")


def calibration(obs: pl.DataFrame) -> pl.DataFrame:
    """Per model and grade A-E over every observation: observations, defaults, observed rate with
    its exact 95 % interval, mean grade PD, and whether that PD lies inside the interval."""
    frames = []
    for model in MODELS:
        counted = obs.group_by(grade=pl.col(f"{model}_grade")).agg(
            observations=pl.len().cast(pl.Int64),
            defaults=pl.col("bad").sum().cast(pl.Int64),
            pd=pl.col(f"{model}_pd").mean(),
        )
        frame = (
            pl.DataFrame({"grade": GRADES})
            .join(counted, on="grade", how="left")
            .with_columns(pl.col("observations", "defaults").fill_null(0), model=pl.lit(model))
        )
        lower, upper = model_metrics.clopper_pearson(
            frame["defaults"].to_numpy(), frame["observations"].to_numpy()
        )
        frames.append(
            frame.with_columns(
                observed_rate=pl.when(pl.col("observations") > 0).then(
                    pl.col("defaults") / pl.col("observations")
                ),
                ci_low=pl.Series(lower).fill_nan(None),
                ci_high=pl.Series(upper).fill_nan(None),
            ).with_columns(
                pd_within_ci=pl.col("pd").is_between(pl.col("ci_low"), pl.col("ci_high"))
            )
        )
    result = pl.concat(frames).select(
        "model", "grade", "observations", "defaults", "observed_rate", "ci_low", "ci_high", "pd",
        "pd_within_ci",
    )  # fmt: skip
    return validate_result("compare_calibration", result)


def decile_bins(reference: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Bin (0-based) of each value in the deciles of `reference`, as model_psi_bins.sql: edges are
    the distinct reference deciles below its maximum; bin k = (edge k, edge k + 1]."""
    if reference.size == 0:
        return np.zeros(values.size, dtype=int)
    deciles = np.quantile(reference, np.arange(1, 10) / 10, method="inverted_cdf")
    edges = np.unique(deciles[deciles < reference.max()])
    return np.searchsorted(edges, values, side="left")


def psi_between(reference: np.ndarray, actual: np.ndarray) -> float | None:
    """PSI of `actual` against `reference` in the reference's deciles; None when either is empty."""
    if reference.size == 0 or actual.size == 0:
        return None
    bins = int(decile_bins(reference, reference).max()) + 1
    expected = np.bincount(decile_bins(reference, reference), minlength=bins)
    observed = np.bincount(decile_bins(reference, actual), minlength=bins)[: max(bins, 1)]
    return model_metrics.psi(expected, observed)


def stability(
    champion: pl.DataFrame,
    challenger: pl.DataFrame,
    weights: dict[str, dict[str, float]],
    oot_months: int = OOT_MONTHS,
) -> pl.DataFrame:
    """Per model: PSI of the score, of each weighted factor's score and of each binned factor's
    points (the `<factor>_points` columns: the bins it falls in), the out-of-time months against
    the in-time ones (all month-end customers, not only back-test observations), and
    points_shift = weight x (mean out of time - mean in time) in score points. `weights` is model
    -> factor -> weight; a factor of weight 0 adds nothing and is left out; the score and a
    binned factor have weight 1 (its points are score points). A binned factor is named as the
    factor, or `<factor>_points` when the model also weighs a factor of that name."""
    rows = []
    for model, frame in zip(MODELS, (champion, challenger), strict=True):
        months = sorted(frame["as_of"].unique().to_list())
        cut = months[-oot_months] if len(months) > oot_months else None
        early = frame.filter(pl.col("as_of") < cut) if cut else frame.clear()
        late = frame.filter(pl.col("as_of") >= cut) if cut else frame
        columns = {"score": ("score", 1.0)} | {
            f: (f"{f}_score", w)
            for f, w in weights[model].items()
            if w > 0 and f"{f}_score" in frame.columns
        }
        for column in frame.columns:
            if column.endswith("_points"):
                name = column.removesuffix("_points")
                columns[column if name in columns else name] = (column, 1.0)
        for name, (column, weight) in columns.items():
            ref = early[column].drop_nulls().to_numpy()
            act = late[column].drop_nulls().to_numpy()
            shift = weight * (act.mean() - ref.mean()) if ref.size and act.size else None
            rows.append((model, name, float(weight), psi_between(ref, act), shift))
    result = pl.DataFrame(
        rows,
        schema={
            "model": pl.String,
            "characteristic": pl.String,
            "weight": pl.Float64,
            "psi": pl.Float64,
            "points_shift": pl.Float64,
        },
        orient="row",
    )
    return validate_result("compare_stability", result)


def latest(champion: pl.DataFrame, challenger: pl.DataFrame) -> pl.DataFrame:
    """Every customer at the latest month-end with both grades, exposure and EL of each model."""
    as_of = champion["as_of"].max()
    keep = ["customer_id", "exposure", "grade", "expected_loss", "on_watchlist"]
    return (
        champion.filter(pl.col("as_of") == as_of)
        .select(keep)
        .join(
            challenger.filter(pl.col("as_of") == as_of).select(keep),
            on="customer_id",
            suffix="_challenger",
        )
        .with_columns(as_of=pl.lit(as_of))
    )


def migration(now: pl.DataFrame) -> pl.DataFrame:
    """(champion_grade, challenger_grade, customers, exposure) at the latest month, every pair."""
    counted = now.group_by(champion_grade="grade", challenger_grade="grade_challenger").agg(
        customers=pl.len().cast(pl.Int64), exposure=pl.col("exposure").sum()
    )
    grid = pl.DataFrame({"champion_grade": GRADES}).join(
        pl.DataFrame({"challenger_grade": GRADES}), how="cross"
    )
    result = (
        grid.join(counted, on=["champion_grade", "challenger_grade"], how="left")
        .with_columns(pl.col("customers").fill_null(0), pl.col("exposure").fill_null(0.0))
        .sort("champion_grade", "challenger_grade")
    )
    return validate_result("compare_migration", result)


def impact(now: pl.DataFrame) -> pl.DataFrame:
    """Per model at the latest month: customers, exposure, expected loss, watchlist count, and
    customers and exposure in grade E."""
    rows = []
    for model, suffix in (("champion", ""), ("challenger", "_challenger")):
        in_e = now.filter(pl.col(f"grade{suffix}") == "E")
        rows.append(
            {
                "model": model,
                "as_of": now["as_of"].max() if now.height else None,
                "customers": now.height,
                "exposure": float(now["exposure"].sum()),
                "expected_loss": float(now[f"expected_loss{suffix}"].sum()),
                "watchlist": int(now[f"on_watchlist{suffix}"].sum()),
                "grade_e": in_e.height,
                "exposure_e": float(in_e["exposure"].sum()),
            }
        )
    return validate_result("compare_impact", pl.DataFrame(rows))


@dataclass(frozen=True)
class Verdict:
    """The comparison in a few facts. in_time / out_of_time: 'better', 'worse' or 'same' (the
    challenger's AUC against the champion's, 'same' when DeLong's interval of the difference holds
    0 or it cannot be measured); stability: 'stable' (challenger score PSI < 0.10), 'shift'
    (< 0.25) or 'unstable', or 'unknown'; unstable_factors: the challenger's factors with PSI >=
    0.25; into_e / out_of_e: customers the challenger moves into / out of grade E today;
    upgrades / downgrades: customers it grades better / worse; el_change (money) and
    watchlist_change (customers): challenger - champion today; miscalibrated: the challenger's
    grades whose PD lies outside the observed rate's interval; recommendation: 'promote' (better
    out of time, not worse in time, not unstable), 'reject' (worse out of time or unstable) or
    'hold'."""

    in_time: str
    out_of_time: str
    stability: str
    unstable_factors: tuple[str, ...]
    into_e: int
    out_of_e: int
    upgrades: int
    downgrades: int
    el_change: float
    watchlist_change: int
    miscalibrated: tuple[str, ...]
    recommendation: str


def _direction(difference: pl.DataFrame, sample: str) -> str:
    row = difference.filter(pl.col("sample") == sample)
    if not row.height or row["low"][0] is None:
        return "same"
    low, high = row["low"][0], row["high"][0]
    return "better" if low > 0 else "worse" if high < 0 else "same"


def verdict(
    difference: pl.DataFrame,
    stable: pl.DataFrame,
    moves: pl.DataFrame,
    effect: pl.DataFrame,
    calibrated: pl.DataFrame,
) -> Verdict:
    """The verdict from discrimination's difference frame, stability, migration, impact and
    calibration (rules in Verdict's docstring)."""
    in_time, out_of_time = _direction(difference, "in_time"), _direction(difference, "out_of_time")
    mine = stable.filter(pl.col("model") == "challenger")
    score_psi = mine.filter(pl.col("characteristic") == "score")["psi"]
    psi = score_psi[0] if score_psi.len() else None
    state = (
        "unknown"
        if psi is None
        else "stable"
        if psi < STABLE_PSI
        else "shift"
        if psi < UNSTABLE_PSI
        else "unstable"
    )
    factors = mine.filter((pl.col("characteristic") != "score") & (pl.col("psi") >= UNSTABLE_PSI))[
        "characteristic"
    ]
    rank = {g: i for i, g in enumerate(GRADES)}
    order = moves.with_columns(
        step=pl.col("challenger_grade").replace_strict(rank)
        - pl.col("champion_grade").replace_strict(rank),
        was_e=pl.col("champion_grade") == "E",
        is_e=pl.col("challenger_grade") == "E",
    )
    into_e = int(order.filter(pl.col("is_e") & ~pl.col("was_e"))["customers"].sum())
    out_of_e = int(order.filter(pl.col("was_e") & ~pl.col("is_e"))["customers"].sum())
    by_model = {r["model"]: r for r in effect.iter_rows(named=True)}
    if out_of_time == "worse" or state == "unstable":
        recommendation = "reject"
    elif out_of_time == "better" and in_time != "worse":
        recommendation = "promote"
    else:
        recommendation = "hold"
    return Verdict(
        in_time=in_time,
        out_of_time=out_of_time,
        stability=state,
        unstable_factors=tuple(factors.to_list()),
        into_e=into_e,
        out_of_e=out_of_e,
        upgrades=int(order.filter(pl.col("step") < 0)["customers"].sum()),
        downgrades=int(order.filter(pl.col("step") > 0)["customers"].sum()),
        el_change=by_model["challenger"]["expected_loss"] - by_model["champion"]["expected_loss"],
        watchlist_change=by_model["challenger"]["watchlist"] - by_model["champion"]["watchlist"],
        miscalibrated=tuple(
            calibrated.filter(
                (pl.col("model") == "challenger") & pl.col("pd_within_ci").not_().fill_null(False)
            )["grade"].to_list()
        ),
        recommendation=recommendation,
    )


@dataclass(frozen=True)
class Comparison:
    """Everything the page and the report show."""

    as_of: date
    observations: pl.DataFrame
    discrimination: pl.DataFrame
    difference: pl.DataFrame
    calibration: pl.DataFrame
    stability: pl.DataFrame
    migration: pl.DataFrame
    impact: pl.DataFrame
    verdict: Verdict


def compare(
    champion: pl.DataFrame,
    challenger: pl.DataFrame,
    weights: dict[str, dict[str, float]],
    oot_months: int = OOT_MONTHS,
) -> Comparison:
    """The whole comparison of two month-end histories (see the module docstring)."""
    obs = observations(champion, challenger, oot_months)
    metrics, difference = discrimination(obs)
    calibrated = calibration(obs)
    stable = stability(champion, challenger, weights, oot_months)
    now = latest(champion, challenger)
    moves, effect = migration(now), impact(now)
    return Comparison(
        as_of=champion["as_of"].max(),
        observations=obs,
        discrimination=metrics,
        difference=difference,
        calibration=calibrated,
        stability=stable,
        migration=moves,
        impact=effect,
        verdict=verdict(difference, stable, moves, effect, calibrated),
    )
