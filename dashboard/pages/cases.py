"""Case studies: the manufacturer and the lender before and after their credit-policy change.

Each case reads its own warehouse (built on first use); the story, the before/after table and the
charts all come from that warehouse's numbers.
"""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from dashboard.access import fetch
from dashboard.components import case_narrative, cases_charts, chart
from dashboard.components.case_warehouse import case_warehouse
from dashboard.components.formats import month_of
from dashboard.components.kpi import Kpi, kpi_row
from dashboard.components.plain_text import markdown_text
from dashboard.filters import current_filters
from dashboard.i18n import t
from data.cases import CASES, timeline
from queries import cases
from queries import filters as filter_queries

# Cards above the table: the case's headline metrics, after-window average against before.
KPIS = {
    "manufacturer": ("collection_rate", "overdue_90p_share", "dso", "write_offs"),
    "lender": ("overdue_30_share", "overdue_90_share", "default_rate", "high_share"),
}

st.title(t("cases.title"))
st.caption(t("cases.caption"))

if st.query_params.get("case") in CASES and "case" not in st.session_state:
    st.session_state["case"] = st.query_params["case"]
scenario = st.radio(
    t("cases.choose"),
    CASES,
    format_func=lambda s: t(f"cases.case_{s}"),
    horizontal=True,
    key="case",
)
st.query_params["case"] = scenario

db = case_warehouse(scenario)

# A case is read over all its months: the global date is not the case's (nor part of its cache key).
chosen = current_filters().replace(as_of=None)
case, ignored = cases.case_filters(chosen, fetch(filter_queries.dimension_values, db=db))
if ignored:
    # the values come from the URL: shown as text
    values = ", ".join(v for vs in ignored.values() for v in vs)
    st.caption(t("cases.ignored", values=markdown_text(values)))

monthly = cases.monthly(
    fetch(cases.customer_risk, db=db, filters=case),
    fetch(cases.collections, db=db, filters=case),
    fetch(cases.recovery, db=db, filters=case),
    fetch(cases.new_business, db=db, filters=case),
    fetch(cases.allowance, db=db, filters=case),
)
story_line = timeline(scenario)
window = cases.windows(monthly["as_of"].to_list(), story_line.policy_month)
if (
    not window.before
    or not window.after
    or not monthly.filter(monthly["as_of"].is_in(window.after))["exposure"].sum()
):
    st.info(t("cases.empty"))
    st.stop()

metrics = cases.CASE_METRICS[scenario]
table = cases.before_after(monthly, metrics + cases.CONTEXT_METRICS, window)
story = case_narrative.story(
    scenario,
    table,
    cases.window_averages(monthly, metrics, window.earlier),
    window.before,
    window.after,
    story_line.policy_month,
    (story_line.downturn_industry, story_line.downturn_start, story_line.downturn_end),
    tuple(m.key for m in metrics),
)

# The story is built from message templates and numbers only (no user data), so markdown is safe.
with st.container(border=True):
    st.markdown(f"**{t('cases.problem')}** — {story.problem}")
    st.markdown(f"**{t('cases.measures')}** — {story.measures}")
    items = "\n".join(f"- {item}" for item in story.outcome_items)
    st.markdown(f"**{t('cases.outcome')}** — {story.outcome_intro}\n\n{items}")
    st.markdown(f"{story.outcome_summary} {story.context}")

rows = {row["metric"]: row for row in table.iter_rows(named=True)}
units = {m.key: m.unit for m in metrics}
worse = {m.key: m.higher_is_worse for m in metrics}
before_period, after_period = (
    case_narrative.period(window.before),
    case_narrative.period(window.after),
)
kpi_row(
    [
        Kpi(
            t(f"cases.metric_{key}"),
            rows[key]["after"],
            rows[key]["before"],
            lambda v, unit=units[key]: case_narrative.value_text(unit, v),
            higher_is_worse=worse[key],
            delta_fmt=lambda c, unit=units[key]: case_narrative.change_text(unit, c),
            help=t(
                "cases.kpi_help",
                before=case_narrative.value_text(units[key], rows[key]["before"]),
                before_period=before_period,
                after_period=after_period,
            ),
        )
        for key in KPIS[scenario]
    ]
)

st.subheader(t("cases.table_title"))
st.caption(
    t(
        "cases.table_caption",
        before_period=before_period,
        before_months=len(window.before),
        after_period=after_period,
        after_months=len(window.after),
        threshold=f"{cases.RELATIVE_THRESHOLD * 100:.0f}",
        z=f"{cases.Z_CRITICAL:.2f}",
    )
)
st.dataframe(
    cases_charts.display_table(table.filter(table["metric"].is_in(list(units)))),
    hide_index=True,
    width="stretch",
    column_config={
        "metric": t("cases.col_metric"),
        "before": t("cases.col_before"),
        "after": t("cases.col_after"),
        "change": t("cases.col_change"),
        "relative_change": t("cases.col_relative"),
        "test": t("cases.col_test"),
        "verdict": t("cases.col_verdict"),
        "material": t("cases.col_material"),
    },
)
st.caption(t(f"cases.definitions_{scenario}"))

