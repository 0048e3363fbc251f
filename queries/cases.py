"""The Case studies page's questions: monthly risk of a case warehouse, and before/after the policy.

Query functions read one case warehouse (the connection says which) and take the global filters'
segments, regions and industries as one `filters` (queries.filters.Filters; default: the whole
case; `as_of` matters to `last_month` only). `windows` and `before_after` are pure: they compare the months before the credit-policy change with the months after it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Literal

import duckdb
import polars as pl

from queries.filters import ALL, Filter, Filters
from queries.runner import run

Unit = Literal["share", "money", "days", "count"]
WINDOW_MONTHS = 12
# Materiality: a relative change above 10 %, or for a rate of counted events (defaults among
# customers at risk) a two-proportion z-test with |z| above 1.96 (5 % two-sided).
RELATIVE_THRESHOLD = 0.10
Z_CRITICAL = 1.96
FILTER_DIMENSIONS = {"segments": "segment", "regions": "region", "industries": "industry"}
# Recoveries count for the recovery rate within this many months of an instalment turning 90+, so
# cohorts before and after a policy change are judged on the same time to recover.
RECOVERY_WINDOW_MONTHS = 6


def customer_risk(
    con: duckdb.DuckDBPyConnection,
    filters: Filters = ALL,
) -> pl.DataFrame:
    """One row per month-end: exposure (money) in total and by band; High-band, 30+ and 90+ shares
    of exposure, defaulted customers' share and the 30+ share of performing customers (0-1);
    customers at risk, new defaults and the monthly default rate (0-1); write-offs (money)."""
    return run(con, "cases_customer_risk", **filters.params())


def collections(
    con: duckdb.DuckDBPyConnection,
    filters: Filters = ALL,
) -> pl.DataFrame:
    """One row per month-end: receivables (money), collection rate, overdue buckets 1-30, 31-60,
    61-90 and 90+ as shares of receivables (0-1), and DSO (days)."""
    return run(con, "cases_collections", **filters.params())


def recovery(
    con: duckdb.DuckDBPyConnection,
    filters: Filters = ALL,
) -> pl.DataFrame:
    """One row per month-end: amount that became 90+ days past due in the month (money), what was
    paid or recovered on it within RECOVERY_WINDOW_MONTHS of that (money), the recovery rate (0-1;
    null when nothing became 90+ or the cohort's window has not closed by the last grid date) and
    the recoveries dated in the month (money)."""
    return run(
        con,
        "cases_recovery",
        window_months=RECOVERY_WINDOW_MONTHS,
        **filters.params(),
    )


def new_business(
    con: duckdb.DuckDBPyConnection,
    filters: Filters = ALL,
) -> pl.DataFrame:
    """One row per month-end: approved contracts signed, their amount (money), the amount signed
    with customers in the Medium or High band the month before, and that share (0-1)."""
    return run(con, "cases_new_business", **filters.params())


def allowance(
    con: duckdb.DuckDBPyConnection,
    filters: Filters = ALL,
) -> pl.DataFrame:
    """One row per month-end: the IFRS 9 loss allowance and gross carrying amount (money) and
    coverage (allowance / gross carrying amount, 0-1)."""
    return run(con, "cases_allowance", **filters.params())


def last_month(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    previous: date,
) -> pl.DataFrame:
    """One row on month-end `filters.as_of` against `previous`: customers that went 30+ days past due, their
    exposure (money) and how many have a part-paid instalment 30+ days past due still owed;
    customers entering default and the largest one's exposure; written off in the month and the
    largest customer's write-off (money)."""
    return run(
        con,
        "cases_last_month",
        previous=previous,
        **filters.params(),
    )


def monthly(*frames: pl.DataFrame) -> pl.DataFrame:
    """The frames joined on as_of (a month missing from one frame has nulls there), by date."""
    joined = frames[0]
    for frame in frames[1:]:
        joined = joined.join(frame, on="as_of", how="full", coalesce=True)
    return joined.sort("as_of")


def case_filters(chosen: Filters, available: pl.DataFrame) -> tuple[Filters, dict[str, Filter]]:
    """The global filters that apply to a case warehouse, and the chosen values it does not hold
    (by dimension: segments / regions / industries).

    `available` is the case's (dimension, value) frame. Values the case lacks are dropped; a
    dimension left with none is not filtered at all (the user's choice does not exist there),
    rather than emptying the page. The date is kept as chosen.
    """
    applied: dict[str, Filter] = {}
    ignored: dict[str, Filter] = {}
    for name, dimension in FILTER_DIMENSIONS.items():
        values = getattr(chosen, name)
        present = set(available.filter(pl.col("dimension") == dimension)["value"].to_list())
        applied[name] = tuple(v for v in values if v in present)
        missing = tuple(v for v in values if v not in present)
        if missing:
            ignored[name] = missing
    return chosen.replace(**applied), ignored


@dataclass(frozen=True)
class Windows:
    """Month-ends of the comparison windows around the policy month (first day of its month)."""

    policy_month: date
    earlier: tuple[date, ...]  # the 12 months before `before`: how the problem developed
    before: tuple[date, ...]  # the 12 months before the policy month
    after: tuple[date, ...]  # the policy month on, up to 12 months, as many as the data holds


def shift_month(first: date, months: int) -> date:
    """The first day of the month `months` after (or before) the month of `first`."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def windows(dates: list[date], policy_month: date, months: int = WINDOW_MONTHS) -> Windows:
    """Split month-end `dates` into the earlier, before and after windows of `months` months."""
    start = policy_month.replace(day=1)

    def inside(first: date, last: date) -> tuple[date, ...]:
        return tuple(sorted(d for d in dates if first <= d < last))

    return Windows(
        policy_month=start,
        earlier=inside(shift_month(start, -2 * months), shift_month(start, -months)),
        before=inside(shift_month(start, -months), start),
        after=inside(start, shift_month(start, months)),
    )


def charted(frame: pl.DataFrame, window: Windows) -> pl.DataFrame:
    """The months a case's charts show: from the first month of the earlier window (or of the
    before window without one) on, so the generator's warm-up months stay out of view."""
    first = (window.earlier or window.before or (None,))[0]
    return frame if first is None else frame.filter(pl.col("as_of") >= first)


