"""Output models of the derived tables built by data/build.py (queries read them directly).

Money is in the reporting currency; scores 0-100; shares, PD and LGD 0-1; DPD in days.
Each model is registered under its table's name, so the statement runner (data.runner) validates
a query named like the table with it.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from data.policy import SCORECARD_FACTORS
from schemas.results import register

GRADES = ["A", "B", "C", "D", "E"]
BANDS = ["Low", "Medium", "High"]
AGING_BUCKETS = ["current", "1-30", "31-60", "61-90", "90+"]
# In the order customer_month lists them when several fire.
TRIGGERS = [
    "overdue",
    "downgrade",
    "limit_breach",
    "legal",
    "operational",
    "rating_downgrade",
    "concentration",
]
FACTORS = ["dpd", "late", "rating", "utilisation", "operational", "legal"]


@register("month_grid")
class MonthGrid(pa.DataFrameModel):
    """One row per grid date: the month-ends through the as-of date, and the as-of date itself."""

    as_of: pl.Date = pa.Field(unique=True)


@register("customer_month")
class CustomerMonth(pa.DataFrameModel):
    """One row per customer per grid date from the customer's onboarding or first contract on."""

    customer_id: str
    as_of: pl.Date
    name: str
    segment: str
    region: str
    industry: str
    owner: str
    credit_limit: float = pa.Field(ge=0)
    exposure: float = pa.Field(ge=0)
    overdue_amount: float = pa.Field(ge=0)
    max_dpd: pl.Int32 = pa.Field(ge=0)
    aging_bucket: str = pa.Field(isin=AGING_BUCKETS)
    late_payments_12m: pl.Int32 = pa.Field(ge=0)
    due_payments_12m: pl.Int32 = pa.Field(ge=0)
    dpd_score: float = pa.Field(ge=0, le=100)
    late_score: float = pa.Field(ge=0, le=100)
    rating_score: float = pa.Field(ge=0, le=100)
    utilisation_score: float = pa.Field(ge=0, le=100)
    operational_score: float = pa.Field(ge=0, le=100)
    legal_score: float = pa.Field(ge=0, le=100)
    score: float = pa.Field(ge=0, le=100)
    grade: str = pa.Field(isin=GRADES)
    band: str = pa.Field(isin=BANDS)
    grade_pd: float = pa.Field(ge=0, le=1)  # the grade's PD (pd_calibration.pd_used)
    pd: float = pa.Field(ge=0, le=1)  # 1 in default, else grade_pd
    lgd: float = pa.Field(ge=0, le=1)
    expected_loss: float = pa.Field(ge=0)
    collateral: float = pa.Field(ge=0)
    utilisation: float = pa.Field(ge=0, nullable=True)  # null when the credit limit is 0
    defaulted: bool
    # on the row where a default ends: 'cured' (nothing written off during it) or 'written_off'
    default_exit: str = pa.Field(isin=["cured", "written_off"], nullable=True)
    written_off: float = pa.Field(ge=0)  # written off in (previous grid date, as_of], money
    recovered: float = pa.Field(ge=0)  # recovered in (previous grid date, as_of], money
    on_watchlist: bool
    triggers: list[str]
    exposure_share: float = pa.Field(ge=0, le=1)
    previous_triggers: list[str]  # triggers at the previous grid date ([] when none or no row)
    default_12m: bool  # in default at a later grid date up to last_day(as_of + 12 months)
    last_review: pl.Date = pa.Field(nullable=True)  # latest contract or credit review by as_of

    @pa.check("triggers", name="known_trigger_codes")
    def known_triggers(cls, data: PolarsData) -> pl.LazyFrame:
        """Every code in a triggers list is one of TRIGGERS."""
        return data.lazyframe.select(
            pl.col(data.key).list.eval(pl.element().is_in(TRIGGERS)).list.all()
        )

    @pa.dataframe_check(name="on_watchlist_iff_triggers")
    def watchlist_matches_triggers(cls, data: PolarsData) -> pl.LazyFrame:
        """A customer is on the watchlist exactly when some trigger fires."""
        return data.lazyframe.select(pl.col("on_watchlist") == (pl.col("triggers").list.len() > 0))

    @pa.dataframe_check(name="pd_is_1_in_default")
    def default_is_pd_1(cls, data: PolarsData) -> pl.LazyFrame:
        """A customer in default has PD 1; a performing one its grade's PD."""
        return data.lazyframe.select(
            pl.when(pl.col("defaulted"))
            .then(pl.col("pd") == 1.0)
            .otherwise(pl.col("pd") == pl.col("grade_pd"))
        )

    class Config:
        unique = ["customer_id", "as_of"]


