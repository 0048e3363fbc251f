"""Cross-filtering: a click on a chart's bar narrows the global filters (and so the URL) to it.

A page cannot set a sidebar filter in the run that drew it (Streamlit refuses to change a widget's
value after the widget was created), so the click is kept as a request and the page reruns; the
sidebar applies the request before it draws its filters (`apply_request`, called by
dashboard/filters.py), and the URL follows as for any filter change. The chart's key changes with
each request, so its selection does not outlive the click: clearing the filter later in the
sidebar is not undone by the old selection.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

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
