"""Output models of the Model page's queries (queries/model.py). Scores in points 0-100, weights,
PD and rates 0-1, lead times in months."""

from __future__ import annotations

from datetime import date

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from schemas.results import register

GRADES = ["A", "B", "C", "D", "E"]
BANDS = ["Low", "Medium", "High"]
FACTORS = ["dpd", "late", "rating", "utilisation", "operational", "legal"]


@register("model_policy_factors")
class ModelPolicyFactors(pa.DataFrameModel):
    factor: str = pa.Field(isin=FACTORS, unique=True)
    weight: float = pa.Field(ge=0, le=1)
    description: str


@register("model_policy_identity")
class ModelPolicyIdentity(pa.DataFrameModel):
    name: str
    version: str


@register("model_policy_grades")
class ModelPolicyGrades(pa.DataFrameModel):
    grade: str = pa.Field(isin=GRADES, unique=True)
    lower_edge: float = pa.Field(ge=0, le=100)
    upper_edge: float = pa.Field(nullable=True, ge=0, le=100)  # null for the last grade
    band: str = pa.Field(isin=BANDS)
    pd_used: float = pa.Field(ge=0, le=1)
    source: str = pa.Field(isin=["posterior", "prior"])
    observations: pl.Int32 = pa.Field(ge=0)
    defaults_12m: pl.Int32 = pa.Field(ge=0)
    observed_rate: float = pa.Field(nullable=True, ge=0, le=1)
    prior_pd: float = pa.Field(ge=0, le=1)
    enough_observations: bool
    ranking: str = pa.Field(isin=["ranks", "does_not_rank", "too_few_observations"])
    ranks_ok: bool


@register("model_backtest_scores")
class ModelBacktestScores(pa.DataFrameModel):
    grade: str = pa.Field(isin=GRADES)
    score: float = pa.Field(ge=0, le=100)
    observations: int = pa.Field(ge=1)
    bads: int = pa.Field(ge=0)

    @pa.dataframe_check(name="bads_within_observations")
    def bads_within(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("bads") <= pl.col("observations"))

    class Config:
        unique = ["grade", "score"]


@register("model_score_months")
class ModelScoreMonths(pa.DataFrameModel):
    as_of: date = pa.Field(unique=True)
    customers: int = pa.Field(ge=1)


@register("model_psi_bins")
class ModelPsiBins(pa.DataFrameModel):
    as_of: date
    bin: int = pa.Field(ge=0, le=9)
    lower_edge: float = pa.Field(nullable=True, ge=0, le=100)  # null: open below
    upper_edge: float = pa.Field(nullable=True, ge=0, le=100)  # null: open above
    rows: int = pa.Field(ge=0)

    class Config:
        unique = ["as_of", "bin"]


@register("model_early_warning")
class ModelEarlyWarning(pa.DataFrameModel):
    customer_id: str
    defaulted_on: date
    on_watchlist_before: bool
    first_flagged_on: date = pa.Field(nullable=True)
    lead_months: int = pa.Field(nullable=True, ge=0)

    class Config:
        unique = ["customer_id", "defaulted_on"]  # a customer that cured may default again


@register("model_watchlist_outcomes")
class ModelWatchlistOutcomes(pa.DataFrameModel):
    entered_on: date = pa.Field(unique=True)
    spells: int = pa.Field(ge=1)
    followed_by_default: int = pa.Field(ge=0)

    @pa.dataframe_check(name="followed_within_spells")
    def followed_within(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("followed_by_default") <= pl.col("spells"))
