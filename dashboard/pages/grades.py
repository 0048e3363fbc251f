"""Risk grades: grades by dimension, score distribution, migration matrix and flow, PD/LGD/EL by grade."""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from dashboard.access import fetch
from dashboard.components import chart, cross_filter, grades_charts
from dashboard.components.formats import (
    MISSING,
    column_money,
    column_percent,
    money,
    month,
    number,
    percent,
)
from dashboard.filters import current_filters
from dashboard.i18n import language, t, value_labels
from queries import grades

filters = current_filters()
dims = filters.replace(as_of=None)  # the migration has its own dates: one cache entry for all
edges = {r["grade"]: r["lower_edge"] for r in fetch(grades.cut_offs).iter_rows(named=True)}
LANG = language()
st.title(t("grades.title"))
st.caption(
    t(
        "grades.caption",
        as_of=month(filters.as_of),
        cutoffs=", ".join(f"{g} ≥ {v:g}" for g, v in edges.items()),
    )
)

a, b = st.columns([2, 2])
dimension = (
    a.segmented_control(
        t("grades.split_by"),
        grades.DIMENSIONS,
        format_func=lambda d: t(f"grades.dim_{d}"),
        default="industry",
        key="gr_dim",
    )
    or "industry"
)
measure = (
    b.segmented_control(
        t("grades.measure"),
        ("exposure", "customers"),
        format_func=lambda m: t(f"grades.measure_{m}"),
        default="exposure",
        key="gr_measure",
    )
    or "exposure"
)

split = fetch(grades.by_dimension, dimension=dimension, filters=filters)
if split.is_empty():
    st.info(t("grades.empty"))
    st.stop()
# stored codes (Retail, North, Large) shown in the reader's language; the code kept for a click
split = split.with_columns(
    pl.col("grp").alias("code"),
    pl.col("grp").replace(value_labels(split["grp"].unique().to_list(), dimension)),
)

left, right = st.columns([3, 2])
clicked = chart.show(
    grades_charts.by_dimension(
        split,
        t(
            "grades.by_dimension_title",
            measure=t(f"grades.measure_{measure}"),
            dimension=t(f"grades.dim_{dimension}").lower(),
        ),
        measure,
        t("grades.no_exposure"),
    ),
    name="grades_by_dimension",
    where=left,
    on_select="rerun",
    selection_mode="points",
    key=cross_filter.chart_key("gr_split"),
)
left.caption(t("grades.click_to_filter", dimension=t(f"grades.dim_{dimension}").lower()))
code = cross_filter.clicked_code(clicked)
if code is not None:
    # a click on a bar narrows the sidebar's filter (and the URL) to that group
    cross_filter.request(dimension, code)
chart.show(
    grades_charts.score_histogram(
        fetch(grades.score_histogram, filters=filters),
        t("grades.histogram_title"),
        edges,
        t("grades.with_exposure"),
        t("grades.no_exposure"),
    ),
    name="grades_score_histogram",
    where=right,
)

st.subheader(t("grades.migration"))
ends: list[date] = fetch(grades.month_ends, as_of=filters.as_of)["as_of"].to_list()
horizons = [h for h in (1, 3, 12) if len(ends) > h]
left, right = st.columns([2, 3])
with left:
    if horizons:
        horizon = (
            st.segmented_control(
                t("grades.horizon"),
                horizons,
                format_func=lambda n: t("grades.horizon_months", n=n),
                default=horizons[0],
                key="gr_horizon",
            )
            or horizons[0]
        )
        start, end = ends[horizon], ends[0]
        counts = fetch(grades.migration, from_date=start, to_date=end, filters=dims)
        if counts.is_empty():
            st.info(t("grades.no_migration"))
        else:
            chart.show(
                grades_charts.migration_heatmap(
                    grades.migration_rates(counts),
                    counts,
                    t("grades.migration_title", start=month(start), end=month(end)),
                    t("grades.from_grade"),
                    t("grades.to_grade"),
                ),
                name="grades_migration_heatmap",
            )
with right:
    st.markdown(f"**{t('grades.flow')}**")
    x, y = st.columns(2)
    flow_from = x.selectbox(
        t("grades.flow_from"),
        ends,
        index=min(12, len(ends) - 1),
        format_func=month,
        key="gr_flow_from",
    )
    flow_to = y.selectbox(t("grades.flow_to"), ends, index=0, format_func=month, key="gr_flow_to")
    if flow_from == flow_to:
        st.info(t("grades.flow_same"))
    else:
        start, end = sorted([flow_from, flow_to])
        flows = fetch(grades.migration, from_date=start, to_date=end, filters=dims)
        if flows.is_empty():
            st.info(t("grades.no_migration"))
        else:
            chart.show(
                grades_charts.grade_flow(
                    flows,
                    t("grades.flow_title", start=month(start), end=month(end)),
                    month(start),
                    month(end),
                    {way: t(f"grades.flow_{way}") for way in ("up", "down", "kept")},
                ),
                name="grades_grade_flow",
            )

