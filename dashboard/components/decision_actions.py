"""Credit decisions on a page: the request form (Customer page) and the pending decisions with
approve / reject (Work page)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard.components.formats import column_money, money
from dashboard.components.plain_text import markdown_text
from dashboard.components.work_session import act, authority, authority_text, label, saved, text_key
from dashboard.i18n import t
from data import worklog_decisions
from data.export import neutralise
from data.users import User
from data.worklog import NOTE_LIMIT, Item


def why_not_text(row: dict, user: User) -> str:
    """Why `user` may not decide the decision of `row` (a decisions() row), '' when they may."""
    if row["may_decide"]:
        return ""
    if row["state"] != "pending":
        return t("work.why_not_state", state=label("decision_state", row["state"]))
    if row["requested_by"] == user.name:
        return t("work.why_not_own")
    limit = row["new_limit"] or 0.0
    held = authority(user.known_role)
    if held is None or limit > held:
        return t(
            "work.why_not_authority", limit=money(limit), authority=authority_text(user.known_role)
        )
    return t("work.why_not_scope")


def decision_table(frame: pl.DataFrame, user: User) -> pl.DataFrame:
    """Decisions as shown: codes and reasons in words."""
    rows = frame.to_dicts()
    return neutralise(
        frame.select(
            "review_id",
            "customer_id",
            "name",
            pl.Series("decision", [label("decision", c) for c in frame["decision"]], pl.String),
            "previous_limit",
            pl.when(pl.col("decision") == "block")
            .then(None)
            .otherwise(pl.col("new_limit"))
            .alias("new_limit"),
            "effective_on",
            "reason",
            "requested_by",
            pl.Series("state", [label("decision_state", c) for c in frame["state"]], pl.String),
            pl.col("decided_by").fill_null(""),
        ).with_columns(pl.Series("why_not", [why_not_text(r, user) for r in rows], dtype=pl.String))
    )


def show_decisions(frame: pl.DataFrame, user: User, key: str) -> None:
    money_format = {"format": column_money()}
    st.dataframe(
        decision_table(frame, user),
        hide_index=True,
        width="stretch",
        key=key,
        column_config={
            "review_id": st.column_config.TextColumn(t("work.col_decision_id"), width="small"),
            "customer_id": st.column_config.TextColumn(t("work.col_id"), width="small"),
            "name": t("work.col_name"),
            "decision": t("work.col_decision"),
            "previous_limit": st.column_config.NumberColumn(
                t("work.col_previous_limit"), **money_format
            ),
            "new_limit": st.column_config.NumberColumn(t("work.col_new_limit"), **money_format),
            "effective_on": st.column_config.DateColumn(t("work.col_effective")),
            "reason": st.column_config.TextColumn(t("work.col_reason"), width="large"),
            "requested_by": t("work.col_requested_by"),
            "state": t("work.col_state"),
            "decided_by": t("work.col_decided_by"),
            "why_not": st.column_config.TextColumn(t("work.col_why_not"), width="large"),
        },
    )


def decide_panel(frame: pl.DataFrame, user: User, key: str) -> None:
    """Approve or reject one pending decision of `frame` (a decisions() frame)."""
    if frame.is_empty():
        return
    rows = {r["item_id"]: r for r in frame.iter_rows(named=True)}

    def shown(item_id: int) -> str:
        r = rows[item_id]
        amount = label("decision", "block") if r["decision"] == "block" else money(r["new_limit"])
        return f"{r['review_id']} · {r['name'] or r['customer_id']} · {amount}"

    item_id = st.selectbox(t("work.choose_decision"), list(rows), format_func=shown, key=key)
    row = rows[item_id]
    seen = f"{key}_seen_{item_id}"
    based_on = int(st.session_state.get(seen, row["version"]))
    st.session_state[seen] = int(row["version"])
    reason = why_not_text(row, user)
    if reason:
        st.info(reason, icon=":material/info:")
    note_key = text_key(f"{key}_note_{item_id}")
    with st.form(f"{key}_form_{item_id}"):
        note = st.text_area(
            t("work.decision_note"), key=note_key, max_chars=NOTE_LIMIT, help=t("work.note_help")
        )
        a, b, _ = st.columns([1, 1, 3])
        approve = a.form_submit_button(t("work.approve"), type="primary")
        reject = b.form_submit_button(t("work.reject"))
    name = markdown_text(row["name"] or row["customer_id"])
    if approve:
        result = act(worklog_decisions.approve, item_id, based_on, note)
        if isinstance(result, Item):
            saved(t("work.approved", id=row["review_id"], name=name), note_key)
    if reject:
        result = act(worklog_decisions.reject, item_id, based_on, note)
        if isinstance(result, Item):
            saved(t("work.rejected", id=row["review_id"], name=name), note_key)


def request_form(customer_id: str, current_limit: float | None, user: User, key: str) -> None:
    """The "Request a credit decision" form for one customer."""
    reason_key = text_key(f"{key}_reason_{customer_id}")
    with st.form(f"{key}_form_{customer_id}"):
        st.markdown(
            t(
                "work.request_intro",
                limit=money(current_limit),
                authority=authority_text(user.known_role),
            )
        )
        kind = st.radio(
            t("work.request_kind"),
            worklog_decisions.KINDS,
            format_func=lambda c: label("decision", c),
            horizontal=True,
            key=f"{key}_kind_{customer_id}",
        )
        new_limit = st.number_input(
            t("work.new_limit"),
            min_value=0.0,
            value=float(current_limit or 0.0),
            step=10_000.0,
            format="%.0f",
            key=f"{key}_limit_{customer_id}",
            help=t("work.new_limit_help"),
        )
        reason = st.text_area(t("work.reason"), key=reason_key, max_chars=NOTE_LIMIT)
        if st.form_submit_button(t("work.request"), type="primary"):
            result = act(
                worklog_decisions.request,
                customer_id,
                reason=reason,
                kind=kind,
                new_limit=new_limit if kind == "limit" else None,
            )
            if isinstance(result, Item):
                saved(
                    t("work.requested", id=worklog_decisions.review_id(result.item_id)), reason_key
                )
