"""Concentration: top names and Pareto, Lorenz and Gini, HHI over time, treemap, breaches."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard.access import fetch
from dashboard.components import concentration_charts
from dashboard.components.formats import month, number, percent
from dashboard.filters import current_filters
from dashboard.i18n import t
from queries import concentration

filters = current_filters()
params = filters.params()
st.title(t("concentration.title"))
st.caption(t("concentration.caption", as_of=month(filters.as_of)))

curve = fetch(concentration.lorenz, **params)
if curve.is_empty() or curve["names"][0] is None:
    st.info(t("concentration.empty"))
    st.stop()

n = st.segmented_control(t("concentration.top_n"), (10, 20, 50), default=20, key="conc_n") or 20
top = fetch(concentration.top, limit=n, **params)
trend = fetch(concentration.hhi_trend, **params)
latest = trend.filter(pl.col("as_of") == trend["as_of"].max())
customer_hhi = latest.filter(pl.col("dimension") == "customer").row(0, named=True)
top10 = top.filter(pl.col("rank") <= 10)["share"].sum()

cards = st.columns(4)
cards[0].metric(t("concentration.names"), number(curve["names"][0]), border=True)
cards[1].metric(t("concentration.top10"), percent(top10), border=True)
cards[2].metric(t("concentration.hhi"), number(customer_hhi["hhi"]), border=True)
cards[3].metric(
    t("concentration.effective"),
    number(customer_hhi["effective_names"], 1),
    border=True,
    help=t("concentration.effective_help"),
)

left, right = st.columns([3, 2])
left.plotly_chart(
    concentration_charts.pareto(
        top,
        t("concentration.top_title", n=n),
        t("concentration.exposure"),
        t("concentration.cumulative"),
    ),
    width="stretch",
)
right.plotly_chart(
    concentration_charts.lorenz(
        curve,
        t("concentration.lorenz_title", gini=f"{curve['gini'][0]:.2f}"),
        t("concentration.lorenz_names"),
        t("concentration.lorenz_exposure"),
        t("concentration.equality"),
    ),
    width="stretch",
)
st.dataframe(
    top.select(
        "rank",
        "name",
        "industry",
        "grade",
        "exposure",
        pl.col("share") * 100,
        pl.col("cumulative_share") * 100,
    ),
    hide_index=True,
    width="stretch",
    column_config={
        "rank": t("concentration.col_rank"),
        "name": t("concentration.col_customer"),
        "industry": t("concentration.col_industry"),
        "grade": t("concentration.col_grade"),
        "exposure": st.column_config.NumberColumn(t("concentration.col_exposure"), format="¥%,.0f"),
        "share": st.column_config.NumberColumn(t("concentration.col_share"), format="%.2f %%"),
        "cumulative_share": st.column_config.NumberColumn(
            t("concentration.col_cumulative"), format="%.1f %%"
        ),
    },
)

left, right = st.columns([2, 3])
left.plotly_chart(
    concentration_charts.hhi_trend(
        trend,
        t("concentration.hhi_title"),
        {d: t(f"concentration.dim_{d}") for d in ("customer", "industry", "region")},
    ),
    width="stretch",
)
right.plotly_chart(
    concentration_charts.treemap(
        fetch(concentration.treemap, per_industry=8, **params),
        t("concentration.treemap_title"),
        t("concentration.other"),
        t("concentration.portfolio"),
    ),
    width="stretch",
)

st.subheader(t("concentration.breaches"))
breaches = fetch(concentration.breaches, **params)
if breaches.is_empty():
    st.success(t("concentration.no_breaches"))
else:
    st.caption(
        t(
            "concentration.breaches_caption",
            limit=percent(breaches["single_name_limit"][0], 0),
            count=f"{breaches.height:,}",
        )
    )
    st.dataframe(
        breaches.head(500).select(
            "name",
            "industry",
            "grade",
            "exposure",
            "credit_limit",
            pl.col("utilisation") * 100,
            pl.col("exposure_share") * 100,
            "single_name_breach",
            "limit_breach",
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "name": t("concentration.col_customer"),
            "industry": t("concentration.col_industry"),
            "grade": t("concentration.col_grade"),
            "exposure": st.column_config.NumberColumn(
                t("concentration.col_exposure"), format="¥%,.0f"
            ),
            "credit_limit": st.column_config.NumberColumn(
                t("concentration.col_limit"), format="¥%,.0f"
            ),
            "utilisation": st.column_config.NumberColumn(
                t("concentration.col_utilisation"), format="%.0f %%"
            ),
            "exposure_share": st.column_config.NumberColumn(
                t("concentration.col_portfolio_share"), format="%.2f %%"
            ),
            "single_name_breach": st.column_config.CheckboxColumn(t("concentration.col_single")),
            "limit_breach": st.column_config.CheckboxColumn(t("concentration.col_over_limit")),
        },
    )
