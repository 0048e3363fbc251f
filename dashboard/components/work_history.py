"""The Customer page's work: the customer's reviews, credit decisions and collections history
(every version, newest first), and "Request a credit decision"."""

from __future__ import annotations

import json

import polars as pl
import streamlit as st

from dashboard.components.decision_actions import request_form
from dashboard.components.formats import day, money
from dashboard.components.work_session import (
    acting_user,
    label,
    may_act,
    refusal_text,
    show_flash,
    work_fetch,
    working_as,
)
from dashboard.i18n import t
from data.export import neutralise
from data.worklog import WorklogError
from queries import worklist

# the catalogue group of each kind's states
STATE_GROUP = {
    "review": "state",
    "decision": "decision_state",
    "contact": "item_state",
    "promise": "item_state",
    "dispute": "item_state",
}


def what_text(kind: str, fields: dict) -> str:
    """The substance of one version in words: an outcome, a limit, an amount and date, a code."""
    if kind == "review":
        parts = [label("outcome", fields.get("outcome"))] if fields.get("outcome") else []
        if fields.get("assignee"):
            parts.append(t("work.history_assignee", assignee=fields["assignee"]))
        return " · ".join(parts)
    if kind == "decision":
        if fields.get("decision") == "block":
            return label("decision", "block")
        return t(
            "work.history_limit",
            old=money(fields.get("previous_limit")),
            new=money(fields.get("new_limit")),
        )
    if kind == "promise":
        return t(
            "work.history_promise",
            amount=money(fields.get("amount")),
            on=day(_date(fields.get("promised_on"))),
        )
    if kind == "contact":
        return (
            f"{label('channel', fields.get('channel'))} · "
            f"{label('contact_outcome', fields.get('outcome'))}"
        )
    if kind == "dispute":
        return label("dispute_reason", fields.get("reason"))
    return ""


def _date(value):
    from datetime import date

    try:
        return date.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        return None


def history_table(history: pl.DataFrame) -> pl.DataFrame:
    rows = []
    for r in history.iter_rows(named=True):
        try:
            fields = json.loads(r["fields"] or "{}")
        except ValueError:
            fields = {}
        rows.append(
            {
                "at": r["at"],
                "kind": label("kind", r["kind"]),
                "state": label(STATE_GROUP.get(r["kind"], "state"), r["state"]),
                "what": what_text(r["kind"], fields if isinstance(fields, dict) else {}),
                "note": r["note"] or "",
                "author": r["author"] or "",
            }
        )
    schema = {c: pl.String for c in ("kind", "state", "what", "note", "author")}
    return pl.DataFrame(rows, schema={"at": pl.Datetime("us", "UTC"), **schema}, orient="row")


def customer_work(customer_id: str, credit_limit: float | None) -> None:
    """The customer's work history and the request form."""
    working_as()
    user = acting_user()
    if not may_act(user):
        return
    st.subheader(t("work.customer_title"))
    show_flash()
    try:
        history = work_fetch(worklist.customer_history, customer_id=customer_id)
    except WorklogError as refused:
        st.error(refusal_text(refused))
        return
    if history.is_empty():
        st.info(t("work.history_none"))
    else:
        st.dataframe(
            neutralise(history_table(history)),
            hide_index=True,
            width="stretch",
            key="customer_work_history",
            column_config={
                "at": st.column_config.DatetimeColumn(t("work.col_at"), format="YYYY-MM-DD HH:mm"),
                "kind": t("work.col_kind"),
                "state": t("work.col_state"),
                "what": st.column_config.TextColumn(t("work.col_what"), width="medium"),
                "note": st.column_config.TextColumn(t("work.col_note"), width="large"),
                "author": t("work.col_author"),
            },
        )
    with st.expander(t("work.request_title"), icon=":material/gavel:"):
        request_form(customer_id, credit_limit, user, "customer_request")
