"""Output models of the Customer page's queries (queries/customer.py)."""

from __future__ import annotations

from datetime import date

import pandera.polars as pa

from schemas.results import register


@register("customer_explanation")
class CustomerExplanation(pa.DataFrameModel):
    factor: str = pa.Field(unique=True)
    factor_score: float = pa.Field(ge=0, le=100)
    weight: float = pa.Field(ge=0, le=1)
    contribution: float = pa.Field(ge=0, le=100)


@register("customer_history")
class CustomerHistory(pa.DataFrameModel):
    as_of: date = pa.Field(unique=True)
    exposure: float = pa.Field(ge=0)
    overdue_amount: float = pa.Field(ge=0)
    score: float = pa.Field(ge=0, le=100)
    grade: str = pa.Field(isin=["A", "B", "C", "D", "E"])
    credit_limit: float = pa.Field(ge=0)


@register("customer_contracts")
class CustomerContracts(pa.DataFrameModel):
    contract_id: str = pa.Field(unique=True)
    amount: float = pa.Field(gt=0)
    outstanding: float = pa.Field(ge=0)
    overdue: float = pa.Field(ge=0)
