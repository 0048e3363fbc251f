"""What a what-if scenario does to the IFRS 9 loss allowance, in memory (pure Polars).

Receivables keep their allowance: the provision matrix comes from the book's roll rates and
write-offs, which a scoring policy does not change. A loan is re-priced with the scenario's
12-month PD (its grade's) and LGD from `queries.whatif_simulation.simulate`, and re-staged: in
default -> stage 3; the 30 DPD backstop and the downgrade since origination as in the warehouse;
the watchlist trigger from the scenario's watchlist; probation as in the warehouse (it needs the
scenario's past). The ECL rule is the build's (data/sql/build_loan_ecl.sql), so the policy in
force reproduces the warehouse's allowance; tests/test_provisions_whatif.py holds that.
Money in the reporting currency.
"""

from __future__ import annotations

import duckdb
import polars as pl

from data.policy import Policy
from queries.filters import Filters
from queries.runner import run


def units(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
) -> pl.DataFrame:
    """The provisioning units at as_of within the filters (queries/sql/whatif_allowance.sql)."""
    return run(
        con,
        "whatif_allowance",
        **filters.params(),
    )


def ecl_factor(stage: pl.Expr, pd12: pl.Expr, horizon: pl.Expr, rate: pl.Expr) -> pl.Expr:
    """ECL per unit of EAD x LGD: 1 in stage 3; else, with s = (1 - pd12)^(1/12) and
    v = (1 + rate)^(-1/12) (1 without a rate), (1 - s) v (1 - (s v)^horizon) / (1 - s v)."""
    s = (1 - pd12) ** (1 / 12)
    v = pl.when(rate.is_null()).then(1.0).otherwise((1 + rate) ** (-1 / 12))
    sv = s * v
    return (
        pl.when(stage == 3)
        .then(1.0)
        .when(sv >= 1)
        .then(0.0)
        .otherwise((1 - s) * v * (1 - sv**horizon) / (1 - sv))
    )


def rescored(units: pl.DataFrame, customers: pl.DataFrame, policy: Policy) -> pl.DataFrame:
    """`units` with stage_new and allowance_new under the scenario: `customers` is
    Simulation.customers (pd_new, lgd_new, on_watchlist_new, defaulted per customer)."""
    p = policy.provisions
    assert p is not None
    use_watchlist = "watchlist" in p.stage2.triggers
    joined = units.join(
        customers.select("customer_id", "pd_new", "lgd_new", "on_watchlist_new", "defaulted"),
        on="customer_id",
        how="left",
    )
    kept = pl.col("stage_triggers").list.set_difference(pl.lit(["watchlist"]))
    fired = kept.list.len() > 0
    if use_watchlist:
        fired = fired | pl.col("on_watchlist_new").fill_null(False)
    loan = pl.col("approach") == "general"
    stage_new = (
        pl.when(~loan)
        .then(pl.col("stage"))
        .when(pl.col("defaulted").fill_null(False))
        .then(pl.lit("stage_3"))
        .when(fired | (pl.col("stage_reason") == "probation"))
        .then(pl.lit("stage_2"))
        .otherwise(pl.lit("stage_1"))
    )
    joined = joined.with_columns(stage_new=stage_new)
    number = pl.col("stage_new").str.slice(-1).cast(pl.Int64, strict=False)
    horizon = (
        pl.when(number == 1)
        .then(12)
        .otherwise(pl.max_horizontal(pl.col("remaining_months"), pl.lit(p.lifetime_floor_months)))
    )
    rate = pl.col("interest_rate") if p.discount == "contract_rate" else pl.lit(None, pl.Float64)
    factor = ecl_factor(number, pl.col("pd_new"), horizon, rate)
    price = (pl.col("gross_carrying_amount") * pl.col("lgd_new") * factor).round(2)
    return joined.with_columns(
        allowance_new=pl.when(loan).then(price).otherwise(pl.col("allowance"))
    )


def effect(units: pl.DataFrame, customers: pl.DataFrame, policy: Policy) -> dict[str, float]:
    """Totals (money): allowance now and under the scenario, and the stage-2 and stage-3 loans'
    gross carrying amount under each; coverage = allowance / gross carrying amount (share)."""
    frame = rescored(units, customers, policy)
    gross = float(frame["gross_carrying_amount"].sum())

    def impaired(column: str) -> float:
        return float(
            frame.filter(pl.col(column).is_in(["stage_2", "stage_3"]))[
                "gross_carrying_amount"
            ].sum()
        )

    now, new = float(frame["allowance"].sum()), float(frame["allowance_new"].sum())
    return {
        "gross_carrying_amount": gross,
        "allowance": now,
        "allowance_new": new,
        "coverage": now / gross if gross else None,
        "coverage_new": new / gross if gross else None,
        "impaired": impaired("stage"),
        "impaired_new": impaired("stage_new"),
    }
