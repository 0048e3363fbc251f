"""The Model page's questions: the policy in force, the score's back-test, its stability, and the
early-warning record. SQL in queries/sql/model_*.sql; the metrics themselves in queries/model_metrics.py.
The filtered questions take the global filters as one `filters` (queries.filters.Filters).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import polars as pl

from queries import model_metrics
from queries.filters import Filters
from queries.runner import run

# A reference month needs this many scored customers for its deciles to mean something (10 a bin).
MIN_REFERENCE_CUSTOMERS = 100


def policy_factors(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """(factor, weight 0-1, description) of the policy in force, heaviest first."""
    return run(con, "model_policy_factors")


def policy_identity(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row (name, version) of the policy in force."""
    return run(con, "model_policy_identity")


def policy_grades(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Per grade A-E: score range [lower_edge, upper_edge) in points, band, PD in use (0-1) with its
    source and calibration counts, and whether the PDs rank (ranks_ok)."""
    return run(con, "model_policy_grades")


def backtest_scores(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
) -> pl.DataFrame:
    """(grade, score, observations, bads): back-test observations up to as_of (customer-months at
    month-ends, not in default, 12-month outcome seen) per grade and score (0.01 point)."""
    return run(
        con,
        "model_backtest_scores",
        **filters.params(),
    )


def score_months(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
) -> pl.DataFrame:
    """(as_of, customers): scored customers per grid date up to as_of, oldest first."""
    return run(
        con,
        "model_score_months",
        **filters.params(),
    )


def psi_bins(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    reference: date,
) -> pl.DataFrame:
    """(as_of, bin, lower_edge, upper_edge, rows): customers per grid date up to as_of in the score
    deciles of `reference` (bins (lower, upper] in points, open at the ends)."""
    return run(
        con,
        "model_psi_bins",
        reference=reference,
        **filters.params(),
    )


def early_warning(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
) -> pl.DataFrame:
    """One row per default up to as_of: on_watchlist_before (in the 12 months before) and
    lead_months (from the flagging spell's entry to the default)."""
    return run(
        con,
        "model_early_warning",
        **filters.params(),
    )


def watchlist_outcomes(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
) -> pl.DataFrame:
    """(entered_on, spells, followed_by_default): watchlist entries whose 12 months have passed by
    as_of, per entry date, and how many a default followed within those 12 months."""
    return run(
        con,
        "model_watchlist_outcomes",
        **filters.params(),
    )


# ---------- from query results to what the page shows (pure) ----------


def score_counts(backtest: pl.DataFrame) -> pl.DataFrame:
    """(score, goods, bads) per distinct score, ascending, from backtest_scores' rows."""
    return (
        backtest.group_by("score")
        .agg(
            goods=(pl.col("observations") - pl.col("bads")).sum(),
            bads=pl.col("bads").sum(),
        )
        .sort("score")
    )


@dataclass(frozen=True)
class Discrimination:
    """How well the score separates bads from goods: counts, AUC, Gini and KS (0-1; None when
    there is no bad or no good), and the score (points) where KS is reached."""

    observations: int
    bads: int
    auc: float | None
    gini: float | None
    ks: float | None
    ks_score: float | None

    @property
    def measurable(self) -> bool:
        return self.auc is not None


def discrimination(counts: pl.DataFrame) -> Discrimination:
    """The discrimination summary of score counts (score, goods, bads)."""
    area = model_metrics.auc(counts)
    kolmogorov = model_metrics.ks(counts)
    bads = int(counts["bads"].sum())
    return Discrimination(
        observations=int(counts["goods"].sum()) + bads,
        bads=bads,
        auc=area,
        gini=model_metrics.gini(area),
        ks=kolmogorov.statistic if kolmogorov else None,
        ks_score=kolmogorov.score if kolmogorov else None,
    )


def calibration(backtest: pl.DataFrame, grades: pl.DataFrame) -> pl.DataFrame:
    """Per grade A-E: observations and defaults in the back-test, observed 12-month default rate
    with its exact 95 % interval (0-1; null without observations), the PD in use (0-1), and whether
    that PD lies inside the interval (null without observations)."""
    counted = backtest.group_by("grade").agg(
        observations=pl.col("observations").sum(), defaults=pl.col("bads").sum()
    )
    frame = (
        grades.select("grade", "pd_used", "source")
        .join(counted, on="grade", how="left")
        .with_columns(pl.col("observations", "defaults").fill_null(0).cast(pl.Int64))
        .sort("grade")
    )
    lower, upper = model_metrics.clopper_pearson(
        frame["defaults"].to_numpy(), frame["observations"].to_numpy()
    )
    observed = pl.when(pl.col("observations") > 0).then(pl.col("defaults") / pl.col("observations"))
    return frame.with_columns(
        observed_rate=observed,
        ci_low=pl.Series(lower).fill_nan(None),
        ci_high=pl.Series(upper).fill_nan(None),
    ).with_columns(
        pd_within_ci=pl.col("pd_used").is_between(pl.col("ci_low"), pl.col("ci_high")),
    )


def default_reference(months: pl.DataFrame) -> date | None:
    """The reference month for PSI: the month-end a year before the latest month, the usual
    "against last year" comparison, or the latest month before it with at least
    MIN_REFERENCE_CUSTOMERS scored customers; the first such month when none is that old; None when
    no month has enough customers. `months` has as_of and customers, oldest first."""
    enough = months.filter(pl.col("customers") >= MIN_REFERENCE_CUSTOMERS)
    if not enough.height:
        return None
    latest = months["as_of"].max()
    year_before = (
        pl.Series([latest]).dt.offset_by("-12mo").dt.month_end()[0] if latest is not None else None
    )
    older = enough.filter(pl.col("as_of") <= year_before)
    return older["as_of"][-1] if older.height else enough["as_of"][0]


def stability(bins: pl.DataFrame, reference: date) -> pl.DataFrame:
    """(as_of, rows, psi) per month against `reference` from psi_bins' rows."""
    return model_metrics.psi_by_month(bins.select("as_of", "bin", "rows"), reference)


def lead_time_counts(defaults: pl.DataFrame) -> pl.DataFrame:
    """(lead_months, defaults): flagged defaults per lead time in months, every month from 0 to the
    longest present (zeros included), so the distribution reads without gaps."""
    leads = defaults.filter(pl.col("on_watchlist_before"))["lead_months"].drop_nulls()
    if leads.is_empty():
        return pl.DataFrame(schema={"lead_months": pl.Int64, "defaults": pl.Int64})
    counts = np.bincount(leads.to_numpy().astype(int))
    return pl.DataFrame(
        {"lead_months": np.arange(counts.size, dtype=np.int64), "defaults": counts.astype(np.int64)}
    )


def bin_shares(bins: pl.DataFrame, reference: date, latest: date) -> pl.DataFrame:
    """(bin, lower_edge, upper_edge, reference_share, latest_share): each PSI bin's score range
    (points, null = open) and its share of customers (0-1) in the reference and the latest month."""

    def share(day: date, name: str) -> pl.DataFrame:
        month = bins.filter(pl.col("as_of") == day)
        total = month["rows"].sum()
        return month.select(
            "bin", (pl.col("rows") / total if total else pl.lit(None, pl.Float64)).alias(name)
        )

    ranges = bins.filter(pl.col("as_of") == reference).select("bin", "lower_edge", "upper_edge")
    return (
        ranges.join(share(reference, "reference_share"), on="bin", how="left")
        .join(share(latest, "latest_share"), on="bin", how="left")
        .sort("bin")
    )
