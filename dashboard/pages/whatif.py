"""What-if policy simulator: change weights, cut-offs, the watchlist threshold and credit actions, and
see the same portfolio re-scored in memory against the policy in force. Nothing is written."""

from __future__ import annotations

import time
from datetime import date

import polars as pl
import streamlit as st

from dashboard import auth
from dashboard.access import fetch, fetch_shared
from dashboard.components import chart, whatif_charts
from dashboard.components.case_warehouse import case_warehouse
from dashboard.components.formats import (
    MISSING,
    column_money,
    column_percent,
    money,
    money_prefix,
    month,
    number,
    percent,
    points,
)
from dashboard.components.kpi import Kpi, kpi_row
from dashboard.components.plain_text import markdown_text
from dashboard.components.policy_text import policy_text
from dashboard.filters import current_filters
from dashboard.i18n import t
from data.cases import CASES
from data.export import neutralise, to_csv
from data.policy import FACTORS, GRADES, Policy, PolicyError
from queries import filters as filter_queries
from queries import whatif, whatif_allowance
from queries.whatif_simulation import Actions, scenario_policy, scenario_toml, simulate

SOURCES = ("main", *CASES)
TABLE_ROWS = 500  # changed customers shown on the page; the download holds all of them

st.title(t("whatif.title"))
st.caption(t("whatif.caption"))

if st.query_params.get("case") in CASES and "wi_source" not in st.session_state:
    st.session_state["wi_source"] = st.query_params["case"]
source = st.radio(
    t("whatif.source"),
    SOURCES,
    format_func=lambda s: t(f"whatif.source_{s}"),
    horizontal=True,
    key="wi_source",
)
if source == "main":
    st.query_params.pop("case", None)
    db = None
else:
    st.query_params["case"] = source
    db = case_warehouse(source)

dates = fetch(filter_queries.as_of_dates, db=db)["as_of"].to_list()
if not dates:
    st.info(t("whatif.empty"))
    st.stop()
filters = current_filters()
# a case has its own months: the sidebar's date applies when the case has it, else its latest
as_of: date = filters.as_of if filters.as_of in dates else dates[0]
entries = fetch(whatif.policy_in_force, db=db)
current = Policy.from_entries(dict(zip(entries["key"], entries["value"], strict=True)))
st.caption(
    t(
        "whatif.against",
        policy=markdown_text(policy_text(current.name)),
        version=markdown_text(current.version),
        as_of=month(as_of),
    )
)

# --- the scenario's inputs: defaults are the policy in force ------------------------------------
prefix = f"wi_{source}_"


def _reset() -> None:
    for key in [k for k in st.session_state if str(k).startswith(prefix)]:
        del st.session_state[key]