@dataclass(frozen=True)
class Metric:
    """A row of the before/after table: a monthly column and how to judge its change.

    For a rate of counted events, `events` / `trials` name the count columns: its window average
    is pooled (events / trials over the window) and materiality is the two-proportion z-test.
    """

    key: str
    column: str
    unit: Unit
    higher_is_worse: bool
    events: str | None = None
    trials: str | None = None


def two_proportion_z(events_1: int, trials_1: int, events_2: int, trials_2: int) -> float | None:
    """z of the difference p2 - p1 under the pooled proportion; None without trials, 0 when the
    pooled proportion is 0 or 1 (no variance: nothing to tell apart)."""
    if trials_1 <= 0 or trials_2 <= 0:
        return None
    pooled = (events_1 + events_2) / (trials_1 + trials_2)
    variance = pooled * (1 - pooled) * (1 / trials_1 + 1 / trials_2)
    if variance <= 0:
        return 0.0
    return (events_2 / trials_2 - events_1 / trials_1) / math.sqrt(variance)


def relative_change(before: float | None, after: float | None) -> float | None:
    """(after - before) / |before|; None when either is missing or before is 0."""
    if before is None or after is None or before == 0:
        return None
    return (after - before) / abs(before)


def _mean(frame: pl.DataFrame, column: str, months: tuple[date, ...]) -> float | None:
    values = frame.filter(pl.col("as_of").is_in(months))[column].drop_nulls()
    return float(values.mean()) if values.len() else None


def _counts(frame: pl.DataFrame, metric: Metric, months: tuple[date, ...]) -> tuple[int, int]:
    rows = frame.filter(pl.col("as_of").is_in(months))
    return int(rows[metric.events].sum() or 0), int(rows[metric.trials].sum() or 0)


def window_average(frame: pl.DataFrame, metric: Metric, months: tuple[date, ...]) -> float | None:
    """A metric's average over window `months`: the mean of its monthly values (nulls skipped), or
    for an event rate the pooled events / trials; None when the window holds no value."""
    if metric.events and metric.trials:
        events, trials = _counts(frame, metric, months)
        return events / trials if trials else None
    return _mean(frame, metric.column, months)


def window_averages(
    frame: pl.DataFrame, metrics: list[Metric], months: tuple[date, ...]
) -> dict[str, float | None]:
    """metric key -> its average over window `months` (see window_average)."""
    return {metric.key: window_average(frame, metric, months) for metric in metrics}


