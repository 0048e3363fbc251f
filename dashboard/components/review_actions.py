"""Alert reviews on a page: the alerts with their review state, and the actions on one alert
(take, assign, comment, close with an outcome and a note) — on the Watchlist and the Work page.

A change is based on the version of the review the user saw when the page was drawn (kept in the
session between runs), not the one read again by the click's run: when someone else changed the
review meanwhile, the change is refused with the review as it is now, and the note typed stays in
its field.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from dashboard.components.formats import day, month
from dashboard.components.plain_text import markdown_text
from dashboard.components.work_session import (
    act,
    acting_user,
    label,
    may_act,
    refusal_text,
    saved,
    show_flash,
    text_key,
    work_fetch,
    working_as,
)
from dashboard.i18n import t
from data import worklog_reviews
from data.export import neutralise
from data.worklog import NOTE_LIMIT, Item, WorklogError
from queries import worklist
from queries.filters import Filters
from queries.watchlist import TRIGGERS


def state_text(state: str | None, outcome: str | None) -> str:
    """A review's state in words; a closed one with its outcome."""
    text = label("state", state)
    return f"{text} · {label('outcome', outcome)}" if state == "closed" and outcome else text


def review_table(frame: pl.DataFrame) -> pl.DataFrame:
    """The alerts as shown: codes in words, overdue marked."""
    triggers = {c: t(f"watchlist.trigger_name.{c}") for c in TRIGGERS}
    return frame.select(
        "customer_id",
        "name",
        # dates as text in the page's language (a Styler shows dates as timestamps otherwise)
        pl.Series("entered_on", [day(d) for d in frame["entered_on"]], pl.String),
        pl.col("triggers")
        .list.eval(pl.element().replace_strict(triggers, default=pl.element()))
        .list.join(", ")
        .alias("triggers"),
        # texts made here, in the run's thread (the language is the run's), not in Polars' threads
        pl.Series(
            "state",
            [state_text(s, o) for s, o in zip(frame["state"], frame["outcome"], strict=True)],
            dtype=pl.String,
        ),
        pl.col("assignee").fill_null(""),
        pl.Series("due_on", [day(d) if d else "—" for d in frame["due_on"]], pl.String),
        pl.when(pl.col("overdue"))
        .then(pl.lit(t("work.overdue_mark")))
        .otherwise(pl.lit(""))
        .alias("overdue"),
        "age_days",
        pl.col("note").fill_null(""),
    )


def _highlight_overdue(row) -> list[str]:
    # the state, due date and mark of an overdue review, not the whole row
    style = "background-color: rgba(214, 39, 40, 0.16); color: #9b1c1c"
    marked = {"state", "due_on", "overdue"} if row["overdue"] else set()
    return [style if column in marked else "" for column in row.index]


def show_reviews(frame: pl.DataFrame, key: str) -> None:
    """The alerts as a table, overdue reviews highlighted."""
    table = neutralise(review_table(frame))
    st.dataframe(
        table.to_pandas().style.apply(_highlight_overdue, axis=1),
        hide_index=True,
        width="stretch",
        key=key,
        column_config={
            # set widths (no header cut at 1440 px); id and name pinned while the table scrolls
            "customer_id": st.column_config.TextColumn(t("work.col_id"), width=85, pinned=True),
            "name": st.column_config.TextColumn(t("work.col_name"), width=240, pinned=True),
            "entered_on": st.column_config.TextColumn(t("work.col_entered"), width=105),
            "triggers": st.column_config.TextColumn(t("work.col_triggers"), width=150),
            "state": st.column_config.TextColumn(t("work.col_state"), width=95),
            "assignee": st.column_config.TextColumn(t("work.col_assignee"), width=110),
            "due_on": st.column_config.TextColumn(t("work.col_due"), width=100),
            "overdue": st.column_config.TextColumn(t("work.col_overdue"), width=80),
            "age_days": st.column_config.NumberColumn(t("work.col_age"), format="%d", width=80),
            "note": st.column_config.TextColumn(t("work.col_note"), width=300),
        },
    )


def choose_alert(frame: pl.DataFrame, key: str) -> dict | None:
    """A selectbox of the alerts; the chosen alert's row, or None when there is none."""
    if frame.is_empty():
        return None
    rows = {f"{r['customer_id']}|{r['alert_on']}": r for r in frame.iter_rows(named=True)}

    def shown(choice: str) -> str:
        r = rows[choice]
        return (
            f"{r['name'] or r['customer_id']} · {r['customer_id']} · {month(r['alert_on'])}"
            f" · {state_text(r['state'], r['outcome'])}"
        )

    choice = st.selectbox(t("work.choose_alert"), list(rows), format_func=shown, key=key)
    return rows.get(choice)


