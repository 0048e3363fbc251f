"""The what-if simulator: re-score the warehouse's history under another policy, in memory.

Pure Polars on frames the queries in queries/whatif.py return; nothing here reads or writes a
warehouse. The rules are the build's (data/sql/build_cm_scores.sql, build_pd_calibration.sql,
build_customer_month.sql, build_early_warning.sql), so the current policy reproduces the warehouse's
scores, grades, PDs, expected losses and watchlist exactly; tests/test_whatif.py holds that.

Units: scores 0-100; shares, PD and LGD 0-1; money in the reporting currency; days for DPD.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl

from data.policy import FACTORS, GRADES, Policy

GRADE_RANK = {grade: rank for rank, grade in enumerate(GRADES, start=1)}
# Grades whose limits the limit-cut action reduces, and the grade the stop-new-business action hits.
LIMIT_CUT_GRADES = ("D", "E")
STOP_GRADE = "E"


@dataclass(frozen=True)
class Actions:
    """Credit-control actions taken on the scenario's grades at the as-of date.

    limit_cut: share 0-1 by which the limits of D and E customers are cut;
    collateral_above: exposure (money) above which collateral must secure the excess, None = off;
    stop_new_e: E customers may sign no new contracts (their undrawn limit is closed).
    """

    limit_cut: float = 0.0
    collateral_above: float | None = None
    stop_new_e: bool = False

    def __post_init__(self) -> None:
        if not 0.0 <= self.limit_cut <= 1.0:
            raise ValueError(f"limit_cut is a share 0-1, got {self.limit_cut!r}")
        if self.collateral_above is not None and self.collateral_above < 0:
            raise ValueError(
                f"collateral_above must not be negative, got {self.collateral_above!r}"
            )


@dataclass(frozen=True)
class Simulation:
    """What a scenario changes, side by side with the current policy.

    customers: one row per customer at the as-of date: the current figures (score, grade, band, pd,
    lgd, expected_loss, on_watchlist) and the scenario's (the same names with `_new`), plus
    credit_limit_new, collateral_call and headroom_closed (money) from the actions.
    bands: one row per band: customers, exposure and expected_loss under each policy.
    transitions: one row per (grade, grade_new) pair that occurs, with its customer count.
    calibration: one row per grade: the scenario's PD calibration (as pd_calibration is built).
    summary: totals, named as in `SUMMARY_KEYS`.
    """

    customers: pl.DataFrame
    bands: pl.DataFrame
    transitions: pl.DataFrame
    calibration: pl.DataFrame
    summary: dict[str, float | int | None] = field(default_factory=dict)


def rescore(history: pl.DataFrame, policy: Policy) -> pl.DataFrame:
    """history (whatif_history rows) with `score` and `grade` under `policy`.

    Factors are added in the policy's order, as the build SQL adds them, so the floating-point sum is
    the same and the current policy reproduces the warehouse's scores to the last bit.
    """
    score: pl.Expr | None = None
    for factor in FACTORS:
        term = pl.lit(policy.weights[factor], dtype=pl.Float64) * pl.col(f"{factor}_score")
        score = term if score is None else score + term
    grade = pl.lit("A")
    for candidate in GRADES[1:]:
        grade = (
            pl.when(pl.col("score") >= policy.grades[candidate])
            .then(pl.lit(candidate))
            .otherwise(grade)
        )
    return history.with_columns(score=score).with_columns(grade=grade)


def prepare_history(history: pl.DataFrame, downgrade_months: int) -> pl.DataFrame:
    """whatif_history rows (which carry default_12m, pd_observation and earlier_on, the month-end
    `downgrade_months` before) with `row_index`, their position once sorted by customer and date,
    and `earlier_index`, the position of the customer's row at earlier_on (null when absent), so the
    downgrade trigger reads the earlier grade by position. Worked out once per warehouse version.
    """
    frame = history.sort("customer_id", "as_of").with_columns(
        row_index=pl.int_range(pl.len(), dtype=pl.UInt32),
        # an integer per customer (rows are sorted by customer): joins on it are far cheaper
        customer_code=(pl.col("customer_id") != pl.col("customer_id").shift(1))
        .fill_null(True)
        .cum_sum()
        .cast(pl.UInt32),
    )

    # (customer, date) as one integer: days since 1970 stay below 100 000 until the year 2243
    def key(day: pl.Expr) -> pl.Expr:
        return pl.col("customer_code").cast(pl.Int64) * 100_000 + day.cast(pl.Int32)

    positions = frame.select(key=key(pl.col("as_of")), earlier_index="row_index")
    return (
        frame.with_columns(key=key(pl.col("earlier_on")))
        .join(positions, on="key", how="left", maintain_order="left")
        .drop("key", "customer_code", "earlier_on")
        .with_columns(downgrade_months=pl.lit(downgrade_months, dtype=pl.Int16))
    )


def calibrate(graded: pl.DataFrame, policy: Policy) -> pl.DataFrame:
    """PD by grade from the re-graded, prepared history (see prepare_history), as
    build_pd_calibration.sql does it: the beta-binomial posterior mean with the policy's prior PD
    weighing `prior_weight` observations, (defaults + w * prior) / (observations + w), not below the
    floor. Returns grade, observations, defaults_12m, observed_rate (0-1, null without
    observations), prior_pd and pd_used (0-1), source ('posterior', or 'prior' without observations).
    """
    observed = (
        graded.filter(pl.col("pd_observation"))
        .group_by("grade")
        .agg(
            observations=pl.len().cast(pl.Int64),
            defaults_12m=pl.col("default_12m").sum().cast(pl.Int64),
        )
    )
    grades = pl.DataFrame(
        {"grade": list(GRADES), "prior_pd": [float(policy.pd.prior[g]) for g in GRADES]}
    )
    weight = float(policy.pd.prior_weight)
    posterior = (pl.col("defaults_12m") + weight * pl.col("prior_pd")) / (
        pl.col("observations") + weight
    )
    return (
        grades.join(observed, on="grade", how="left")
        .with_columns(
            pl.col("observations").fill_null(0),
            pl.col("defaults_12m").fill_null(0),
        )
        .with_columns(
            observed_rate=pl.when(pl.col("observations") > 0).then(
                pl.col("defaults_12m").cast(pl.Float64) / pl.col("observations")
            ),
            pd_used=pl.max_horizontal(
                pl.lit(policy.pd.floor),
                pl.when(pl.col("observations") + weight > 0)
                .then(posterior)
                .otherwise(pl.col("prior_pd")),
            ),
            source=pl.when(pl.col("observations") > 0)
            .then(pl.lit("posterior"))
            .otherwise(pl.lit("prior")),
        )
        .select(
            "grade",
            "observations",
            "defaults_12m",
            "observed_rate",
            "prior_pd",
            "pd_used",
            "source",
        )
        .sort("grade")
    )


def flag_watchlist(
    graded: pl.DataFrame, policy: Policy, rows: pl.Expr | None = None
) -> pl.DataFrame:
    """The prepared, graded history's rows selected by `rows` (default all) with `downgraded` and
    `on_watchlist` under `policy`.

    Overdue (max DPD above the policy's threshold) and downgrade (at least the policy's notches worse
    than the month-end `downgrade_months` before, or newly E) are re-evaluated; the other triggers
    (limit breach, legal, operational, rating downgrade, concentration) do not depend on the score
    and come from the warehouse as `other_trigger`.
    """
    wl = policy.watchlist
    if graded.height and graded["downgrade_months"][0] != wl.downgrade_months:
        raise ValueError(
            f"history prepared for a {graded['downgrade_months'][0]}-month downgrade look-back, "
            f"the policy uses {wl.downgrade_months}: prepare it again"
        )
    ranks = graded["grade"].replace_strict(GRADE_RANK, return_dtype=pl.Int8)
    chosen = graded if rows is None else graded.filter(rows)
    earlier = chosen["earlier_index"]
    # the earlier row's rank by position; rows without an earlier month-end get null
    earlier_rank = ranks.gather(earlier.fill_null(0)).set(earlier.is_null(), None)
    keyed = chosen.with_columns(
        grade_rank=chosen["grade"].replace_strict(GRADE_RANK, return_dtype=pl.Int8),
        earlier_rank=earlier_rank,
    )
    downgraded = (
        (pl.col("grade_rank") - pl.col("earlier_rank") >= wl.downgrade_notches)
        | ((pl.col("grade") == "E") & (pl.col("earlier_rank") != GRADE_RANK["E"]))
    ).fill_null(False)
    return (
        keyed.with_columns(downgraded=downgraded)
        .with_columns(
            on_watchlist=(pl.col("max_dpd") > wl.dpd)
            | pl.col("downgraded")
            | pl.col("other_trigger")
        )
        .drop("earlier_rank", "grade_rank")
    )


def hit_rate(flagged: pl.DataFrame, defaults: pl.DataFrame) -> tuple[int, int]:
    """(defaults flagged, defaults): a default counts as flagged when the customer was on the watchlist
    at a grid date in [defaulted_on - 12 months, defaulted_on), as build_early_warning.sql counts."""
    if defaults.height == 0:
        return 0, 0
    window = (
        defaults.select("customer_id", "defaulted_on")
        .join(
            flagged.filter(pl.col("on_watchlist")).select("customer_id", "as_of"), on="customer_id"
        )
        .filter(
            (pl.col("as_of") < pl.col("defaulted_on"))
            & (pl.col("as_of") >= pl.col("defaulted_on").dt.offset_by("-12mo"))
        )
    )
    return window["customer_id"].n_unique(), defaults.height


def _lgd(policy: Policy, collateral: pl.Expr) -> pl.Expr:
    # build_customer_month.sql: LGD falls with the collateral's value after the haircut, from the
    # segment's unsecured LGD (lgd_calibration, in the snapshot as lgd_unsecured)
    lgd = policy.lgd
    unsecured = pl.col("lgd_unsecured")
    secured = pl.min_horizontal(pl.lit(1.0), collateral * (1 - lgd.haircut) / pl.col("exposure"))
    return (
        pl.when(pl.col("exposure") > 0)
        .then(pl.max_horizontal(pl.lit(lgd.floor), unsecured * (1 - secured)))
        .otherwise(pl.max_horizontal(pl.lit(lgd.floor), unsecured))
    )


def _apply_actions(frame: pl.DataFrame, policy: Policy, actions: Actions) -> pl.DataFrame:
    cut = pl.col("grade_new").is_in(LIMIT_CUT_GRADES) & (actions.limit_cut > 0)
    frame = frame.with_columns(
        credit_limit_new=pl.when(cut)
        .then(pl.col("credit_limit") * (1 - actions.limit_cut))
        .otherwise(pl.col("credit_limit")),
    )
    haircut = policy.lgd.haircut
    if actions.collateral_above is not None and haircut < 1:
        # collateral after the haircut must cover the exposure above the threshold
        needed = (pl.col("exposure") - actions.collateral_above) / (1 - haircut) - pl.col(
            "collateral"
        )
        call = pl.when(pl.col("exposure") > actions.collateral_above).then(
            pl.max_horizontal(pl.lit(0.0), needed)
        )
        frame = frame.with_columns(collateral_call=call.otherwise(0.0))
    else:
        frame = frame.with_columns(collateral_call=pl.lit(0.0))
    closed = pl.max_horizontal(pl.lit(0.0), pl.col("credit_limit_new") - pl.col("exposure"))
    stop = (pl.col("grade_new") == STOP_GRADE) & actions.stop_new_e
    # a cut limit the exposure now exceeds is a limit breach, a watchlist trigger
    breach = cut & (pl.col("exposure") > pl.col("credit_limit_new") * policy.watchlist.utilisation)
    return frame.with_columns(
        headroom_closed=pl.when(stop).then(closed).otherwise(0.0),
        new_limit_breach=breach,
    )


SUMMARY_KEYS = (
    "customers",
    "exposure",
    "expected_loss",
    "expected_loss_new",
    "expected_loss_in_default",
    "expected_loss_in_default_new",
    "defaulted_customers",
    "high_exposure",
    "high_exposure_new",
    "watchlist",
    "watchlist_new",
    "upgraded",
    "downgraded",
    "defaults",
    "hits",
    "hits_new",
    "hit_rate",
    "hit_rate_new",
    "limit_reduction",
    "limits_cut",
    "collateral_call",
    "collateral_customers",
    "headroom_closed",
    "stopped_customers",
)


def simulate(
    history: pl.DataFrame,
    snapshot: pl.DataFrame,
    defaults: pl.DataFrame,
    policy: Policy,
    actions: Actions,
    as_of: date,
) -> Simulation:
    """Re-score `history` under `policy`, apply `actions` at `as_of`, and compare with `snapshot`.

    history: whatif_history rows (the whole warehouse: PDs are calibrated on all of it);
    snapshot: whatif_snapshot rows at as_of (the customers shown, within the page's filters);
    defaults: whatif_defaults rows (past defaults among those customers up to as_of).
    """
    graded = rescore(history, policy)
    calibration = calibrate(graded, policy)
    # the watchlist is needed at the as-of date and for the past defaults' last 12 months only
    needed = (pl.col("as_of") == as_of) | (
        pl.col("customer_id").is_in(defaults["customer_id"].implode() if defaults.height else [])
        & (pl.col("as_of") < as_of)
    )
    flagged = flag_watchlist(graded, policy, needed)
    at_as_of = flagged.filter(pl.col("as_of") == as_of).select(
        "customer_id",
        score_new="score",
        grade_new="grade",
        on_watchlist_rules="on_watchlist",
    )
    pd_by_grade = calibration.select(grade_new="grade", pd_new="pd_used")
    bands = {grade: policy.bands[grade] for grade in GRADES}
    customers = (
        snapshot.join(at_as_of, on="customer_id", how="left")
        .join(pd_by_grade, on="grade_new", how="left")
        # a customer in default has PD 1 whatever the scenario grades it
        .with_columns(pd_new=pl.when(pl.col("defaulted")).then(1.0).otherwise(pl.col("pd_new")))
        .with_columns(band_new=pl.col("grade_new").replace_strict(bands, return_dtype=pl.String))
    )
    customers = _apply_actions(customers, policy, actions)
    customers = (
        customers.with_columns(
            lgd_new=_lgd(policy, pl.col("collateral") + pl.col("collateral_call")),
            on_watchlist_new=pl.col("on_watchlist_rules") | pl.col("new_limit_breach"),
        )
        .with_columns(expected_loss_new=pl.col("pd_new") * pl.col("lgd_new") * pl.col("exposure"))
        .drop("on_watchlist_rules", "new_limit_breach")
    )
    hits_new, count = hit_rate(flagged, defaults)
    return Simulation(
        customers=customers,
        bands=_bands(customers, policy),
        transitions=customers.group_by("grade", "grade_new")
        .agg(customers=pl.len().cast(pl.Int64))
        .sort("grade", "grade_new"),
        calibration=calibration,
        summary=_summary(customers, defaults, hits_new, count),
    )


def _bands(customers: pl.DataFrame, policy: Policy) -> pl.DataFrame:
    order = list(dict.fromkeys(policy.bands[g] for g in GRADES))
    current = customers.group_by(band="band").agg(
        customers=pl.len().cast(pl.Int64),
        exposure=pl.col("exposure").sum(),
        expected_loss=pl.col("expected_loss").sum(),
    )
    scenario = customers.group_by(band="band_new").agg(
        customers_new=pl.len().cast(pl.Int64),
        exposure_new=pl.col("exposure").sum(),
        expected_loss_new=pl.col("expected_loss_new").sum(),
    )
    frame = pl.DataFrame({"band": order}).join(current, on="band", how="left")
    frame = frame.join(scenario, on="band", how="left")
    counts = ["customers", "customers_new"]
    amounts = ["exposure", "exposure_new", "expected_loss", "expected_loss_new"]
    return frame.with_columns(pl.col(counts).fill_null(0), pl.col(amounts).fill_null(0.0))


def _summary(
    customers: pl.DataFrame, defaults: pl.DataFrame, hits_new: int, count: int
) -> dict[str, float | int | None]:
    moves = customers.select(
        before=pl.col("grade").replace_strict(GRADE_RANK, return_dtype=pl.Int8),
        after=pl.col("grade_new").replace_strict(GRADE_RANK, return_dtype=pl.Int8),
    )
    hits = int(defaults["on_watchlist_before"].sum()) if defaults.height else 0
    high = pl.col("exposure").filter(pl.col("band") == "High").sum()
    high_new = pl.col("exposure").filter(pl.col("band_new") == "High").sum()
    totals = customers.select(
        exposure=pl.col("exposure").sum(),
        expected_loss=pl.col("expected_loss").sum(),
        expected_loss_new=pl.col("expected_loss_new").sum(),
        expected_loss_in_default=pl.col("expected_loss").filter(pl.col("defaulted")).sum(),
        expected_loss_in_default_new=pl.col("expected_loss_new").filter(pl.col("defaulted")).sum(),
        defaulted_customers=pl.col("defaulted").sum(),
        high_exposure=high,
        high_exposure_new=high_new,
        watchlist=pl.col("on_watchlist").sum(),
        watchlist_new=pl.col("on_watchlist_new").sum(),
        limit_reduction=(pl.col("credit_limit") - pl.col("credit_limit_new")).sum(),
        limits_cut=(pl.col("credit_limit_new") < pl.col("credit_limit")).sum(),
        collateral_call=pl.col("collateral_call").sum(),
        collateral_customers=(pl.col("collateral_call") > 0).sum(),
        headroom_closed=pl.col("headroom_closed").sum(),
        stopped_customers=(pl.col("headroom_closed") > 0).sum(),
    ).row(0, named=True)
    return {
        "customers": customers.height,
        **{k: (float(v) if isinstance(v, float) else int(v or 0)) for k, v in totals.items()},
        "upgraded": int((moves["after"] < moves["before"]).sum()),
        "downgraded": int((moves["after"] > moves["before"]).sum()),
        "defaults": count,
        "hits": hits,
        "hits_new": hits_new,
        "hit_rate": hits / count if count else None,
        "hit_rate_new": hits_new / count if count else None,
    }


def scenario_policy(
    current: Policy,
    *,
    weights: dict[str, float],
    cut_offs: dict[str, float],
    watchlist_dpd: int,
    name: str,
    limit_cut: float = 0.0,
) -> Policy:
    """`current` with other factor weights (0-1, summing to 1), grade cut-offs (lowest score of B-E)
    and watchlist DPD threshold (days), validated: PolicyError names what is wrong.

    A limit cut is recorded in the High band's limit action (the D and E grades are High by default),
    so a saved scenario says what credit control should do.
    """
    raw = current.to_dict()
    raw["name"] = name
    raw["weights"] = {factor: float(weights[factor]) for factor in FACTORS}
    raw["grades"] = {grade: float(cut_offs[grade]) for grade in GRADES[1:]}
    raw["watchlist"]["dpd"] = int(watchlist_dpd)
    if limit_cut > 0:
        raw["controls"]["High"]["limit_action"] = f"cut {limit_cut * 100:g} %"
    return Policy.from_dict(raw)


def scenario_toml(policy: Policy, comments: list[str]) -> str:
    """The scenario as a policy file `python -m data build --policy` accepts, with `comments` (what
    the scenario was and which actions it assumed) as TOML comment lines on top."""
    header = "".join(f"# {line}\n" for text in comments for line in text.splitlines())
    return header + "\n" + policy.to_toml()