def before_after(
    frame: pl.DataFrame,
    metrics: list[Metric],
    window: Windows,
    threshold: float = RELATIVE_THRESHOLD,
    z_critical: float = Z_CRITICAL,
) -> pl.DataFrame:
    """One row per metric: before / after averages, change (after - before, in the metric's unit),
    relative change (share), the test used ('relative' or 'z'), its statistic, material (bool) and
    improved (bool: the change goes the good way; null without a change or a value).

    Material: |relative change| > threshold, or from 0 to anything else; for event rates
    |z| > z_critical. Null when either average is missing.
    """
    rows = []
    for metric in metrics:
        before = window_average(frame, metric, window.before)
        after = window_average(frame, metric, window.after)
        change = after - before if before is not None and after is not None else None
        relative = relative_change(before, after)
        if metric.events and metric.trials:
            test = "z"
            statistic = two_proportion_z(
                *_counts(frame, metric, window.before), *_counts(frame, metric, window.after)
            )
            material = None if statistic is None else abs(statistic) > z_critical
        else:
            test, statistic = "relative", relative
            if change is None:
                material = None
            elif relative is None:
                material = change != 0  # from zero to something is material whatever its size
            else:
                material = abs(relative) > threshold
        improved = None
        if change:
            improved = change < 0 if metric.higher_is_worse else change > 0
        rows.append(
            {
                "metric": metric.key,
                "unit": metric.unit,
                "before": before,
                "after": after,
                "change": change,
                "relative_change": relative,
                "test": test,
                "statistic": statistic,
                "material": None if change is None else material,
                "improved": improved,
            }
        )
    return pl.DataFrame(rows, schema=BEFORE_AFTER_SCHEMA)


BEFORE_AFTER_SCHEMA = {
    "metric": pl.String,
    "unit": pl.String,
    "before": pl.Float64,
    "after": pl.Float64,
    "change": pl.Float64,
    "relative_change": pl.Float64,
    "test": pl.String,
    "statistic": pl.Float64,
    "material": pl.Boolean,
    "improved": pl.Boolean,
}


# What each case compares before and after the policy, in the order of its table. The keys are
# also the message keys of the metric names (cases.metric_<key>).
DEFAULT_RATE = Metric(
    "default_rate", "default_rate", "share", True, events="new_defaults", trials="customers_at_risk"
)
NEW_BUSINESS_RISK = Metric("medium_high_share", "medium_high_share", "share", True)
# What the policy did to the IFRS 9 provision (ecl_month): the allowance and its coverage.
ALLOWANCE_METRICS = [
    Metric("allowance", "allowance", "money", True),
    Metric("coverage", "coverage", "share", True),
]
CASE_METRICS: dict[str, list[Metric]] = {
    "manufacturer": [
        Metric("collection_rate", "collection_rate", "share", False),
        Metric("overdue_1_30_share", "overdue_1_30_share", "share", True),
        Metric("overdue_31_60_share", "overdue_31_60_share", "share", True),
        Metric("overdue_61_90_share", "overdue_61_90_share", "share", True),
        Metric("overdue_90p_share", "overdue_90p_share", "share", True),
        Metric("dso", "dso", "days", True),
        Metric("high_share", "high_share", "share", True),
        Metric("write_offs", "write_offs", "money", True),
        DEFAULT_RATE,
        NEW_BUSINESS_RISK,
        *ALLOWANCE_METRICS,
    ],
    "lender": [
        Metric("overdue_30_share", "overdue_30_share", "share", True),
        Metric("overdue_90_share", "overdue_90_share", "share", True),
        Metric("performing_30_share", "performing_30_share", "share", True),
        DEFAULT_RATE,
        Metric("recovery_rate", "recovery_rate", "share", False),
        Metric("low_share", "low_share", "share", False),
        Metric("medium_share", "medium_share", "share", True),
        Metric("high_share", "high_share", "share", True),
        NEW_BUSINESS_RISK,
        *ALLOWANCE_METRICS,
    ],
}
# Not judged in the table, but the story needs them: how much exposure sits with defaulted
# customers, and how many contracts were signed a month.
CONTEXT_METRICS = [
    Metric("defaulted_share", "defaulted_share", "share", True),
    Metric("contracts", "contracts", "count", False),
]
