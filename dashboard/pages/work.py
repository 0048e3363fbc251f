"""Work (analysts, admins): credit decisions awaiting approval, alert reviews (open, overdue
first), the collections worklist with contacts, promises to pay and disputes.

?section=decisions|reviews|collections opens a section (the Overview's action numbers link here).
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard.components.collections_actions import collector_panel, show_worklist
from dashboard.components.decision_actions import decide_panel, show_decisions
from dashboard.components.formats import month
from dashboard.components.review_actions import choose_alert, review_panel, show_reviews
from dashboard.components.work_session import (
    acting_user,
    may_act,
    refusal_text,
    show_flash,
    work_fetch,
    working_as,
)
from dashboard.filters import current_filters
from dashboard.i18n import t
from data.worklog import WorklogError
from queries import worklist, worklist_collections

SECTIONS = ("decisions", "reviews", "collections")
SECTION_KEY = "work_section"

filters = current_filters()
st.title(t("work.title"))
st.caption(t("work.caption", as_of=month(filters.as_of)))
working_as()
user = acting_user()
if not may_act(user):
    st.info(t("work.counts_only"))
    st.stop()
show_flash()

# the section of the link (?section=), then the one chosen in this session
wanted = st.query_params.get("section")
if wanted in SECTIONS and st.session_state.get("_work_section_link") != wanted:
    st.session_state[SECTION_KEY] = wanted
    st.session_state["_work_section_link"] = wanted
if st.session_state.get(SECTION_KEY) not in SECTIONS:
    st.session_state[SECTION_KEY] = SECTIONS[0]
section = st.segmented_control(
    t("work.section"),
    SECTIONS,
    format_func=lambda s: t(f"work.section_{s}"),
    key=SECTION_KEY,
    required=True,
    label_visibility="collapsed",
)
st.query_params["section"] = section
st.session_state["_work_section_link"] = section

try:
    if section == "decisions":
        st.subheader(t("work.decisions_title"))
        pending = work_fetch(worklist.decisions, states=("pending",))
        awaiting = int(pending["may_decide"].sum()) if pending.height else 0
        st.caption(t("work.decisions_caption", pending=pending.height, awaiting=awaiting))
        if pending.is_empty():
            st.success(t("work.decisions_none"))
        else:
            # the ones this user may decide first
            pending = pending.sort(["may_decide", "item_id"], descending=[True, False])
            show_decisions(pending, user, "work_decisions_table")
            decide_panel(pending, user, "work_decide")
        with st.expander(t("work.decided_title")):
            decided = work_fetch(worklist.decisions, states=("approved", "rejected", "withdrawn"))
            if decided.is_empty():
                st.caption(t("work.decided_none"))
            else:
                show_decisions(decided.reverse(), user, "work_decided_table")

    elif section == "reviews":
        st.subheader(t("work.reviews_title"))
        alerts = work_fetch(worklist.open_alerts, filters=filters)
        alerts = alerts.sort(
            [pl.col("overdue"), "due_on", "entered_on", "customer_id"],
            descending=[True, False, False, False],
            nulls_last=True,
        )
        overdue = int(alerts["overdue"].sum()) if alerts.height else 0
        st.caption(t("work.reviews_caption", open=alerts.height, overdue=overdue))
        if alerts.is_empty():
            st.success(t("work.reviews_none"))
        else:
            show_reviews(alerts, "work_reviews_table")
            chosen = choose_alert(alerts, "work_alert")
            if chosen is not None:
                review_panel(chosen, "work_review")

    else:
        st.subheader(t("work.collections_title"))
        ranked = work_fetch(worklist_collections.collections_worklist, filters=filters)
        ranking = ranked["ranking"][0] if ranked.height else None
        broken = int((ranked["broken_promises"] > 0).sum()) if ranked.height else 0
        st.caption(
            t(
                "work.collections_caption",
                count=ranked.height,
                ranking=t(f"work_ranking.{ranking}") if ranking else "—",
                broken=broken,
            )
        )
        if ranked.is_empty():
            st.success(t("work.collections_none"))
        else:
            show_worklist(ranked, filters.as_of, "work_collections_table")
            collector_panel(ranked, "work_collector")
except WorklogError as refused:
    st.error(refusal_text(refused))
