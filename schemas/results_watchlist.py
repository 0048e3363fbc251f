"""Output models of the Watchlist page's queries (queries/watchlist.py). Money in ¥, shares 0-1."""

from __future__ import annotations

from datetime import date

import pandera.polars as pa
import polars as pl

from schemas.results import register


@register("watchlist_members")
class WatchlistMembers(pa.DataFrameModel):
    customer_id: str = pa.Field(unique=True)
    name: str
    grade: str = pa.Field(isin=["A", "B", "C", "D", "E"])
    score: float = pa.Field(ge=0, le=100)
    exposure: float = pa.Field(ge=0)
    overdue_amount: float = pa.Field(ge=0)
    max_dpd: pl.Int32 = pa.Field(ge=0)
    utilisation: float = pa.Field(nullable=True, ge=0)
    months_on_list: int = pa.Field(ge=0)
    entered_on: date = pa.Field(nullable=True)
    owner: str
    closed_owing: bool  # status 'closed' but exposure > 0
    matching: int = pa.Field(ge=1)


@register("watchlist_new_entrants")
class WatchlistNewEntrants(pa.DataFrameModel):
    customer_id: str = pa.Field(unique=True)
    name: str
    grade: str = pa.Field(isin=["A", "B", "C", "D", "E"])
    exposure: float = pa.Field(ge=0)
    owner: str


@register("watchlist_owners")
class WatchlistOwners(pa.DataFrameModel):
    owner: str = pa.Field(unique=True)


@register("watchlist_trend")
class WatchlistTrend(pa.DataFrameModel):
    as_of: date
    trigger: str
    members: int = pa.Field(ge=0)
    inflow: int = pa.Field(ge=0)
    outflow: int = pa.Field(ge=0)


register("watchlist_trend_portfolio")(WatchlistTrend)
