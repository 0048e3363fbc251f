"""Output models of the champion / challenger comparison (queries/model_compare.py). Scores in
points 0-100; AUC, Gini, KS, rates, PD and shares 0-1 (Gini -1..1); money in the reporting currency."""

from __future__ import annotations

from datetime import date

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from schemas.results import register

GRADES = ["A", "B", "C", "D", "E"]
MODELS = ["champion", "challenger"]
SAMPLES = ["in_time", "out_of_time"]


@register("compare_discrimination")
class CompareDiscrimination(pa.DataFrameModel):
    """One row per model and sample: AUC with its DeLong 95 % interval, Gini, KS with a bootstrap
    95 % interval; metrics null without a good or a bad."""

    model: str = pa.Field(isin=MODELS)
    sample: str = pa.Field(isin=SAMPLES)
    first_month: date = pa.Field(nullable=True)
    last_month: date = pa.Field(nullable=True)
    observations: int = pa.Field(ge=0)
    bads: int = pa.Field(ge=0)
    auc: float = pa.Field(nullable=True, ge=0, le=1)
    auc_low: float = pa.Field(nullable=True, ge=0, le=1)
    auc_high: float = pa.Field(nullable=True, ge=0, le=1)
    gini: float = pa.Field(nullable=True, ge=-1, le=1)
    gini_low: float = pa.Field(nullable=True, ge=-1, le=1)
    gini_high: float = pa.Field(nullable=True, ge=-1, le=1)
    ks: float = pa.Field(nullable=True, ge=0, le=1)
    ks_low: float = pa.Field(nullable=True, ge=0, le=1)
    ks_high: float = pa.Field(nullable=True, ge=0, le=1)

    @pa.dataframe_check(name="bads_within_observations")
    def bads_within(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("bads") <= pl.col("observations"))

    class Config:
        unique = ["model", "sample"]


@register("compare_auc_difference")
class CompareAucDifference(pa.DataFrameModel):
    """One row per sample: challenger AUC - champion AUC with DeLong's 95 % interval and p-value
    (the two scores on the same observations, correlated)."""

    sample: str = pa.Field(isin=SAMPLES, unique=True)
    difference: float = pa.Field(nullable=True, ge=-1, le=1)
    low: float = pa.Field(nullable=True)
    high: float = pa.Field(nullable=True)
    p_value: float = pa.Field(nullable=True, ge=0, le=1)


@register("compare_calibration")
class CompareCalibration(pa.DataFrameModel):
    """Per model and grade over every back-test observation: observed 12-month default rate with
    its exact 95 % interval and the mean PD the grade carried."""

    model: str = pa.Field(isin=MODELS)
    grade: str = pa.Field(isin=GRADES)
    observations: int = pa.Field(ge=0)
    defaults: int = pa.Field(ge=0)
    observed_rate: float = pa.Field(nullable=True, ge=0, le=1)
    ci_low: float = pa.Field(nullable=True, ge=0, le=1)
    ci_high: float = pa.Field(nullable=True, ge=0, le=1)
    pd: float = pa.Field(nullable=True, ge=0, le=1)
    pd_within_ci: bool = pa.Field(nullable=True)

    class Config:
        unique = ["model", "grade"]


@register("compare_stability")
class CompareStability(pa.DataFrameModel):
    """Per model and characteristic (the score or a factor): PSI of the out-of-time sample against
    the in-time one, and the score points the characteristic's weighted mean moved by."""

    model: str = pa.Field(isin=MODELS)
    characteristic: str
    weight: float = pa.Field(ge=0, le=1)
    psi: float = pa.Field(nullable=True, ge=0)
    points_shift: float = pa.Field(nullable=True)

    class Config:
        unique = ["model", "characteristic"]


@register("compare_migration")
class CompareMigration(pa.DataFrameModel):
    """Customers and exposure at the latest month per champion grade x challenger grade (every
    pair, zeros included)."""

    champion_grade: str = pa.Field(isin=GRADES)
    challenger_grade: str = pa.Field(isin=GRADES)
    customers: int = pa.Field(ge=0)
    exposure: float = pa.Field(ge=0)

    class Config:
        unique = ["champion_grade", "challenger_grade"]


@register("compare_impact")
class CompareImpact(pa.DataFrameModel):
    """Per model at the latest month: expected loss, watchlist, customers and exposure in E."""

    model: str = pa.Field(isin=MODELS, unique=True)
    as_of: date
    customers: int = pa.Field(ge=0)
    exposure: float = pa.Field(ge=0)
    expected_loss: float = pa.Field(ge=0)
    watchlist: int = pa.Field(ge=0)
    grade_e: int = pa.Field(ge=0)
    exposure_e: float = pa.Field(ge=0)