def review_panel(row: dict, key: str) -> None:
    """The actions on one alert for the acting user."""
    customer_id: str = row["customer_id"]
    alert_on: date = row["alert_on"]
    ident = f"{key}_{customer_id}_{alert_on}"
    seen = f"{ident}_seen"
    # what the user saw when the page was drawn last; the click's run has read the review again
    based_on = int(st.session_state.get(seen, row["version"]))
    st.session_state[seen] = int(row["version"])
    state = row["state"]

    with st.container(border=True):
        st.markdown(
            t(
                "work.review_now",
                name=markdown_text(row["name"] or customer_id),
                state=state_text(state, row["outcome"]),
                assignee=markdown_text(row["assignee"] or "—"),
                due=day(row["due_on"]) if row["due_on"] else "—",
            )
        )
        if row["overdue"]:
            st.warning(t("work.review_overdue", due=day(row["due_on"])), icon=":material/schedule:")

        def done(result: Item | Exception, message: str, *forget: str) -> None:
            if isinstance(result, Item):
                saved(message, *forget)

        allowed = worklog_reviews.TRANSITIONS.get(state, frozenset())
        a, b = st.columns(2)
        with a:
            if st.button(
                t("work.take"),
                key=f"{ident}_take",
                disabled="in_review" not in allowed,
                icon=":material/front_hand:",
            ):
                result = act(worklog_reviews.take, customer_id, alert_on, based_on)
                done(result, t("work.taken", name=markdown_text(row["name"] or customer_id)))
        with b, st.form(f"{ident}_assign_form", border=False):
            c, d = st.columns([3, 1], vertical_alignment="bottom")
            assignee = c.text_input(
                t("work.assignee"),
                value=row["owner"] or "",
                key=f"{ident}_assignee",
                help=t("work.assignee_help"),
                max_chars=120,
            )
            if d.form_submit_button(t("work.assign"), disabled="assigned" not in allowed):
                result = act(
                    worklog_reviews.assign,
                    customer_id,
                    alert_on,
                    based_on,
                    assignee=assignee.strip() or None,
                )
                done(result, t("work.assigned_to", assignee=markdown_text(assignee)))

        close_note = text_key(f"{ident}_close_note")
        with st.form(f"{ident}_close_form"):
            st.markdown(f"**{t('work.close_title')}**")
            outcome = st.selectbox(
                t("work.outcome_label"),
                worklog_reviews.OUTCOMES,
                format_func=lambda c: label("outcome", c),
                key=f"{ident}_outcome",
            )
            note = st.text_area(
                t("work.note"), key=close_note, max_chars=NOTE_LIMIT, help=t("work.note_help")
            )
            if st.form_submit_button(
                t("work.close"), type="primary", disabled="closed" not in allowed
            ):
                result = act(worklog_reviews.close, customer_id, alert_on, based_on, outcome, note)
                done(result, t("work.closed", outcome=label("outcome", outcome)), close_note)
            if state in ("new", "assigned"):  # a closed review only takes comments
                st.caption(t("work.close_needs_review"))

        comment_note = text_key(f"{ident}_comment_note")
        with st.form(f"{ident}_comment_form"):
            text = st.text_area(t("work.comment_label"), key=comment_note, max_chars=NOTE_LIMIT)
            if st.form_submit_button(t("work.comment")):
                result = act(worklog_reviews.comment, customer_id, alert_on, based_on, text)
                done(result, t("work.commented"), comment_note)


def reviews_section(filters: Filters) -> None:
    """The Watchlist's "Alert reviews": the alerts on the list at the date with their review
    state, and the actions on one of them."""
    working_as()
    if not may_act(acting_user()):
        return
    st.subheader(t("work.watchlist_reviews"))
    show_flash()
    try:
        alerts = work_fetch(worklist.alert_reviews, filters=filters)
    except WorklogError as refused:
        st.error(refusal_text(refused))
        return
    if alerts.is_empty():
        st.info(t("work.reviews_none"))
        return
    counts = alerts.group_by("state").len()
    by_state = dict(zip(counts["state"], counts["len"], strict=True))
    st.caption(
        t(
            "work.watchlist_reviews_caption",
            total=alerts.height,
            new=by_state.get("new", 0),
            assigned=by_state.get("assigned", 0),
            in_review=by_state.get("in_review", 0),
            closed=by_state.get("closed", 0),
            overdue=int(alerts["overdue"].sum()),
        )
    )
    show_reviews(alerts, "wl_reviews_table")
    chosen = choose_alert(alerts, "wl_alert")
    if chosen is not None:
        review_panel(chosen, "wl_review")
