"""The alerts section of the Data page (admins): who receives early-warning alerts and what was
delivered — sent, failed (retried by the next run) or pending."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard.i18n import t, value_label
from data.export import neutralise
from queries import alert_admin


def _labelled(frame: pl.DataFrame, column: str, section: str) -> pl.Expr:
    values = frame[column].unique().to_list()
    return pl.col(column).replace_strict(
        {v: t(f"alerts_admin.{section}.{v}") for v in values}, return_dtype=pl.String
    )


def _filter_labels(subscriptions: pl.DataFrame) -> list[str]:
    # in this thread (a Polars map would run where the page's language is unknown)
    return [
        t(
            f"alerts_admin.filter.{kind}",
            value=value_label(kind, value) if kind in ("region", "segment") else value,
        )
        for kind, value in subscriptions.select("filter_kind", "filter_value").iter_rows()
    ]


def alerts_section() -> None:
    """Draw the subscriptions table and the recent deliveries with their counts by status."""
    st.subheader(t("alerts_admin.header"))
    st.caption(t("alerts_admin.caption"))
    subscriptions = alert_admin.subscriptions()
    st.markdown(f"**{t('alerts_admin.subscriptions')}**")
    if subscriptions.is_empty():
        st.info(t("alerts_admin.no_subscriptions"))
    else:
        shown = subscriptions.select(
            "subscription_id",
            _labelled(subscriptions, "channel", "channel"),
            "address",
            _labelled(subscriptions, "language", "language"),
            pl.Series("filter", _filter_labels(subscriptions), dtype=pl.String),
            "created_at",
            "created_by",
        )
        st.dataframe(
            neutralise(shown),
            hide_index=True,
            width="stretch",
            key="alerts_subscriptions",
            column_config={
                "subscription_id": st.column_config.NumberColumn(
                    t("alerts_admin.col_id"), format="%d"
                ),
                "channel": t("alerts_admin.col_channel"),
                "address": t("alerts_admin.col_address"),
                "language": t("alerts_admin.col_language"),
                "filter": t("alerts_admin.col_filter"),
                "created_at": st.column_config.DatetimeColumn(
                    t("alerts_admin.col_since"), format="YYYY-MM-DD HH:mm"
                ),
                "created_by": t("alerts_admin.col_by"),
            },
        )
    deliveries = alert_admin.deliveries()
    st.markdown(f"**{t('alerts_admin.deliveries')}**")
    if deliveries.is_empty():
        st.info(t("alerts_admin.no_deliveries"))
        return
    counts = alert_admin.delivery_counts(deliveries)
    st.caption(t("alerts_admin.counts", **{k: f"{v:,}" for k, v in counts.items()}))
    if counts["failed"]:
        st.warning(t("alerts_admin.failed_note"))
    shown = deliveries.select(
        "customer_id",
        "alert_on",
        _labelled(deliveries, "channel", "channel"),
        "address",
        _labelled(deliveries, "status", "status"),
        "attempts",
        "last_at",
        pl.col("error").fill_null(""),
    )
    st.dataframe(
        neutralise(shown),
        hide_index=True,
        width="stretch",
        key="alerts_deliveries",
        column_config={
            "customer_id": t("alerts_admin.col_customer"),
            "alert_on": st.column_config.DateColumn(t("alerts_admin.col_alert_on")),
            "channel": t("alerts_admin.col_channel"),
            "address": t("alerts_admin.col_address"),
            "status": t("alerts_admin.col_status"),
            "attempts": st.column_config.NumberColumn(t("alerts_admin.col_attempts"), format="%d"),
            "last_at": st.column_config.DatetimeColumn(
                t("alerts_admin.col_last"), format="YYYY-MM-DD HH:mm"
            ),
            "error": t("alerts_admin.col_error"),
        },
    )
