"""The Provisions page's questions: IFRS 9 allowance and coverage by stage and aging bucket, the
movement of the allowance, the largest allowances, and the policy behind them.

Money in the reporting currency; coverage and loss rates are shares 0-1 (allowance / gross carrying
amount). Every query takes the global filters as one `filters` (queries.filters.Filters).
"""

from __future__ import annotations

import duckdb
import polars as pl

from queries.filters import Filters
from queries.runner import run

STAGES = ("simplified", "stage_1", "stage_2", "stage_3")
# The movement table's lines, in the order auditors read them (IFRS 7 §35H).
MOVEMENT_LINES = (
    "opening",
    "new_business",
    "transfers_in",
    "transfers_out",
    "changes_in_risk",
    "derecognised",
    "write_offs",
    "closing",
)


def trend(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
) -> pl.DataFrame:
    """One row per grid date x stage over the 13 grid dates to as_of: gross_carrying_amount and
    allowance (money), units, coverage (share, null without a carrying amount)."""
    frame = run(
        con,
        "provisions_trend",
        **filters.params(),
    )
    return frame.with_columns(coverage=_coverage(frame))


def totals(by_stage: pl.DataFrame) -> pl.DataFrame:
    """`trend`'s rows summed over stages: one row per grid date with gross_carrying_amount,
    allowance (money) and coverage (share, null without a carrying amount)."""
    summed = (
        by_stage.group_by("as_of")
        .agg(pl.col("gross_carrying_amount").sum(), pl.col("allowance").sum())
        .sort("as_of")
    )
    return summed.with_columns(coverage=_coverage(summed))


def _coverage(frame: pl.DataFrame) -> pl.Expr:
    return (
        pl.when(pl.col("gross_carrying_amount") > 0)
        .then(pl.col("allowance") / pl.col("gross_carrying_amount"))
        .otherwise(None)
    )


def impaired_share(stages: pl.DataFrame) -> float | None:
    """Of one date's `trend` rows: the share of the loans' gross carrying amount in stage 2 or 3
    (None without loans)."""
    loans = stages.filter(pl.col("stage") != "simplified")
    gross = loans["gross_carrying_amount"].sum()
    worse = loans.filter(pl.col("stage").is_in(["stage_2", "stage_3"]))["gross_carrying_amount"]
    return float(worse.sum() / gross) if gross else None


def by_bucket(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
) -> pl.DataFrame:
    """The provision matrix at as_of: one row per segment x aging bucket with a balance."""
    return run(
        con,
        "provisions_by_bucket",
        **filters.params(),
    )


def bucket_totals(matrix: pl.DataFrame) -> pl.DataFrame:
    """`by_bucket` summed over segments: one row per bucket with balance, allowance (money) and
    coverage (share)."""
    summed = (
        matrix.group_by("bucket")
        .agg(
            pl.col("dpd_from").first(),
            pl.col("dpd_to").first(),
            pl.col("balance").sum(),
            pl.col("allowance").sum(),
        )
        .sort("bucket")
    )
    return summed.with_columns(
        coverage=pl.when(pl.col("balance") > 0).then(pl.col("allowance") / pl.col("balance"))
    )


def bucket_change(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
) -> pl.DataFrame:
    """One row: the receivables' allowance at the grid date before as_of (before_on) and at
    as_of, and its change split into balance_effect (balances moved between buckets, at the
    earlier loss rates), rate_effect (loss rates changed, on today's balances) and rounding
    (money)."""
    return run(
        con,
        "provisions_bucket_change",
        **filters.params(),
    )


def movement(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    months: int = 3,
) -> pl.DataFrame:
    """The allowance's movement over the `months` months to as_of, one row per stage, columns
    MOVEMENT_LINES (money) and first_period (the first grid date of the range)."""
    return run(
        con,
        "provisions_movement",
        months=months,
        **filters.params(),
    )


def movement_table(by_stage: pl.DataFrame) -> pl.DataFrame:
    """`movement` as the table auditors read: one row per line of MOVEMENT_LINES, one column per
    stage of STAGES (0 for a stage without units) and `total` (money)."""
    rows = []
    for line in MOVEMENT_LINES:
        values = {
            stage: float(by_stage.filter(pl.col("stage") == stage)[line].sum()) for stage in STAGES
        }
        rows.append({"line": line, **values, "total": sum(values.values())})
    return pl.DataFrame(
        rows, schema={"line": pl.String, **dict.fromkeys(STAGES, pl.Float64), "total": pl.Float64}
    )


def largest(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    limit: int = 20,
) -> pl.DataFrame:
    """The customers with the largest allowances at as_of (at most `limit`)."""
    return run(
        con,
        "provisions_largest",
        limit=limit,
        **filters.params(),
    )


def policy(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The [provisions] entries of the policy in force: key (without 'provisions.'), value (text),
    rated_contracts (loans with an interest rate)."""
    return run(con, "provisions_policy")


def forward_looking(entries: pl.DataFrame) -> pl.DataFrame:
    """The forward-looking factors of `policy`'s entries: one row per industry with factor and
    reason, by industry."""
    prefix = "forward_looking."
    found: dict[str, dict[str, object]] = {}
    for key, value in entries.select("key", "value").iter_rows():
        if key.startswith(prefix):
            industry, _, field = key.removeprefix(prefix).rpartition(".")
            found.setdefault(industry, {})[field] = float(value) if field == "factor" else value
    rows = [
        {"industry": i, "factor": f.get("factor"), "reason": f.get("reason")}
        for i, f in sorted(found.items())
    ]
    return pl.DataFrame(
        rows, schema={"industry": pl.String, "factor": pl.Float64, "reason": pl.String}
    )


def discounting(entries: pl.DataFrame) -> bool:
    """True when the policy discounts at the contract rate and some loan has one."""
    setting = entries.filter(pl.col("key") == "discount")["value"]
    rated = int(entries["rated_contracts"].max() or 0) if entries.height else 0
    return bool(setting.len()) and setting[0] == "contract_rate" and rated > 0
