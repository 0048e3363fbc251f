"""Output models of the IFRS 9 provision tables built by data/build.py (docs/data_dictionary.md,
"Provisions"). Money in the reporting currency, decimal(18, 2) where sums must be exact (allowances,
balances, movements); loss rates, PD and LGD 0-1; DPD in days.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import pandera.polars as pa
import polars as pl

from schemas.results import register

Money = Annotated[pl.Decimal, 18, 2]
STAGES = ["simplified", "stage_1", "stage_2", "stage_3"]
STAGE_REASONS = [
    "simplified",
    "performing",
    "dpd_backstop",
    "downgrade",
    "watchlist",
    "probation",
    "in_default",
]
SLACK = 1e-9


@register("provision_loss_rates")
class ProvisionLossRates(pa.DataFrameModel):
    """One row per grid date x segment x aging bucket: the historical lifetime loss rate."""

    as_of: date
    segment: str
    bucket: int = pa.Field(ge=0)
    rolled_from: float = pa.Field(ge=-1e-6)
    rolled_on: float = pa.Field(ge=-1e-6)
    roll_rate: float = pa.Field(ge=0)
    net_written_off: float
    inflow: float = pa.Field(nullable=True, ge=-1e-6)
    step_rate: float = pa.Field(ge=0, le=1)
    historical_loss_rate: float = pa.Field(ge=0, le=1 + SLACK)

    class Config:
        strict = True
        coerce = False
        unique = ["as_of", "segment", "bucket"]


@register("provision_matrix")
class ProvisionMatrix(pa.DataFrameModel):
    """One row per grid date x segment x region x industry x aging bucket with a balance."""

    as_of: date
    segment: str
    region: str
    industry: str
    bucket: int = pa.Field(ge=0)
    dpd_from: int = pa.Field(nullable=True, ge=1)
    dpd_to: int = pa.Field(nullable=True, ge=0)
    balance: Money = pa.Field(ge=0)
    historical_loss_rate: float = pa.Field(ge=0, le=1 + SLACK)
    forward_looking_factor: float = pa.Field(ge=0.5, le=2.0)
    loss_rate: float = pa.Field(ge=0, le=1)
    allowance: Money = pa.Field(ge=0)
    customers: int = pa.Field(ge=1)

    class Config:
        strict = True
        coerce = False
        unique = ["as_of", "segment", "region", "industry", "bucket"]


@register("ecl_month")
class EclMonth(pa.DataFrameModel):
    """One row per grid date per unit: a customer's receivables or one loan contract."""

    as_of: date
    customer_id: str
    contract_id: str = pa.Field(nullable=True)
    approach: str = pa.Field(isin=["simplified", "general"])
    segment: str
    region: str
    industry: str
    stage: str = pa.Field(isin=STAGES)
    stage_reason: str = pa.Field(isin=STAGE_REASONS)
    stage_triggers: list[str]
    gross_carrying_amount: Money = pa.Field(ge=0)
    allowance: Money = pa.Field(ge=0)
    worst_bucket: int = pa.Field(nullable=True, ge=0)
    grade: str = pa.Field(nullable=True, isin=["A", "B", "C", "D", "E"])
    grade_pd: float = pa.Field(nullable=True, ge=0, le=1)
    pd_horizon: float = pa.Field(nullable=True, ge=0, le=1)
    lgd: float = pa.Field(nullable=True, ge=0, le=1)
    horizon_months: int = pa.Field(nullable=True, ge=0)
    interest_rate: float = pa.Field(nullable=True, ge=0)

    class Config:
        strict = True
        coerce = False


@register("ecl_movement")
class EclMovement(pa.DataFrameModel):
    """One row per grid date x segment x region x industry x stage: the allowance's movement."""

    as_of: date
    segment: str
    region: str
    industry: str
    stage: str = pa.Field(isin=STAGES)
    opening: Money = pa.Field(ge=0)
    new_business: Money = pa.Field(ge=0)
    transfers_in: Money = pa.Field(ge=0)
    transfers_out: Money = pa.Field(le=0)
    changes_in_risk: Money
    derecognised: Money = pa.Field(le=0)
    write_offs: Money = pa.Field(le=0)
    closing: Money = pa.Field(ge=0)

    class Config:
        strict = True
        coerce = False
        unique = ["as_of", "segment", "region", "industry", "stage"]
