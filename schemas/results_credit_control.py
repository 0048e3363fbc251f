"""Output models of the Credit control & contracts page's queries (queries/credit_control.py)."""

from __future__ import annotations

import pandera.polars as pa

from schemas.results import register


@register("credit_control_customers")
class CreditControlCustomers(pa.DataFrameModel):
    customer_id: str = pa.Field(unique=True)
    band: str = pa.Field(isin=["Low", "Medium", "High"])
    exposure: float = pa.Field(gt=0)
    utilisation: float = pa.Field(nullable=True, ge=0)
    review_overdue: bool
    matching: int = pa.Field(ge=1)


@register("credit_control_summary")
class CreditControlSummary(pa.DataFrameModel):
    customers: int = pa.Field(ge=0)
    over_limit: int = pa.Field(ge=0)
    near_limit: int = pa.Field(ge=0)
    review_overdue: int = pa.Field(ge=0)
    expiring_90d: int = pa.Field(ge=0)
    in_dispute: int = pa.Field(ge=0)
    contracts_due_review: int = pa.Field(ge=0)