@register("score_explanation")
class ScoreExplanation(pa.DataFrameModel):
    """One row per customer per grid date per factor; contributions add up to the score. A
    weighted factor has a factor score and a weight, a binned one its value and bin."""

    customer_id: str
    as_of: pl.Date
    factor: str = pa.Field(isin=[*FACTORS, *SCORECARD_FACTORS])
    factor_score: float = pa.Field(ge=0, le=100, nullable=True)  # null for a binned factor
    weight: float = pa.Field(gt=0, le=1, nullable=True)  # null for a binned factor
    contribution: float = pa.Field(ge=0, le=100)
    value: float = pa.Field(nullable=True)  # a binned factor's value (null: missing)
    bin_no: pl.Int32 = pa.Field(ge=0, nullable=True)  # 0: the missing bin; null: weighted


@register("pd_calibration")
class PdCalibration(pa.DataFrameModel):
    """One row per grade: 12-month default history and the PD customer_month uses."""

    grade: str = pa.Field(isin=GRADES, unique=True)
    observations: pl.Int32 = pa.Field(ge=0)
    defaults_12m: pl.Int32 = pa.Field(ge=0)
    observed_rate: float = pa.Field(ge=0, le=1, nullable=True)  # null without observations
    interval_low: float = pa.Field(ge=0, le=1, nullable=True)  # 95 % Wilson interval of the rate
    interval_high: float = pa.Field(ge=0, le=1, nullable=True)
    prior_pd: float = pa.Field(ge=0, le=1)  # the policy's prior mean
    prior_weight: float = pa.Field(ge=0)  # its weight, in observations
    pd_used: float = pa.Field(ge=0, le=1)  # posterior mean, not below the floor
    source: str = pa.Field(isin=["posterior", "prior"])
    enough_observations: bool  # at least the policy's min_observations
    ranking: str = pa.Field(isin=["ranks", "does_not_rank", "too_few_observations"])
    ranks_ok: bool


@register("lgd_calibration")
class LgdCalibration(pa.DataFrameModel):
    """One row per customer segment: observed losses on written-off rows and the unsecured LGD used."""

    segment: str = pa.Field(unique=True)
    observations: pl.Int32 = pa.Field(ge=0)  # written-off payment rows
    written_off: float = pa.Field(ge=0)
    recovered: float = pa.Field(ge=0)
    observed_lgd: float = pa.Field(ge=0, le=1, nullable=True)
    prior_lgd: float = pa.Field(ge=0, le=1)
    prior_weight: float = pa.Field(ge=0)
    posterior_lgd: float = pa.Field(ge=0, le=1)
    lgd_unsecured_used: float = pa.Field(ge=0, le=1)
    source: str = pa.Field(isin=["observed", "prior"])


@register("payment_book")
class PaymentBook(pa.DataFrameModel):
    """One row per payment row: when it is exposure (booked_on) and a receivable (billed_on), when
    it stopped owing, and its adjustments."""

    payment_id: str = pa.Field(unique=True)
    customer_id: str
    booked_on: pl.Date
    billed_on: pl.Date
    due_on: pl.Date
    settled_on: pl.Date = pa.Field(nullable=True)
    is_late: bool


@register("policy_in_force")
class PolicyInForce(pa.DataFrameModel):
    """One row per entry of the policy the tables were built with (dotted key, text value)."""

    key: str = pa.Field(unique=True)
    value: str


@register("policy_factors")
class PolicyFactors(pa.DataFrameModel):
    """One row per score factor with its weight (weights add up to 1)."""

    factor: str = pa.Field(isin=FACTORS, unique=True)
    weight: float = pa.Field(ge=0, le=1)
    description: str