st.subheader(t("grades.pd_lgd"))
calibration = fetch(grades.calibration, filters=filters)
ranking = calibration["ranking"][0]
if ranking == "ranks":
    st.success(t("grades.ranks_good"))
elif ranking == "does_not_rank":
    st.error(t("grades.ranks_bad"))
else:
    thin = calibration.filter(~pl.col("enough_observations"))["grade"].to_list()
    st.warning(t("grades.ranks_unknown", grades=", ".join(thin)))
el_total = float(calibration["expected_loss"].sum())
el_default = float(calibration["expected_loss_in_default"].sum())
st.caption(
    t(
        "grades.el_in_default",
        amount=money(el_default),
        share=percent(el_default / el_total if el_total else None),
        customers=number(int(calibration["defaulted_customers"].sum())),
    )
)
if filters.narrowed:
    st.caption(t("grades.calibration_note"))
chart.show(
    grades_charts.pd_by_grade(
        calibration,
        t("grades.pd_title"),
        t("grades.observed"),
        t("grades.pd_used"),
        t("grades.pd_counts"),
    ),
    name="grades_pd_by_grade",
)
# Two tables, so each fits a 1440 px screen without scrolling sideways: the PD first, then the
# exposure, LGD and expected loss it feeds; the grade pinned in both.
GRADE_COLUMN = st.column_config.TextColumn(t("grades.col_grade"), width=60, pinned=True)
st.markdown(f"**{t('grades.pd_table')}**")
st.dataframe(
    calibration.select(
        "grade",
        "observations",
        "defaults_12m",
        # a grade without history has no rate: a dash, not an empty number cell
        *(
            pl.col(c)
            # the language read here: Polars may call the function on a thread of its own
            .map_elements(lambda v: percent(v, 2, lang=LANG), return_dtype=pl.String)
            .fill_null(MISSING)
            for c in ("observed_rate", "interval_low", "interval_high")
        ),
        pl.col("prior_pd") * 100,
        pl.col("pd_used") * 100,
        pl.col("source").replace_strict(
            {code: t(f"grades.source_{code}") for code in ("posterior", "prior")}
        ),
    ),
    hide_index=True,
    width="stretch",
    column_config={
        "grade": GRADE_COLUMN,
        "observations": st.column_config.NumberColumn(
            t("grades.col_observations"), format="localized", width=120
        ),
        "defaults_12m": st.column_config.NumberColumn(
            t("grades.col_defaults"), format="localized", width=110
        ),
        "observed_rate": st.column_config.TextColumn(t("grades.col_observed"), width=100),
        "interval_low": st.column_config.TextColumn(t("grades.col_interval_low"), width=85),
        "interval_high": st.column_config.TextColumn(t("grades.col_interval_high"), width=85),
        "prior_pd": st.column_config.NumberColumn(
            t("grades.col_prior"), format=column_percent(2), width=85
        ),
        "pd_used": st.column_config.NumberColumn(
            t("grades.col_pd"), format=column_percent(2), width=85
        ),
        "source": st.column_config.TextColumn(t("grades.col_source"), width=170),
    },
)
st.markdown(f"**{t('grades.loss_table')}**")
st.dataframe(
    calibration.select(
        "grade",
        "customers",
        "defaulted_customers",
        "exposure",
        pl.col("lgd") * 100,
        "expected_loss",
        "expected_loss_in_default",
    ),
    hide_index=True,
    width="stretch",
    column_config={
        "grade": GRADE_COLUMN,
        "customers": st.column_config.NumberColumn(
            t("grades.col_customers"), format="localized", width=100
        ),
        "defaulted_customers": st.column_config.NumberColumn(
            t("grades.col_defaulted"), format="localized", width=100
        ),
        "exposure": st.column_config.NumberColumn(
            t("grades.col_exposure"), format=column_money(), width=140
        ),
        "lgd": st.column_config.NumberColumn(
            t("grades.col_lgd"), format=column_percent(1), width=120
        ),
        "expected_loss": st.column_config.NumberColumn(
            t("grades.col_el"), format=column_money(), width=140
        ),
        "expected_loss_in_default": st.column_config.NumberColumn(
            t("grades.col_el_default"), format=column_money(), width=140
        ),
    },
)
