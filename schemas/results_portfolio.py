"""Output models of the Overview's queries (queries/portfolio.py)."""

from __future__ import annotations

from datetime import date

import pandera.polars as pa

from schemas.results import register


@register("portfolio_kpis")
class PortfolioKpis(pa.DataFrameModel):
    period: str = pa.Field(isin=["current", "previous"], unique=True)
    as_of: date
    customers: int = pa.Field(ge=0)
    exposure: float = pa.Field(ge=0)
    expected_loss: float = pa.Field(ge=0)
    expected_loss_in_default: float = pa.Field(ge=0)
    defaulted_customers: int = pa.Field(ge=0)
    cures: int = pa.Field(ge=0)
    written_off: float = pa.Field(ge=0)
    recovered: float = pa.Field(ge=0)
    high_band_exposure: float = pa.Field(ge=0)
    watchlist: int = pa.Field(ge=0)
    overdue_90p: float = pa.Field(ge=0)
    overdue: float = pa.Field(ge=0)
    new_on_watchlist: int = pa.Field(ge=0)


@register("portfolio_grades")
class PortfolioGrades(pa.DataFrameModel):
    grade: str = pa.Field(isin=["A", "B", "C", "D", "E"], unique=True)
    customers: int = pa.Field(ge=0)  # with exposure
    customers_no_exposure: int = pa.Field(ge=0)
    exposure: float = pa.Field(ge=0)
    expected_loss: float = pa.Field(ge=0)


@register("portfolio_trend")
class PortfolioTrend(pa.DataFrameModel):
    as_of: date = pa.Field(unique=True)
    exposure: float = pa.Field(ge=0)
    expected_loss: float = pa.Field(ge=0)
    watchlist: int = pa.Field(ge=0)


@register("portfolio_concentration")
class PortfolioConcentration(pa.DataFrameModel):
    names: int = pa.Field(ge=0)
    top10_share: float = pa.Field(ge=0, le=1 + 1e-9)
    hhi: float = pa.Field(ge=0, le=10_000 + 1e-6)
    effective_names: float = pa.Field(nullable=True, ge=1 - 1e-9)


@register("portfolio_collection_rate")
class PortfolioCollectionRate(pa.DataFrameModel):
    as_of: date = pa.Field(unique=True)
    collected: float = pa.Field(ge=0)
    collectible: float = pa.Field(ge=0)
    collection_rate: float = pa.Field(nullable=True, ge=0)
    receivables: float = pa.Field(ge=0)
    overdue_90p: float = pa.Field(ge=0)  # receivables more than 90 days past due
    overdue_90p_share: float = pa.Field(nullable=True, ge=0, le=1)  # of receivables


@register("portfolio_el_drivers")
class PortfolioElDrivers(pa.DataFrameModel):
    customer_id: str = pa.Field(unique=True)
    name: str
    current_el: float = pa.Field(ge=0)
    previous_el: float = pa.Field(ge=0)
    change: float  # money; same sign as total_change
    total_change: float  # the filtered portfolio's EL change, money
    share_of_change: float = pa.Field(nullable=True, gt=0)  # change / total_change
