"""Output models of the Risk grades page's queries (queries/grades.py)."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from schemas.results import register

GRADES = ["A", "B", "C", "D", "E"]


@register("grades_by_dimension")
class GradesByDimension(pa.DataFrameModel):
    grp: str
    grade: str = pa.Field(isin=GRADES)
    customers: int = pa.Field(ge=0)  # with exposure
    customers_no_exposure: int = pa.Field(ge=0)
    exposure: float = pa.Field(ge=0)


@register("grades_score_histogram")
class GradesScoreHistogram(pa.DataFrameModel):
    bin: pl.Int32 = pa.Field(isin=list(range(0, 100, 5)), unique=True)  # lower edge
    customers: int = pa.Field(ge=0)  # with exposure
    customers_no_exposure: int = pa.Field(ge=0)
    exposure: float = pa.Field(ge=0)


@register("grades_migration")
class GradesMigration(pa.DataFrameModel):
    from_grade: str = pa.Field(isin=GRADES)
    to_grade: str = pa.Field(isin=GRADES)
    customers: int = pa.Field(ge=1)


@register("grades_calibration")
class GradesCalibration(pa.DataFrameModel):
    grade: str = pa.Field(isin=GRADES, unique=True)
    observed_rate: float = pa.Field(nullable=True, ge=0, le=1)
    interval_low: float = pa.Field(nullable=True, ge=0, le=1)
    interval_high: float = pa.Field(nullable=True, ge=0, le=1)
    prior_pd: float = pa.Field(ge=0, le=1)
    pd_used: float = pa.Field(ge=0, le=1)
    source: str = pa.Field(isin=["posterior", "prior"])
    enough_observations: bool
    ranking: str = pa.Field(isin=["ranks", "does_not_rank", "too_few_observations"])
    customers: int = pa.Field(ge=0)
    defaulted_customers: int = pa.Field(ge=0)
    exposure: float = pa.Field(ge=0)
    expected_loss_in_default: float = pa.Field(ge=0)
    lgd: float = pa.Field(nullable=True, ge=0, le=1)
