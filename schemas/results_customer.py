"""Output models of the Customer page's queries (queries/customer.py). Money in ¥, shares 0-1."""

from __future__ import annotations

from datetime import date

import pandera.polars as pa
import polars as pl

from schemas.results import register

GRADES = ["A", "B", "C", "D", "E"]


@register("customer_search")
class CustomerSearch(pa.DataFrameModel):
    customer_id: str = pa.Field(unique=True)
    name: str
    exposure: float = pa.Field(ge=0)


@register("customer_profile")
class CustomerProfile(pa.DataFrameModel):
    """Zero or one row; the risk columns are null before the customer's first grid date."""

    customer_id: str = pa.Field(unique=True)
    name: str
    credit_limit: float = pa.Field(ge=0)
    onboarded_on: date
    exposure: float = pa.Field(ge=0, nullable=True)
    score: float = pa.Field(ge=0, le=100, nullable=True)
    grade: str = pa.Field(isin=GRADES, nullable=True)
    pd: float = pa.Field(ge=0, le=1, nullable=True)
    lgd: float = pa.Field(ge=0, le=1, nullable=True)
    expected_loss: float = pa.Field(ge=0, nullable=True)
    closed_owing: bool  # status 'closed' but exposure > 0 at the date


@register("customer_explanation")
class CustomerExplanation(pa.DataFrameModel):
    """A weighted factor (factor score and weight) or a binned one (its value and bin) per row."""

    factor: str
    factor_score: float = pa.Field(ge=0, le=100, nullable=True)
    weight: float = pa.Field(gt=0, le=1, nullable=True)
    contribution: float = pa.Field(ge=0, le=100)
    value: float = pa.Field(nullable=True)
    bin_no: pl.Int32 = pa.Field(ge=0, nullable=True)  # 0: the missing bin; null: weighted

    class Config:
        unique = ["factor", "bin_no"]  # utilisation may be weighted and binned in one policy


@register("customer_history")
class CustomerHistory(pa.DataFrameModel):
    as_of: date = pa.Field(unique=True)
    exposure: float = pa.Field(ge=0)
    overdue_amount: float = pa.Field(ge=0)
    max_dpd: pl.Int32 = pa.Field(ge=0)
    score: float = pa.Field(ge=0, le=100)
    grade: str = pa.Field(isin=GRADES)
    credit_limit: float = pa.Field(ge=0)
    utilisation: float = pa.Field(ge=0, nullable=True)  # null when the limit is 0
    pd: float = pa.Field(ge=0, le=1)
    lgd: float = pa.Field(ge=0, le=1)
    expected_loss: float = pa.Field(ge=0)
    on_watchlist: bool


@register("customer_contracts")
class CustomerContracts(pa.DataFrameModel):
    contract_id: str = pa.Field(unique=True)
    amount: float = pa.Field(gt=0)
    outstanding: float = pa.Field(ge=0)
    written_off: float = pa.Field(ge=0)
    overdue: float = pa.Field(ge=0)


@register("customer_payments")
class CustomerPayments(pa.DataFrameModel):
    payment_id: str = pa.Field(unique=True)
    due_on: date
    amount_due: float = pa.Field(ge=0)
    paid_on: date = pa.Field(nullable=True)
    outstanding: float = pa.Field(ge=0)
    written_off: float = pa.Field(ge=0)
    credited: float = pa.Field(ge=0)
    days_late: int = pa.Field(nullable=True)  # null: not yet due or paid before as-of in part


@register("customer_events")
class CustomerEvents(pa.DataFrameModel):
    occurred_on: date
    category: str
    kind: str
    severity: pl.Int32 = pa.Field(ge=1, le=5)
    note: str = pa.Field(nullable=True)


@register("customer_spells")
class CustomerSpells(pa.DataFrameModel):
    entered_on: date = pa.Field(unique=True)
    left_on: date = pa.Field(nullable=True)
    months_on: int = pa.Field(ge=1)
    outcome: str = pa.Field(isin=["on_list", "cured", "defaulted"])