# The verdict is computed from the table's rows and the monthly values (case_narrative decides).
compared = window.before + window.after
jumps = case_narrative.last_month_jumps(
    monthly, [(m.key, m.column, m.unit) for m in metrics], compared
)
verdict = case_narrative.verdict(table, tuple(m.key for m in metrics), jumps)
with st.container(border=True, key="case_verdict"):
    st.markdown(f"**{t('cases.verdict_title')}**")
    st.markdown(f"- {verdict.improved}\n- {verdict.worsened}\n\n{verdict.meaning}")
    if verdict.jumps:
        movers = fetch(
            cases.last_month, db=db, filters=case.replace(as_of=compared[-1]), previous=compared[-2]
        ).row(0, named=True)
        drivers = case_narrative.jump_drivers(movers, monthly, compared[-1], compared)
        items = "\n".join(f"- {jump}" for jump in verdict.jumps)
        st.markdown(f"**{t('cases.jumps_title')}**\n\n{items}\n\n{drivers}")
        st.caption(t("cases.jumps_rule"))

st.subheader(t("cases.charts_title"))
st.caption(t("cases.charts_caption"))
marker = t("cases.policy_marker", month=month_of(story_line.policy_month))
common = {"policy_month": story_line.policy_month, "policy_label": marker, "window": window}
name = {key: t(f"cases.metric_{key}") for key in units}
shown = cases.charted(monthly, window)
if scenario == "manufacturer":
    figures = [
        cases_charts.lines(
            shown,
            {"collection_rate": name["collection_rate"]},
            "share",
            t("cases.chart_collection_rate"),
            **common,
        ),
        cases_charts.stacked(
            shown,
            {c: (name[c], colour) for c, colour in cases_charts.BUCKET_SHARES.items()},
            "share",
            t("cases.chart_buckets"),
            **common,
        ),
        cases_charts.lines(shown, {"dso": name["dso"]}, "days", t("cases.chart_dso"), **common),
        cases_charts.lines(
            shown, {"high_share": name["high_share"]}, "share", t("cases.chart_high"), **common
        ),
        cases_charts.amount_bars(
            shown,
            {
                "write_offs": (t("cases.series_write_offs"), cases_charts.WRITE_OFF_COLOUR),
                "recoveries": (t("cases.series_recoveries"), cases_charts.RECOVERY_COLOUR),
            },
            t("cases.recoveries_title"),
            **common,
        ),
    ]
else:
    figures = [
        cases_charts.lines(
            shown,
            {c: name[c] for c in ("overdue_30_share", "overdue_90_share", "performing_30_share")},
            "share",
            t("cases.chart_overdue"),
            **common,
        ),
        cases_charts.lines(
            shown,
            {"default_rate": name["default_rate"]},
            "share",
            t("cases.chart_default_rate"),
            **common,
        ),
        cases_charts.stacked(
            shown,
            {c: (t(f"cases.band_{c}"), colour) for c, colour in cases_charts.BAND_EXPOSURE.items()},
            "money",
            t("cases.chart_bands"),
            **common,
        ),
        cases_charts.lines(
            shown,
            {"recovery_rate": name["recovery_rate"]},
            "share",
            t("cases.chart_recovery"),
            **common,
        ),
        cases_charts.amount_bars(
            shown,
            {
                "write_offs": (t("cases.series_write_offs"), cases_charts.WRITE_OFF_COLOUR),
                "recoveries": (t("cases.series_recoveries"), cases_charts.RECOVERY_COLOUR),
            },
            t("cases.recoveries_title"),
            **common,
        ),
    ]
figures.append(
    cases_charts.lines(
        shown,
        {"medium_high_share": name["medium_high_share"]},
        "share",
        t("cases.chart_new_business"),
        **common,
    )
)
for start in range(0, len(figures), 2):
    for number, (column, figure) in enumerate(
        zip(st.columns(2), figures[start : start + 2], strict=False), start=start + 1
    ):
        chart.show(figure, name=f"cases_{scenario}_{number}", where=column)

st.divider()
try:
    # Listed by main.py's navigation once the what-if page exists; alone, this page has no link.
    st.page_link(
        "dashboard/pages/whatif.py",
        label=t("cases.whatif_link", case=t(f"cases.case_{scenario}")),
        icon=":material/tune:",
        query_params={**st.query_params.to_dict(), "case": scenario},
    )
except StreamlitPageNotFoundError:
    st.caption(t("cases.whatif_hint"))
