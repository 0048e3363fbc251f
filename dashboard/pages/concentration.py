"""Concentration: top names and Pareto, Lorenz and Gini, HHI over time, treemap, breaches."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard.access import fetch
from dashboard.components import chart, concentration_charts
from dashboard.components.formats import (
    column_money,
    column_percent,
    month,
    number,
    percent,
    points,
)
from dashboard.components.kpi import Kpi, kpi_row
from dashboard.filters import current_filters
from dashboard.i18n import t, value_labels
from data.export import neutralise
from queries import concentration

TOP_CHOICES = (10, 20, 50)
PER_INDUSTRY = 8  # treemap tiles per industry before the rest becomes one "other" tile
BREACH_ROWS = 200  # rows shown per breach table; the caption gives the full count

filters = current_filters()
as_of = filters.as_of
st.title(t("concentration.title"))
st.caption(t("concentration.caption", as_of=month(as_of)))

curve = fetch(concentration.lorenz, filters=filters)
if curve.is_empty() or curve["names"][0] is None:
    st.info(t("concentration.empty"))
    st.stop()

trend = fetch(concentration.hhi_trend, filters=filters)
gini = curve["gini"][0]


def _card(label: str, column: str, fmt, higher_is_worse: bool, help_key: str | None = None) -> Kpi:
    value, previous = concentration.latest_and_previous(trend, as_of, "customer", column)
    # a change of a share is in percentage points, not '+1.2 %'
    delta = points if fmt is percent else None
    return Kpi(
        label, value, previous, fmt, higher_is_worse, delta_fmt=delta, help=help_key and t(help_key)
    )


kpi_row(
    [
        _card(t("concentration.names"), "names", number, higher_is_worse=False),
        _card(t("concentration.top10"), "top10_share", percent, higher_is_worse=True),
        # a big portfolio's customer HHI is single digits: keep a decimal there
        _card(
            t("concentration.hhi"),
            "hhi",
            lambda v: number(v, 1 if v is not None and v < 100 else 0),
            True,
            "concentration.hhi_help",
        ),
        _card(
            t("concentration.effective"),
            "effective_names",
            lambda v: number(v, 1),
            False,
            "concentration.effective_help",
        ),
        Kpi(
            t("concentration.gini"),
            gini,
            None,
            lambda v: number(v, 2),
            help=t("concentration.gini_help"),
        ),
    ]
)
scope = trend["scope"][0] if trend.height else "filtered"
st.caption(t(f"concentration.scope_{scope}"))

st.subheader(t("concentration.largest"))
n = (
    st.segmented_control(
        t("concentration.top_n"), TOP_CHOICES, default=TOP_CHOICES[0], key="conc_n"
    )
    or TOP_CHOICES[0]
)
top = fetch(concentration.top, limit=n, filters=filters)
left, right = st.columns([3, 2])
with left:
    chart.show(
        concentration_charts.pareto(
            top,
            t("concentration.top_title", n=n),
            t("concentration.exposure"),
            t("concentration.cumulative"),
        ),
        name="concentration_pareto",
    )
with right:
    chart.show(
        concentration_charts.lorenz(
            curve,
            t("concentration.lorenz_title", gini=number(gini, 2)),
            t("concentration.lorenz_names"),
            t("concentration.lorenz_exposure"),
            t("concentration.equality"),
        ),
        name="concentration_lorenz",
    )

MONEY = column_money()


def labelled(frame: pl.DataFrame) -> pl.DataFrame:
    """Industry and region codes shown in the reader's language."""
    return frame.with_columns(
        pl.col(c).replace(value_labels(frame[c].unique().to_list(), c))
        for c in ("industry", "region")
        if c in frame.columns
    )


st.dataframe(
    neutralise(
        labelled(top).select(
            "rank",
            "name",
            "industry",
            "region",
            "grade",
            "exposure",
            pl.col("share") * 100,
            pl.col("cumulative_share") * 100,
        )
    ),
    hide_index=True,
    width="stretch",
    height=min(36 * (top.height + 1) + 2, 420),
    column_config={
        "rank": st.column_config.NumberColumn(t("concentration.col_rank"), width="small"),
        "name": st.column_config.TextColumn(t("concentration.col_customer"), width="large"),
        "industry": t("concentration.col_industry"),
        "region": t("concentration.col_region"),
        "grade": t("concentration.col_grade"),
        "exposure": st.column_config.NumberColumn(t("concentration.col_exposure"), format=MONEY),
        "share": st.column_config.NumberColumn(
            t("concentration.col_share"), format=column_percent(2)
        ),
        "cumulative_share": st.column_config.NumberColumn(
            t("concentration.col_cumulative"), format=column_percent(1)
        ),
    },
)

st.subheader(t("concentration.over_time"))
left, right = st.columns(2)
with left:
    chart.show(
        concentration_charts.hhi_trend(
            trend,
            t(f"concentration.hhi_title_{scope}"),
            {d: t(f"concentration.dim_{d}") for d in concentration_charts.DIMENSION_COLOURS},
        ),
        name="concentration_hhi_trend",
    )
with right:
    chart.show(
        concentration_charts.treemap(
            labelled(fetch(concentration.treemap, per_industry=PER_INDUSTRY, filters=filters)),
            t("concentration.treemap_title", n=PER_INDUSTRY),
            t("concentration.other"),
            t("concentration.portfolio"),
        ),
        name="concentration_treemap",
    )

st.subheader(t("concentration.breaches"))
breach_columns = {
    "name": st.column_config.TextColumn(t("concentration.col_customer"), width="large"),
    "industry": t("concentration.col_industry"),
    "owner": t("concentration.col_owner"),
    "grade": t("concentration.col_grade"),
    "exposure": st.column_config.NumberColumn(t("concentration.col_exposure"), format=MONEY),
    "exposure_share": st.column_config.NumberColumn(
        t("concentration.col_portfolio_share"), format=column_percent(2)
    ),
    "credit_limit": st.column_config.NumberColumn(t("concentration.col_limit"), format=MONEY),
    "excess": st.column_config.NumberColumn(t("concentration.col_excess"), format=MONEY),
    "utilisation": st.column_config.NumberColumn(
        t("concentration.col_utilisation"), format=column_percent(0)
    ),
}
shown_columns = {
    "single_name": ("name", "industry", "owner", "grade", "exposure", "exposure_share"),
    "limit": (
        "name",
        "industry",
        "owner",
        "grade",
        "exposure",
        "credit_limit",
        "excess",
        "utilisation",
    ),
}
rules = {
    "single_name": t(
        "concentration.single_name_rule",
        limit=percent(fetch(concentration.policy)["single_name_share"][0], 0),
    ),
    "limit": t("concentration.limit_rule"),
}
for kind in concentration.BREACH_KINDS:
    rows = fetch(concentration.breaches, kind=kind, limit=BREACH_ROWS, filters=filters)
    matching = rows["matching"][0] if rows.height else 0
    st.markdown(f"**{t(f'concentration.breach_{kind}', count=number(matching))}**")
    st.caption(rules[kind])
    if rows.is_empty():
        st.success(t(f"concentration.no_breach_{kind}"))
        continue
    if matching > rows.height:
        st.caption(t("concentration.showing", shown=number(rows.height), total=number(matching)))
    st.dataframe(
        neutralise(
            labelled(rows)
            .with_columns(pl.col("exposure_share") * 100, pl.col("utilisation") * 100)
            .select(shown_columns[kind])
        ),
        hide_index=True,
        width="stretch",
        height=min(36 * (rows.height + 1) + 2, 400),
        column_config={c: breach_columns[c] for c in shown_columns[kind]},
    )
