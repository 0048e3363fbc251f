"""Cross-filtering: a click on a chart's bar narrows the global filters (and so the URL) to it.

A page cannot set a sidebar filter in the run that drew it (Streamlit refuses to change a widget's
value after the widget was created), so the click is kept as a request and the page reruns; the
sidebar applies the request before it draws its filters (`apply_request`, called by
dashboard/filters.py), and the URL follows as for any filter change. The chart's key changes with
each request, so its selection does not outlive the click: clearing the filter later in the
sidebar is not undone by the old selection.

Grades are no global filter (a grade is a result of the data, not a slice of the book the other
pages share): a click on a grade's bar on the Overview opens the Watchlist with its own grade
filter set, through its wl_grade URL parameter (`open_watchlist`), so that view is a link too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st
from streamlit.errors import StreamlitAPIException

from dashboard.components import watchlist_url

REQUEST = "_cross_filter"
COUNTER = "_cross_filter_n"


def chart_key(base: str) -> str:
    """The key of a clickable chart: new after each request, so a fresh chart has no selection."""
    return f"{base}_{st.session_state.get(COUNTER, 0)}"


def clicked_code(event: object) -> str | None:
    """The code of the first point clicked in a Plotly selection event (its customdata, or the
    first item of it); None without a selection or without codes on the points."""
    selection = (
        event.get("selection") if isinstance(event, dict) else getattr(event, "selection", None)
    )
    if selection is None:
        return None
    points = (
        selection.get("points")
        if isinstance(selection, dict)
        else getattr(selection, "points", None)
    )
    for point in points or []:
        data = point.get("customdata") if isinstance(point, dict) else None
        if isinstance(data, (list, tuple)):
            data = data[0] if data else None
        if isinstance(data, str) and data:
            return data
    return None


def request(dimension: str, code: str) -> None:
    """Ask for the global filter `dimension` to be narrowed to `code`, and rerun the app."""
    st.session_state[REQUEST] = (dimension, code)
    st.session_state[COUNTER] = st.session_state.get(COUNTER, 0) + 1
    st.rerun()


def apply_request(dimensions: Sequence[str], options: Callable[[str], list[str]]) -> None:
    """Before the sidebar's filters are drawn: a pending request sets its filter to the one code
    (a dimension or code the sidebar does not offer is dropped)."""
    pending = st.session_state.pop(REQUEST, None)
    if not pending:
        return
    dimension, code = pending
    if dimension in dimensions and code in options(dimension):
        st.session_state[f"f_{dimension}"] = [code]


# --- a grade's bar: grades are no global filter, so a click opens the Watchlist at that grade ----
WATCHLIST_PAGE = "dashboard/pages/watchlist.py"
WATCHLIST_REQUEST = "_cross_filter_watchlist"
FILTERS_SEEDED = "_filters_seeded"  # dashboard/filters.py: the URL was read into the filters


def clicked_x(event: object, allowed: Sequence[str]) -> str | None:
    """The x value of the first clicked point that is one of `allowed` (a grade's letter; the
    grey "No exposure" bar is none), or None."""
    selection = (
        event.get("selection") if isinstance(event, dict) else getattr(event, "selection", None)
    )
    points = (
        selection.get("points")
        if isinstance(selection, dict)
        else getattr(selection, "points", None)
    )
    for point in points or []:
        value = point.get("x") if isinstance(point, dict) else None
        if value in allowed:
            return value
    return None


def open_watchlist(grade: str) -> None:
    """Open the Watchlist with its grade filter set to `grade` (its wl_grade URL parameter), the
    global filters and the language kept."""
    st.session_state[WATCHLIST_REQUEST] = grade
    follow_watchlist_request()


def follow_watchlist_request() -> None:
    """Called at the top of the page with the grade chart: a pending request switches to the
    Watchlist. The Watchlist seeds its filters from the URL when they have no state yet, so the
    ones of an earlier visit are dropped first. Alone (no navigation) the page stays."""
    grade = st.session_state.pop(WATCHLIST_REQUEST, None)
    if not grade:
        return
    st.session_state[COUNTER] = st.session_state.get(COUNTER, 0) + 1
    for key in watchlist_url.PARAMETERS:
        st.session_state.pop(key, None)
    # A page switched to from the server starts without the widgets' values (Streamlit resets
    # them on a page change it did not get from the browser): the sidebar seeds its filters from
    # the URL again, which carries them.
    st.session_state.pop(FILTERS_SEEDED, None)
    kept = {k: v for k, v in st.query_params.to_dict().items() if not k.startswith("wl_")}
    try:
        st.switch_page(WATCHLIST_PAGE, query_params={**kept, "wl_grade": grade})
    except StreamlitAPIException:
        return
