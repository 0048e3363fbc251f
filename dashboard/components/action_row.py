"""The Overview's "Action" row: open alerts by age, reviews overdue, decisions pending, promises
broken this month; each number links to its list on the Work page (when the user may open it)."""

from __future__ import annotations

from contextlib import suppress

import streamlit as st
from streamlit.errors import StreamlitAPIException

from dashboard import auth
from dashboard.components.formats import number
from dashboard.components.work_session import acting_user, work_fetch
from dashboard.i18n import t
from data.worklog import WorklogError
from queries import worklist
from queries.filters import Filters

WORK_PAGE = "dashboard/pages/work.py"


def _link(section: str, text: str) -> None:
    # Without a link when the page runs alone (no navigation) or the Work page is not listed.
    with suppress(StreamlitAPIException):
        st.page_link(
            WORK_PAGE,
            label=text,
            icon=":material/arrow_forward:",
            query_params={**st.query_params.to_dict(), "section": section},
        )


def action_row(filters: Filters) -> None:
    """Draw the row (counts only: names never appear, executives included)."""
    user = acting_user()
    try:
        counts = work_fetch(worklist.action_counts, filters=filters).row(0, named=True)
    except WorklogError:
        return
    linked = auth.allowed(user, "work") and user is not None and user.known_role != "executive"
    st.markdown(f"**{t('work_overview.title')}**")
    cards = [
        ("reviews", "open_alerts", t("work_overview.open_alerts_help")),
        ("reviews", "reviews_overdue", t("work_overview.reviews_overdue_help")),
        ("decisions", "decisions_pending", t("work_overview.decisions_pending_help")),
        ("collections", "promises_broken_this_month", t("work_overview.promises_broken_help")),
    ]
    for column, (section, name, help_text) in zip(st.columns(len(cards)), cards, strict=True):
        with column:
            st.metric(t(f"work_overview.{name}"), number(counts[name]), border=True, help=help_text)
            if name == "open_alerts":
                st.caption(
                    t(
                        "work_overview.by_age",
                        a=number(counts["open_alerts_0_30"]),
                        b=number(counts["open_alerts_31_60"]),
                        c=number(counts["open_alerts_61_90"]),
                        d=number(counts["open_alerts_90p"]),
                    )
                )
            if name == "decisions_pending" and linked:
                st.caption(
                    t("work_overview.awaiting_you", count=number(counts["decisions_awaiting_user"]))
                )
            if linked:
                _link(section, t(f"work_overview.link_{section}"))
