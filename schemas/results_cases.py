"""Output models of the Case studies page's queries (queries/sql/cases_*.sql).

One row per month-end of a case warehouse. Money in the reporting currency; shares and rates 0-1;
DSO in days; counts are customers or contracts. A ratio is null when its denominator is zero.
"""

from __future__ import annotations

from datetime import date

import pandera.polars as pa

from schemas.results import register

# Sums of floating amounts can land a hair outside a bound.
SLACK = 1e-6


@register("cases_customer_risk")
class CasesCustomerRisk(pa.DataFrameModel):
    """Exposure by band, overdue shares, defaults and write-offs per month-end."""

    as_of: date = pa.Field(unique=True)
    customers: int = pa.Field(ge=0)
    exposure: float = pa.Field(ge=-SLACK)
    exposure_low: float = pa.Field(ge=-SLACK)
    exposure_medium: float = pa.Field(ge=-SLACK)
    exposure_high: float = pa.Field(ge=-SLACK)
    low_share: float = pa.Field(nullable=True, ge=0, le=1 + SLACK)
    medium_share: float = pa.Field(nullable=True, ge=0, le=1 + SLACK)
    high_share: float = pa.Field(nullable=True, ge=0, le=1 + SLACK)
    overdue_30_share: float = pa.Field(nullable=True, ge=0, le=1 + SLACK)
    overdue_90_share: float = pa.Field(nullable=True, ge=0, le=1 + SLACK)
    defaulted_share: float = pa.Field(nullable=True, ge=0, le=1 + SLACK)
    performing_30_share: float = pa.Field(nullable=True, ge=0, le=1 + SLACK)
    customers_at_risk: int = pa.Field(ge=0)
    new_defaults: int = pa.Field(ge=0)
    default_rate: float = pa.Field(nullable=True, ge=0, le=1)
    write_offs: float = pa.Field(ge=-SLACK)

    class Config:
        strict = True
        coerce = False


@register("cases_collections")
class CasesCollections(pa.DataFrameModel):
    """Receivables, collection rate, overdue buckets as shares of receivables and DSO."""

    as_of: date = pa.Field(unique=True)
    receivables: float = pa.Field(ge=-SLACK)
    collection_rate: float = pa.Field(nullable=True, ge=0)
    overdue_1_30_share: float = pa.Field(nullable=True, ge=0, le=1 + SLACK)
    overdue_31_60_share: float = pa.Field(nullable=True, ge=0, le=1 + SLACK)
    overdue_61_90_share: float = pa.Field(nullable=True, ge=0, le=1 + SLACK)
    overdue_90p_share: float = pa.Field(nullable=True, ge=0, le=1 + SLACK)
    dso: float = pa.Field(nullable=True, ge=0)

    class Config:
        strict = True
        coerce = False


@register("cases_allowance")
class CasesAllowance(pa.DataFrameModel):
    """The IFRS 9 loss allowance, gross carrying amount and coverage per month-end."""

    as_of: date = pa.Field(unique=True)
    allowance: float = pa.Field(ge=0)
    gross_carrying_amount: float = pa.Field(ge=0)
    coverage: float = pa.Field(nullable=True, ge=0, le=1 + SLACK)

    class Config:
        strict = True
        coerce = False


@register("cases_recovery")
class CasesRecovery(pa.DataFrameModel):
    """Amounts that became 90+ days past due per cohort month, what was recovered on them, and the
    recoveries after write-offs dated in each month."""

    as_of: date = pa.Field(unique=True)
    became_90: float = pa.Field(ge=0)
    recovered: float = pa.Field(ge=0)
    recovery_rate: float = pa.Field(nullable=True, ge=0, le=1 + SLACK)
    recoveries: float = pa.Field(ge=0)

    class Config:
        strict = True
        coerce = False


@register("cases_new_business")
class CasesNewBusiness(pa.DataFrameModel):
    """Approved contracts signed per month and the share signed with Medium/High-band customers."""

    as_of: date = pa.Field(unique=True)
    contracts: int = pa.Field(ge=0)
    amount: float = pa.Field(ge=0)
    amount_medium_high: float = pa.Field(ge=0)
    medium_high_share: float = pa.Field(nullable=True, ge=0, le=1 + SLACK)

    class Config:
        strict = True
        coerce = False


@register("cases_last_month")
class CasesLastMonth(pa.DataFrameModel):
    """What moved in one month: customers going 30+ days past due, entering default, write-offs."""

    new_30: int = pa.Field(ge=0)
    new_30_exposure: float = pa.Field(ge=-SLACK)
    new_30_part_paid: int = pa.Field(ge=0)
    new_defaults: int = pa.Field(ge=0)
    largest_default: float = pa.Field(ge=-SLACK)
    written_off: float = pa.Field(ge=-SLACK)
    largest_write_off: float = pa.Field(ge=-SLACK)

    class Config:
        strict = True
        coerce = False
