"""Global filters (as-of date, segment, region, industry): sidebar widgets mirrored in the URL.

The widgets live in main.py's sidebar so they survive page changes; pages read the values with
`current_filters()`, which falls back to defaults (latest date, everything) when a page runs alone.
The value is a queries.filters.Filters, handed as it is to every filtered query:
`fetch(portfolio.kpis, filters=filters)`.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from dashboard.access import fetch
from dashboard.components import cross_filter
from dashboard.components.formats import month
from dashboard.i18n import t, value_label
from queries import filters as filter_queries
from queries.filters import Filters

DIMENSIONS = ("segment", "region", "industry")


def available_dates() -> list[date]:
    return fetch(filter_queries.as_of_dates)["as_of"].to_list()


def options(dimension: str) -> list[str]:
    values = fetch(filter_queries.dimension_values)
    return values.filter(values["dimension"] == dimension)["value"].to_list()


def _from_url() -> None:
    """Seed the widgets from the URL once per session, so a shared link opens the same view."""
    if st.session_state.get("_filters_seeded"):
        return
    st.session_state["_filters_seeded"] = True
    params = st.query_params
    dates = [d.isoformat() for d in available_dates()]
    if params.get("as_of") in dates:
        st.session_state["f_as_of"] = date.fromisoformat(params["as_of"])
    for dimension in DIMENSIONS:
        if dimension in params:
            allowed = set(options(dimension))
            chosen = [v for v in params[dimension].split(",") if v in allowed]
            st.session_state[f"f_{dimension}"] = chosen


def sidebar() -> Filters | None:
    """Draw the global filters in the sidebar; None when the warehouse has no dates yet."""
    dates = available_dates()
    if not dates:
        return None
    _from_url()
    cross_filter.apply_request(DIMENSIONS, options)  # a chart's bar clicked on the last run
    with st.sidebar:
        st.markdown(f"**{t('filters.header')}**")
        if st.session_state.get("f_as_of") not in dates:
            st.session_state["f_as_of"] = dates[0]
        st.selectbox(t("filters.as_of"), dates, format_func=month, key="f_as_of")
        for dimension in DIMENSIONS:
            st.multiselect(
                t(f"filters.{dimension}"),
                options(dimension),
                key=f"f_{dimension}",
                placeholder=t("filters.all"),
                format_func=lambda value, dimension=dimension: value_label(dimension, value),
            )
        if st.button(t("filters.reset"), width="stretch"):
            st.session_state["f_as_of"] = dates[0]
            for dimension in DIMENSIONS:
                st.session_state[f"f_{dimension}"] = []
            st.rerun()
    chosen = current_filters()
    _to_url(chosen, latest=dates[0])
    return chosen


def _to_url(chosen: Filters, latest: date) -> None:
    wanted = {}
    if chosen.as_of != latest:
        wanted["as_of"] = chosen.as_of.isoformat()
    for dimension, values in zip(
        DIMENSIONS, (chosen.segments, chosen.regions, chosen.industries), strict=True
    ):
        if values:
            wanted[dimension] = ",".join(values)
    for key in ("as_of", *DIMENSIONS):
        if key in st.query_params and key not in wanted:
            del st.query_params[key]
    for key, value in wanted.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value


def current_filters() -> Filters:
    """The filters in force for this run (defaults when the sidebar has not been drawn)."""
    state = st.session_state
    as_of = state.get("f_as_of")
    if as_of is None:
        dates = available_dates()
        as_of = dates[0] if dates else date.today()
    return Filters(
        as_of=as_of,
        segments=tuple(state.get("f_segment") or ()),
        regions=tuple(state.get("f_region") or ()),
        industries=tuple(state.get("f_industry") or ()),
    )