with st.form(f"{prefix}form", border=True):
    st.markdown(f"**{t('whatif.weights')}**")
    weight_inputs = {}
    for column, factor in zip(st.columns(len(FACTORS)), FACTORS, strict=True):
        weight_inputs[factor] = column.number_input(
            t(f"whatif.factor_{factor}"),
            min_value=0.0,
            max_value=100.0,
            value=round(current.weights[factor] * 100, 6),
            step=1.0,
            format="%.1f",
            key=f"{prefix}w_{factor}",
            help=t("whatif.weight_help"),
        )
    left, middle, right = st.columns([4, 2, 4])
    with left:
        st.markdown(f"**{t('whatif.cut_offs')}**")
        cut_inputs = {}
        for column, grade in zip(st.columns(4), GRADES[1:], strict=True):
            cut_inputs[grade] = column.number_input(
                t("whatif.cut_off", grade=grade),
                min_value=0.0,
                max_value=100.0,
                value=float(current.grades[grade]),
                step=1.0,
                format="%.1f",
                key=f"{prefix}cut_{grade}",
                help=t("whatif.cut_off_help", grade=grade),
            )
    with middle:
        st.markdown(f"**{t('whatif.watchlist')}**")
        dpd = st.number_input(
            t("whatif.dpd"),
            min_value=0,
            max_value=365,
            value=int(current.watchlist.dpd),
            step=5,
            key=f"{prefix}dpd",
            help=t("whatif.dpd_help"),
        )
    with right:
        st.markdown(f"**{t('whatif.actions')}**")
        a, b = st.columns(2)
        limit_cut = a.slider(
            t("whatif.limit_cut"),
            0,
            100,
            0,
            step=5,
            format="%d %%",
            key=f"{prefix}limit_cut",
            help=t("whatif.limit_cut_help"),
        )
        collateral_above = b.number_input(
            t("whatif.collateral_above", currency=money_prefix().strip()),
            min_value=0.0,
            value=0.0,
            step=1_000_000.0,
            format="%.0f",
            key=f"{prefix}collateral",
            help=t("whatif.collateral_help"),
        )
        stop_new_e = st.checkbox(
            t("whatif.stop_e"), value=False, key=f"{prefix}stop_e", help=t("whatif.stop_e_help")
        )
    run_col, reset_col, _ = st.columns([2, 3, 5])
    run_col.form_submit_button(t("whatif.run"), type="primary", icon=":material/play_arrow:")
    reset_col.form_submit_button(t("whatif.reset"), on_click=_reset, icon=":material/restart_alt:")

# A weight left as shown keeps the policy's exact value, so an untouched form is the current policy.
weights = {
    f: current.weights[f] if abs(v - current.weights[f] * 100) < 1e-9 else v / 100
    for f, v in weight_inputs.items()
}
total = sum(weights.values())
if total <= 0:
    st.error(t("whatif.weights_zero"))
    st.stop()
if abs(total - 1) > 1e-9:
    st.info(t("whatif.normalised", total=percent(total)))
    weights = {f: w / total for f, w in weights.items()}
try:
    scenario = scenario_policy(
        current,
        weights=weights,
        cut_offs=cut_inputs,
        watchlist_dpd=int(dpd),
        name=t("whatif.scenario_name", policy=policy_text(current.name)),
        limit_cut=limit_cut / 100,
    )
except PolicyError as err:
    st.error(t("whatif.invalid", error=markdown_text(err)))
    st.stop()
actions = Actions(
    limit_cut=limit_cut / 100,
    collateral_above=collateral_above if collateral_above > 0 else None,
    stop_new_e=stop_new_e,
)

# --- re-score ------------------------------------------------------------------------------------
history = fetch_shared(whatif.history, db=db)
shown = filters.replace(as_of=as_of)  # the sidebar's filters at the date chosen above
snapshot = fetch(whatif.snapshot, db=db, filters=shown)
past_defaults = fetch(whatif.defaults, db=db, filters=shown)
if snapshot.height == 0:
    st.info(t("whatif.no_customers"))
    st.stop()
started = time.perf_counter()
result = simulate(history, snapshot, past_defaults, scenario, actions, as_of)
elapsed = time.perf_counter() - started
s = result.summary
st.caption(
    t(
        "whatif.timing",
        rows=number(history.height),
        customers=number(s["customers"]),
        ms=number(elapsed * 1000),
    )
)


def against(scenario_value: float | None, current_value: float | None) -> float | None:
    # no delta at all when the scenario leaves a figure as it is: "+0" with an arrow reads as news
    return None if scenario_value == current_value else current_value


