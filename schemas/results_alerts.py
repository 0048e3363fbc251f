"""Output models of the alerts queries (queries/alerts.py): the alerts a run delivers and what the
admin page shows of the alerts store (data/alert_store.py). Money in the reporting currency."""

from __future__ import annotations

from datetime import date

import pandera.polars as pa
import polars as pl

from data.alert_store import CHANNELS, FILTER_KINDS, LANGUAGES, STATUSES
from schemas.results import register

GRADES = ["A", "B", "C", "D", "E"]
UTC_TIME = pl.Datetime("us", "UTC")


@register("alerts_since")
class AlertsSince(pa.DataFrameModel):
    """One row per alert: (customer_id, alert_on) is its key."""

    customer_id: str
    name: str
    region: str = pa.Field(nullable=True)
    segment: str = pa.Field(nullable=True)
    owner: str = pa.Field(nullable=True)
    alert_on: date
    entered_on: date
    triggers: list[str]
    exposure: float = pa.Field(ge=0)
    grade: str = pa.Field(isin=GRADES)
    previous_grade: str = pa.Field(nullable=True, isin=GRADES)

    @pa.dataframe_check(name="one_row_per_alert")
    def unique_alert(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(~pl.struct("customer_id", "alert_on").is_duplicated())


class AlertSubscriptions(pa.DataFrameModel):
    """The active subscriptions, oldest first."""

    subscription_id: int = pa.Field(unique=True)
    channel: str = pa.Field(isin=list(CHANNELS))
    address: str
    language: str = pa.Field(isin=list(LANGUAGES))
    filter_kind: str = pa.Field(isin=list(FILTER_KINDS))
    filter_value: str
    created_at: UTC_TIME
    created_by: str


class AlertDeliveries(pa.DataFrameModel):
    """The latest deliveries, newest attempt first."""

    delivery_id: int = pa.Field(unique=True)
    channel: str = pa.Field(isin=list(CHANNELS))
    address: str
    customer_id: str
    alert_on: date
    language: str = pa.Field(isin=list(LANGUAGES))
    status: str = pa.Field(isin=list(STATUSES))
    attempts: int = pa.Field(ge=0)
    last_at: UTC_TIME
    error: str = pa.Field(nullable=True)
