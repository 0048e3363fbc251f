"""Output models of the Provisions page's queries (queries/provisions.py). Money in the reporting
currency; loss rates and factors as shares / multipliers."""

from __future__ import annotations

from datetime import date

import pandera.polars as pa

from schemas.results import register

STAGES = ["simplified", "stage_1", "stage_2", "stage_3"]
SLACK = 1e-6


@register("provisions_trend")
class ProvisionsTrend(pa.DataFrameModel):
    """One row per grid date x stage."""

    as_of: date
    stage: str = pa.Field(isin=STAGES)
    gross_carrying_amount: float = pa.Field(ge=0)
    allowance: float = pa.Field(ge=0)
    units: int = pa.Field(ge=1)

    class Config:
        strict = True
        coerce = False
        unique = ["as_of", "stage"]


@register("provisions_by_bucket")
class ProvisionsByBucket(pa.DataFrameModel):
    """One row per segment x aging bucket with a balance at the date."""

    segment: str
    bucket: int = pa.Field(ge=0)
    dpd_from: int = pa.Field(nullable=True, ge=1)
    dpd_to: int = pa.Field(nullable=True, ge=0)
    balance: float = pa.Field(ge=0)
    allowance: float = pa.Field(ge=0)
    historical_loss_rate: float = pa.Field(ge=0, le=1 + SLACK)
    forward_looking_factor: float = pa.Field(ge=0.5 - SLACK, le=2 + SLACK)
    loss_rate: float = pa.Field(ge=0, le=1 + SLACK)
    customers: int = pa.Field(ge=1)

    class Config:
        strict = True
        coerce = False
        unique = ["segment", "bucket"]


@register("provisions_bucket_change")
class ProvisionsBucketChange(pa.DataFrameModel):
    """One row: the receivables' allowance change since the previous grid date, explained."""

    before_on: date = pa.Field(nullable=True)
    allowance_before: float = pa.Field(ge=0)
    allowance_now: float = pa.Field(ge=0)
    balance_effect: float
    rate_effect: float
    rounding: float

    class Config:
        strict = True
        coerce = False


@register("provisions_movement")
class ProvisionsMovement(pa.DataFrameModel):
    """One row per stage: the allowance's movement over the chosen months."""

    stage: str = pa.Field(isin=STAGES, unique=True)
    opening: float = pa.Field(ge=0)
    new_business: float = pa.Field(ge=0)
    transfers_in: float = pa.Field(ge=0)
    transfers_out: float = pa.Field(le=0)
    changes_in_risk: float
    derecognised: float = pa.Field(le=0)
    write_offs: float = pa.Field(le=0)
    closing: float = pa.Field(ge=0)
    first_period: date

    class Config:
        strict = True
        coerce = False


@register("provisions_largest")
class ProvisionsLargest(pa.DataFrameModel):
    """One row per customer, largest allowance first."""

    customer_id: str = pa.Field(unique=True)
    name: str
    segment: str
    industry: str
    gross_carrying_amount: float = pa.Field(ge=0)
    allowance: float = pa.Field(gt=0)
    coverage: float = pa.Field(nullable=True, ge=0, le=1 + SLACK)
    stage: str = pa.Field(isin=STAGES)
    reasons: list[str]
    loans: int = pa.Field(ge=0)

    class Config:
        strict = True
        coerce = False


@register("provisions_policy")
class ProvisionsPolicy(pa.DataFrameModel):
    """One row per [provisions] policy entry."""

    key: str = pa.Field(unique=True)
    value: str
    rated_contracts: int = pa.Field(ge=0)

    class Config:
        strict = True
        coerce = False


@register("whatif_allowance")
class WhatifAllowance(pa.DataFrameModel):
    """One row per provisioning unit at the date, for the what-if re-pricing."""

    approach: str = pa.Field(isin=["simplified", "general"])
    customer_id: str
    contract_id: str = pa.Field(nullable=True)
    gross_carrying_amount: float = pa.Field(ge=0)
    allowance: float = pa.Field(ge=0)
    stage: str = pa.Field(isin=STAGES)
    stage_reason: str
    stage_triggers: list[str]
    remaining_months: int = pa.Field(nullable=True, ge=0)
    interest_rate: float = pa.Field(nullable=True, ge=0)

    class Config:
        strict = True
        coerce = False
