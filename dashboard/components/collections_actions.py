"""The collections worklist on the Work page: the ranked list, its export, and what a collector
records for one customer (a contact, a promise to pay, a dispute)."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import streamlit as st

from dashboard import auth
from dashboard.components.formats import column_money, day, money
from dashboard.components.plain_text import markdown_text
from dashboard.components.work_session import act, label, saved, text_key
from dashboard.i18n import catalogue, t
from data import worklog_collections as collections
from data.export import neutralise, to_csv, to_xlsx
from data.worklog import NOTE_LIMIT, Item

MONEY = ("exposure", "expected_loss", "overdue_amount", "current_receivables", "overdue_1_30",
         "overdue_31_60", "overdue_61_90", "overdue_90p", "promised_amount")  # fmt: skip
SHOWN = ("rank", "customer_id", "name", "grade", "flag", "overdue_amount", "max_dpd",
         "expected_loss", "current_receivables", "overdue_1_30", "overdue_31_60", "overdue_61_90",
         "overdue_90p", "average_days_delinquent", "dso", "best_possible_dso", "open_promises",
         "promised_amount", "open_disputes", "last_contact_on", "last_contact_outcome", "owner")  # fmt: skip


def worklist_table(frame: pl.DataFrame) -> pl.DataFrame:
    """The ranked list as shown: broken promises flagged, codes in words."""
    return frame.with_columns(
        pl.when(pl.col("broken_promises") > 0)
        .then(pl.lit(t("work.broken_flag")))
        .otherwise(pl.lit(""))
        .alias("flag"),
        pl.Series(
            "last_contact_outcome",
            [label("contact_outcome", c) if c else "" for c in frame["last_contact_outcome"]],
            pl.String,
        ),
    ).select(SHOWN)


def export_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """The list as exported: every column, headed from the catalogue ([work_export])."""
    known = catalogue("en")
    return frame.rename(
        {c: t(f"work_export.{c}") for c in frame.columns if f"work_export.{c}" in known}
    )


def show_worklist(frame: pl.DataFrame, as_of: date, key: str) -> None:
    config = {c: st.column_config.NumberColumn(t(f"work_export.{c}"), format=column_money())
              for c in MONEY}  # fmt: skip
    days = {c: st.column_config.NumberColumn(t(f"work_export.{c}"), format="%.0f")
            for c in ("max_dpd", "average_days_delinquent", "dso", "best_possible_dso")}  # fmt: skip
    st.dataframe(
        neutralise(worklist_table(frame)),
        hide_index=True,
        width="stretch",
        key=key,
        column_config={
            **config,
            **days,
            "rank": st.column_config.NumberColumn(
                t("work_export.rank"), format="%d", width="small"
            ),
            "customer_id": st.column_config.TextColumn(t("work.col_id"), width="small"),
            "name": t("work.col_name"),
            "grade": st.column_config.TextColumn(t("work_export.grade"), width="small"),
            "flag": st.column_config.TextColumn(t("work.col_flag"), help=t("work.broken_help")),
            "open_promises": st.column_config.NumberColumn(
                t("work_export.open_promises"), format="%d"
            ),
            "open_disputes": st.column_config.NumberColumn(
                t("work_export.open_disputes"), format="%d"
            ),
            "last_contact_on": st.column_config.DateColumn(t("work_export.last_contact_on")),
            "last_contact_outcome": t("work_export.last_contact_outcome"),
            "owner": t("work_export.owner"),
        },
    )
    x, y, _ = st.columns([1, 1, 3])
    x.download_button(
        t("work.export_csv", count=f"{frame.height:,}"),
        data=auth.audited("collections_worklist", "csv", lambda: export_rows(frame), to_csv),
        file_name=f"collections_worklist_{as_of}.csv",
        mime="text/csv",
        icon=":material/download:",
        key=f"{key}_csv",
    )
    y.download_button(
        t("work.export_xlsx", count=f"{frame.height:,}"),
        data=auth.audited(
            "collections_worklist",
            "xlsx",
            lambda: export_rows(frame),
            lambda rows: to_xlsx(rows, sheet="worklist"),
        ),  # fmt: skip
        file_name=f"collections_worklist_{as_of}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        key=f"{key}_xlsx",
    )


def collector_panel(frame: pl.DataFrame, key: str) -> None:
    """Record a contact, a promise to pay or a dispute for one customer of the list."""
    if frame.is_empty():
        return
    rows = {r["customer_id"]: r for r in frame.iter_rows(named=True)}

    def shown(customer_id: str) -> str:
        r = rows[customer_id]
        return f"{r['rank']}. {r['name'] or customer_id} · {customer_id} · {money(r['overdue_amount'])}"

    customer_id = st.selectbox(t("work.choose_customer"), list(rows), format_func=shown, key=key)
    row = rows[customer_id]
    name = markdown_text(row["name"] or customer_id)
    if row["broken_promises"]:
        st.warning(t("work.broken_note", count=row["broken_promises"]), icon=":material/warning:")
    contact, promise, dispute = st.columns(3)
    with contact, st.form(f"{key}_contact_{customer_id}"):
        st.markdown(f"**{t('work.contact_title')}**")
        channel = st.selectbox(
            t("work.channel"), collections.CHANNELS, format_func=lambda c: label("channel", c)
        )
        outcome = st.selectbox(
            t("work.contact_outcome"),
            collections.CONTACT_OUTCOMES,
            format_func=lambda c: label("contact_outcome", c),
        )
        contacted_on = st.date_input(
            t("work.contacted_on"), value=date.today(), max_value=date.today()
        )
        note_key = text_key(f"{key}_contact_note_{customer_id}")
        note = st.text_area(t("work.note"), key=note_key, max_chars=NOTE_LIMIT)
        if st.form_submit_button(t("work.record_contact")):
            result = act(
                collections.record_contact, customer_id, channel=channel, outcome=outcome,
                note=note, contacted_on=contacted_on,
            )  # fmt: skip
            if isinstance(result, Item):
                saved(t("work.contact_saved", name=name), note_key)
    with promise, st.form(f"{key}_promise_{customer_id}"):
        st.markdown(f"**{t('work.promise_title')}**")
        amount = st.number_input(
            t("work.promise_amount"), min_value=0.0, value=float(row["overdue_amount"] or 0.0),
            step=1_000.0, format="%.0f",
        )  # fmt: skip
        promised_on = st.date_input(
            t("work.promised_on"), value=date.today() + timedelta(days=7), min_value=date.today()
        )
        note_key = text_key(f"{key}_promise_note_{customer_id}")
        note = st.text_area(t("work.note"), key=note_key, max_chars=NOTE_LIMIT)
        if st.form_submit_button(t("work.record_promise")):
            result = act(
                collections.promise, customer_id, amount=amount, promised_on=promised_on, note=note
            )
            if isinstance(result, Item):
                saved(
                    t("work.promise_saved", name=name, amount=money(amount), on=day(promised_on)),
                    note_key,
                )
    with dispute, st.form(f"{key}_dispute_{customer_id}"):
        st.markdown(f"**{t('work.dispute_title')}**")
        reason = st.selectbox(
            t("work.dispute_reason"),
            collections.DISPUTE_REASONS,
            format_func=lambda c: label("dispute_reason", c),
        )
        disputed = st.number_input(
            t("work.dispute_amount"), min_value=0.0, value=0.0, step=1_000.0, format="%.0f",
            help=t("work.dispute_amount_help"),
        )  # fmt: skip
        note_key = text_key(f"{key}_dispute_note_{customer_id}")
        note = st.text_area(t("work.note"), key=note_key, max_chars=NOTE_LIMIT)
        if st.form_submit_button(t("work.open_dispute")):
            result = act(
                collections.open_dispute, customer_id, reason=reason,
                amount=disputed or None, note=note,
            )  # fmt: skip
            if isinstance(result, Item):
                saved(t("work.dispute_saved", name=name), note_key)