el_in_default_text = t(
    "whatif.el_in_default",
    amount=money(s["expected_loss_in_default_new"]),
    share=percent(
        s["expected_loss_in_default_new"] / s["expected_loss_new"]
        if s["expected_loss_new"]
        else None
    ),
    customers=number(s["defaulted_customers"]),
)
kpi_row(
    [
        Kpi(
            t("whatif.kpi_el"),
            s["expected_loss_new"],
            against(s["expected_loss_new"], s["expected_loss"]),
            money,
            help=t("whatif.kpi_el_help"),
        ),
        Kpi(
            t("whatif.kpi_high"),
            s["high_exposure_new"],
            against(s["high_exposure_new"], s["high_exposure"]),
            money,
            help=t("whatif.kpi_high_help"),
        ),
        Kpi(
            t("whatif.kpi_watchlist"),
            s["watchlist_new"],
            against(s["watchlist_new"], s["watchlist"]),
            number,
            help=t("whatif.kpi_watchlist_help"),
        ),
        Kpi(
            t("whatif.kpi_hit_rate"),
            s["hit_rate_new"],
            against(s["hit_rate_new"], s["hit_rate"]),
            percent,
            higher_is_worse=False,
            delta_fmt=points,
            help=t("whatif.kpi_hit_rate_help", defaults=number(s["defaults"])),
        ),
        Kpi(
            t("whatif.kpi_moves"),
            s["upgraded"] + s["downgraded"],
            None,
            number,
            help=t("whatif.kpi_moves_help"),
        ),
    ]
)
st.caption(
    t(
        "whatif.moves",
        upgraded=number(s["upgraded"]),
        downgraded=number(s["downgraded"]),
        hits=number(s["hits_new"]),
        hits_before=number(s["hits"]),
        defaults=number(s["defaults"]),
    )
)
st.caption(el_in_default_text)
# IFRS 9: the loans re-priced and re-staged under the scenario (queries/whatif_allowance.py)
ecl = whatif_allowance.effect(
    fetch(whatif_allowance.units, db=db, filters=shown), result.customers, scenario
)
if ecl["gross_carrying_amount"]:
    st.caption(
        t(
            "provisions.whatif_effect",
            new=money(ecl["allowance_new"]),
            now=money(ecl["allowance"]),
            coverage_new=percent(ecl["coverage_new"], 2),
            coverage=percent(ecl["coverage"], 2),
            impaired_new=money(ecl["impaired_new"]),
            impaired=money(ecl["impaired"]),
        )
    )

band_labels = {band: t(f"whatif.band_{band}") for band in ("Low", "Medium", "High")}
left, right = st.columns([3, 2])
chart.show(
    whatif_charts.bands_figure(
        result.bands,
        t("whatif.bands_title"),
        band_labels,
        series=(t("whatif.current"), t("whatif.scenario")),
        panels=(t("whatif.customers"), t("whatif.exposure")),
    ),
    name="whatif_bands_figure",
    where=left,
)
chart.show(
    whatif_charts.transitions_figure(
        result.transitions,
        t("whatif.transitions_title"),
        from_label=t("whatif.grade_current"),
        to_label=t("whatif.grade_scenario"),
        hover=t("whatif.transition_hover"),
    ),
    name="whatif_transitions_figure",
    where=right,
)

if actions.limit_cut > 0 or actions.collateral_above is not None or actions.stop_new_e:
    st.subheader(t("whatif.actions_title"))
    a, b, c = st.columns(3)
    a.metric(
        t("whatif.limit_reduction"),
        money(s["limit_reduction"]),
        help=t("whatif.limit_reduction_help", customers=number(s["limits_cut"])),
        border=True,
    )
    b.metric(
        t("whatif.collateral_call"),
        money(s["collateral_call"]),
        help=t("whatif.collateral_call_help", customers=number(s["collateral_customers"])),
        border=True,
    )
    c.metric(
        t("whatif.headroom_closed"),
        money(s["headroom_closed"]),
        help=t("whatif.headroom_closed_help", customers=number(s["stopped_customers"])),
        border=True,
    )

st.subheader(t("whatif.changed_title"))
changed = (
    result.customers.filter(pl.col("grade") != pl.col("grade_new"))
    .sort("exposure", "customer_id", descending=[True, False])
    .select(
        "customer_id",
        "name",
        "segment",
        "region",
        "exposure",
        "score",
        "score_new",
        "grade",
        "grade_new",
        "band_new",
        "expected_loss",
        "expected_loss_new",
        "on_watchlist_new",
    )
)
if changed.height == 0:
    st.info(t("whatif.no_changes"))
