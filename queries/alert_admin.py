"""What the Data page shows of the alerts store (data/alert_store.py): the active subscriptions
and the recent deliveries, as validated frames. Reads the file read-only; no file, no rows."""

from __future__ import annotations

import os

import polars as pl

from data import alert_store
from data.alert_input import display_address
from schemas.results_alerts import AlertDeliveries, AlertSubscriptions

UTC_TIME = pl.Datetime("us", "UTC")
SUBSCRIPTION_SCHEMA = {
    "subscription_id": pl.Int64,
    "channel": pl.String,
    "address": pl.String,
    "language": pl.String,
    "filter_kind": pl.String,
    "filter_value": pl.String,
    "created_at": UTC_TIME,
    "created_by": pl.String,
}
DELIVERY_SCHEMA = {
    "delivery_id": pl.Int64,
    "channel": pl.String,
    "address": pl.String,
    "customer_id": pl.String,
    "alert_on": pl.Date,
    "language": pl.String,
    "status": pl.String,
    "attempts": pl.Int64,
    "last_at": UTC_TIME,
    "error": pl.String,
}


def _times(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    # stored as ISO 8601 text with an offset (UTC)
    return frame.with_columns(pl.col(column).str.to_datetime(time_unit="us", time_zone="UTC"))


def subscriptions(store: str | os.PathLike[str] | None = None) -> pl.DataFrame:
    """One row per active subscription, oldest first; webhook URLs shown without their path
    (which often holds the hook's secret token)."""
    con = alert_store.read_only(alert_store.store_path(store))
    try:
        rows = alert_store.subscriptions(con)
    finally:
        if con is not None:
            con.close()
    frame = pl.DataFrame(
        [{**vars(s), "address": display_address(s.channel, s.address)} for s in rows],
        schema={k: pl.String if k == "created_at" else v for k, v in SUBSCRIPTION_SCHEMA.items()},
        orient="row",
    )
    return AlertSubscriptions.validate(_times(frame, "created_at"))


def deliveries(store: str | os.PathLike[str] | None = None, limit: int = 200) -> pl.DataFrame:
    """The latest `limit` deliveries (one alert to one recipient), newest attempt first."""
    con = alert_store.read_only(alert_store.store_path(store))
    try:
        rows = alert_store.recent_deliveries(con, limit)
    finally:
        if con is not None:
            con.close()
    schema = {
        k: pl.String if k in ("last_at", "alert_on") else v for k, v in DELIVERY_SCHEMA.items()
    }
    frame = pl.DataFrame(
        [
            {
                **{k: row[k] for k in schema},
                "address": display_address(row["channel"], row["address"]),
            }
            for row in rows
        ],
        schema=schema,
        orient="row",
    )
    frame = _times(frame, "last_at").with_columns(pl.col("alert_on").str.to_date())
    return AlertDeliveries.validate(frame)


def delivery_counts(frame: pl.DataFrame) -> dict[str, int]:
    """Deliveries by status (sent, failed, pending; 0 when none) of a `deliveries` frame."""
    counts = dict.fromkeys(alert_store.STATUSES, 0)
    for status, count in frame.group_by("status").len().iter_rows():
        counts[status] = count
    return counts
