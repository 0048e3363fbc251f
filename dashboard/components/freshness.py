"""The freshness line every page shows (rendered once by main.py): when the data was last loaded,
the month-end it reaches, and a warning above the page when that is older than the policy allows."""

from __future__ import annotations

from datetime import date

import streamlit as st

from dashboard.access import fetch
from dashboard.components.formats import day, month
from dashboard.i18n import t
from queries.freshness import Freshness, freshness_status, max_age_days, warehouse_freshness


def freshness_text(status: Freshness) -> str:
    """The sidebar line: 'Data loaded 2026-12-03 06:10 · reaches Oct 2026' (empty without data)."""
    if status.data_through is None:
        return ""
    through = month(status.data_through)
    if status.loaded_at is None:
        return t("freshness.never_loaded", through=through)
    loaded = f"{day(status.loaded_at.date())} {status.loaded_at:%H:%M}"
    return t("freshness.line", loaded=loaded, through=through)


def freshness_line(today: date | None = None) -> Freshness:
    """Draw the line in the sidebar and, when stale, a warning at the top of the page."""
    status = freshness_status(fetch(warehouse_freshness), today or date.today(), max_age_days())
    text = freshness_text(status)
    if text:
        st.sidebar.caption(text)
    if status.stale:
        st.warning(
            t(
                "freshness.stale",
                through=month(status.data_through),
                days=status.age_days,
                limit=status.max_age_days,
            ),
            icon=":material/schedule:",
        )
    return status
