"""Output models of the Credit control & contracts page's queries (queries/credit_control.py).

Money in the reporting currency; utilisation is a share (1 = 100 %); counts are customers or contracts.
"""

from __future__ import annotations

from datetime import date

import pandera.polars as pa

from schemas.results import register

BANDS = ["Low", "Medium", "High"]
LIVE_STATUSES = ["active", "in_dispute", "under_review"]


@register("credit_control_customers")
class CreditControlCustomers(pa.DataFrameModel):
    """Customers with exposure per attention list, their limit status, the band's control and
    review status."""

    list: str = pa.Field(isin=["attention", "overdue", "all"])
    customer_id: str
    band: str = pa.Field(isin=BANDS)
    exposure: float = pa.Field(gt=0)
    credit_limit: float = pa.Field(ge=0)
    utilisation: float = pa.Field(nullable=True, ge=0)
    limit_status: str = pa.Field(isin=["over", "near", "within"])
    review_months: int = pa.Field(nullable=True, ge=1)
    last_review: date = pa.Field(nullable=True)
    review_due: date = pa.Field(nullable=True)
    review_overdue: bool
    closed_owing: bool  # status 'closed' but exposure > 0
    matching: int = pa.Field(ge=1)
    closed_owing_customers: int = pa.Field(ge=0)

    class Config:
        unique = ["list", "customer_id"]


@register("credit_control_bands")
class CreditControlBands(pa.DataFrameModel):
    """The policy's control per band with the filtered customers' counts."""

    band: str = pa.Field(isin=BANDS, unique=True)
    review_months: int = pa.Field(nullable=True, ge=1)
    limit_action: str = pa.Field(nullable=True)
    collateral_required: bool = pa.Field(nullable=True)
    prepayment_required: bool = pa.Field(nullable=True)
    customers: int = pa.Field(ge=0)
    exposure: float = pa.Field(ge=0)
    over_limit: int = pa.Field(ge=0)
    near_limit: int = pa.Field(ge=0)
    reviews_overdue: int = pa.Field(ge=0)


@register("credit_control_contracts")
class CreditControlContracts(pa.DataFrameModel):
    """Live contracts per attention list."""

    list: str = pa.Field(isin=["review", "expiring", "dispute"])
    contract_id: str
    customer_id: str
    status: str = pa.Field(isin=LIVE_STATUSES)
    start_on: date
    end_on: date
    amount: float = pa.Field(gt=0)
    last_reviewed_on: date = pa.Field(nullable=True)
    review_due: date = pa.Field(nullable=True)
    days_left: int
    matching: int = pa.Field(ge=1)

    class Config:
        unique = ["list", "contract_id"]


@register("credit_control_utilisation")
class CreditControlUtilisation(pa.DataFrameModel):
    """Customers per 10-point utilisation bin."""

    bin: int = pa.Field(ge=0, le=200, unique=True)
    customers: int = pa.Field(ge=1)
    exposure: float = pa.Field(gt=0)
