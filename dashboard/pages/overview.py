"""Overview (executives): KPIs with the change since last month, grades, concentration, trends, summary."""

from __future__ import annotations

import streamlit as st

from dashboard import auth
from dashboard.access import fetch
from dashboard.components import chart, cross_filter, portfolio_charts
from dashboard.components.action_row import action_row
from dashboard.components.formats import (
    GRADES,
    column_money,
    column_percent,
    money,
    month,
    number,
    percent,
    points,
)
from dashboard.components.kpi import Kpi, kpi_row
from dashboard.components.provisions_card import allowance_kpi
from dashboard.components.summary import SummaryInputs, summary_text
from dashboard.filters import current_filters
from dashboard.i18n import t
from data.export import neutralise
from queries import portfolio

cross_filter.follow_watchlist_request()  # a grade's bar clicked on the last run
filters = current_filters()
st.title(t("overview.title"))

kpis = fetch(portfolio.kpis, filters=filters)
current = kpis.filter(kpis["period"] == "current").row(0, named=True)
previous_rows = kpis.filter(kpis["period"] == "previous")
previous = previous_rows.row(0, named=True) if previous_rows.height else None
if previous:
    st.caption(
        t("overview.caption", as_of=month(current["as_of"]), previous=month(previous["as_of"]))
    )
else:
    st.caption(t("overview.caption_first", as_of=month(current["as_of"])))

if current["exposure"] <= 0:
    st.info(t("overview.empty"))
    st.stop()

# What changed first: on a phone the cards below stack into a long column, and the summary is
# what an executive opens the page for.
drivers = fetch(portfolio.el_drivers, filters=filters)
triggers = fetch(portfolio.new_triggers, filters=filters)
with st.container(border=True):
    st.markdown(f"**{t('overview.summary')}**")
    st.text(
        summary_text(
            SummaryInputs(
                exposure=current["exposure"],
                previous_exposure=previous and previous["exposure"],
                expected_loss=current["expected_loss"],
                previous_expected_loss=previous and previous["expected_loss"],
                drivers=tuple(drivers.select("name", "change", "share_of_change").rows()),
                new_on_watchlist=current["new_on_watchlist"],
                top_trigger=triggers.select("trigger", "customers").row(0)
                if triggers.height
                else None,
                watchlist=current["watchlist"],
            )
        )
    )


def ratio(row: dict | None, numerator: str, denominator: str = "exposure") -> float | None:
    if row is None or not row[denominator]:
        return None
    return row[numerator] / row[denominator]