else:
    st.caption(
        t(
            "whatif.changed_caption",
            shown=number(min(changed.height, TABLE_ROWS)),
            total=number(changed.height),
        )
    )
    st.dataframe(
        neutralise(changed.head(TABLE_ROWS)),
        hide_index=True,
        width="stretch",
        column_config={
            "customer_id": st.column_config.TextColumn(t("whatif.col_id")),
            "name": st.column_config.TextColumn(t("whatif.col_name")),
            "segment": st.column_config.TextColumn(t("whatif.col_segment")),
            "region": st.column_config.TextColumn(t("whatif.col_region")),
            "exposure": st.column_config.NumberColumn(
                t("whatif.col_exposure"), format=column_money()
            ),
            "score": st.column_config.NumberColumn(t("whatif.col_score"), format="%.1f"),
            "score_new": st.column_config.NumberColumn(t("whatif.col_score_new"), format="%.1f"),
            "grade": st.column_config.TextColumn(t("whatif.col_grade")),
            "grade_new": st.column_config.TextColumn(t("whatif.col_grade_new")),
            "band_new": st.column_config.TextColumn(t("whatif.col_band_new")),
            "expected_loss": st.column_config.NumberColumn(
                t("whatif.col_el"), format=column_money()
            ),
            "expected_loss_new": st.column_config.NumberColumn(
                t("whatif.col_el_new"), format=column_money()
            ),
            "on_watchlist_new": st.column_config.CheckboxColumn(t("whatif.col_watchlist_new")),
        },
    )
    st.download_button(
        t("whatif.export_changed", count=number(changed.height)),
        data=auth.audited("what-if grade changes", "csv", lambda: changed, to_csv),
        file_name=f"whatif_grade_changes_{as_of}.csv",
        mime="text/csv",
        icon=":material/download:",
    )

with st.expander(t("whatif.calibration_title")):
    st.caption(t("whatif.calibration_caption"))
    st.dataframe(
        neutralise(
            result.calibration.with_columns(
                pl.col("source").replace_strict(
                    {code: t(f"whatif.pd_source_{code}") for code in ("posterior", "prior")}
                ),
                # PDs as on the Grades page: percentages with two decimals
                *(pl.col(c) * 100 for c in ("observed_rate", "prior_pd", "pd_used")),
            )
        ),
        hide_index=True,
        width="stretch",
        placeholder=MISSING,  # a grade without observations has no observed rate
        column_config={
            "grade": st.column_config.TextColumn(t("whatif.col_grade")),
            "observations": st.column_config.NumberColumn(
                t("whatif.col_observations"), format="%,d"
            ),
            "defaults_12m": st.column_config.NumberColumn(t("whatif.col_defaults"), format="%,d"),
            "observed_rate": st.column_config.NumberColumn(
                t("whatif.col_observed_rate"), format=column_percent(2)
            ),
            "prior_pd": st.column_config.NumberColumn(
                t("whatif.col_prior_pd"), format=column_percent(2)
            ),
            "pd_used": st.column_config.NumberColumn(t("whatif.col_pd"), format=column_percent(2)),
            "source": st.column_config.TextColumn(t("whatif.col_source")),
        },
    )

st.subheader(t("whatif.save_title"))
comments = [
    t("whatif.toml_header", policy=current.name, as_of=as_of.isoformat()),
    t(
        "whatif.toml_actions",
        limit_cut=f"{limit_cut} %",
        collateral=money(actions.collateral_above) if actions.collateral_above else "—",
        stop_e=t("whatif.yes") if stop_new_e else t("whatif.no"),
    ),
    t("whatif.toml_usage"),
]
st.download_button(
    t("whatif.download"),
    data=scenario_toml(scenario, comments),
    file_name="policy_whatif.toml",
    mime="application/toml",
    icon=":material/save:",
    help=t("whatif.download_help"),
)