def ratio_of(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def pp(change: float) -> str:
    # Changes of shares are shown in percentage points.
    return points(change)


rates = fetch(portfolio.collection_rate, filters=filters)
rate_now = rates["collection_rate"][0] if rates.height else None
rate_before = rates["collection_rate"][1] if rates.height > 1 else None
# 90+ as on Collections: receivables more than 90 days past due, as a share of receivables
late_now = rates["overdue_90p_share"][0] if rates.height else None
late_before = rates["overdue_90p_share"][1] if rates.height > 1 else None

kpi_row(
    [
        Kpi(
            t("overview.exposure"),
            current["exposure"],
            previous and previous["exposure"],
            money,
            help=t("overview.exposure_help"),
        ),
        Kpi(
            t("overview.el"),
            current["expected_loss"],
            previous and previous["expected_loss"],
            money,
            help=t("overview.el_help"),
        ),
        Kpi(
            t("overview.el_rate"),
            ratio(current, "expected_loss"),
            ratio(previous, "expected_loss"),
            lambda v: percent(v, 2),
            delta_fmt=pp,
            help=t("overview.el_rate_help"),
        ),
        Kpi(
            t("overview.high_band"),
            ratio(current, "high_band_exposure"),
            ratio(previous, "high_band_exposure"),
            percent,
            delta_fmt=pp,
            help=t("overview.high_band_help"),
        ),
    ]
)
st.caption(
    t(
        "overview.el_in_default",
        amount=money(current["expected_loss_in_default"]),
        share=percent(ratio_of(current["expected_loss_in_default"], current["expected_loss"])),
        customers=number(current["defaulted_customers"]),
        cures=number(current["cures"]),
        written_off=money(current["written_off"]),
        recovered=money(current["recovered"]),
    )
)
kpi_row(
    [
        Kpi(
            t("overview.watchlist"),
            current["watchlist"],
            previous and previous["watchlist"],
            number,
            delta_fmt=lambda c: f"{c:+,.0f}",
            help=t("overview.watchlist_help", new=current["new_on_watchlist"]),
        ),
        Kpi(
            t("overview.new_alerts"),
            current["new_on_watchlist"],
            previous and previous["new_on_watchlist"],
            number,
            delta_fmt=lambda c: f"{c:+,.0f}",
            help=t("overview.new_alerts_help"),
        ),
        Kpi(
            t("overview.overdue_90"),
            late_now,
            late_before,
            percent,
            delta_fmt=pp,
            help=t("overview.overdue_90_help"),
        ),
        Kpi(
            t("overview.collection_rate"),
            rate_now,
            rate_before,
            percent,
            higher_is_worse=False,
            delta_fmt=pp,
            help=t("overview.collection_rate_help"),
        ),
        allowance_kpi(filters),
    ]
)

# what is being done about it: reviews, decisions, promises (counts; links to the Work page)
action_row(filters)

left, right = st.columns([3, 2])
with left:
    grades = fetch(portfolio.grades, filters=filters)
    # a click on a grade's bar opens the Watchlist at that grade, for those who may open it
    clickable = auth.allowed(auth.current_user(), "watchlist")
    clicked = chart.show(
        portfolio_charts.grade_distribution(
            grades,
            t("overview.grades_title"),
            t("overview.grade_customers"),
            t("overview.grade_exposure"),
            t("overview.grade_no_exposure"),
        ),
        name="overview_grades",
        key=cross_filter.chart_key("ov_grades"),
        **({"on_select": "rerun", "selection_mode": "points"} if clickable else {}),
    )
    grade = cross_filter.clicked_x(clicked, GRADES) if clickable else None
    if grade is not None:
        cross_filter.open_watchlist(grade)
    if clickable:
        st.caption(t("overview.grades_click"))
    with_exposure = int(grades["customers"].sum())
    without = int(grades["customers_no_exposure"].sum())
    st.caption(
        t(
            "overview.grades_note",
            total=number(with_exposure + without),
            with_exposure=number(with_exposure),
            without=number(without),
        )
    )
with right:
    st.markdown(f"**{t('overview.concentration')}**")
    concentration = fetch(portfolio.concentration, filters=filters).row(0, named=True)
    a, b = st.columns(2)
    a.metric(t("overview.top10"), percent(concentration["top10_share"]), border=True)
    b.metric(
        t("overview.hhi"),
        number(concentration["hhi"]),
        border=True,
        help=t("overview.hhi_help", effective=number(concentration["effective_names"], 1)),
    )
    st.markdown(f"**{t('overview.largest')}**")
    largest = fetch(portfolio.largest, limit=5, filters=filters)
    st.dataframe(
        neutralise(
            largest.select("name", "grade", "exposure", (largest["share"] * 100).alias("share"))
        ),
        hide_index=True,
        width="stretch",
        column_config={
            # widths that fit the narrow column at 1440 px, the name pinned
            "name": st.column_config.TextColumn(t("overview.col_customer"), width=150, pinned=True),
            "grade": st.column_config.TextColumn(t("overview.col_grade"), width=50),
            "exposure": st.column_config.NumberColumn(
                t("overview.col_exposure"), format=column_money(), width=100
            ),
            "share": st.column_config.NumberColumn(
                t("overview.col_share"), format=column_percent(1), width=60
            ),
        },
    )

st.subheader(t("overview.trend_title"))
trend = fetch(portfolio.trend, filters=filters)
left, right = st.columns([3, 2])
chart.show(
    portfolio_charts.exposure_trend(
        trend, t("overview.trend_exposure"), t("overview.exposure"), t("overview.el")
    ),
    name="overview_exposure_trend",
    where=left,
)
chart.show(
    portfolio_charts.watchlist_trend(trend, t("overview.trend_watchlist"), t("overview.watchlist")),
    name="overview_watchlist_trend",
    where=right,
)
