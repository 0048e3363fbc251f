"""Model validation: the policy in force, the score's back-test (AUC, Gini, KS, ROC), calibration by
grade, score stability (PSI) and the early-warning record."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard.access import fetch
from dashboard.components import challenger_section, chart, model_charts
from dashboard.components.formats import MISSING, money, month, number, percent
from dashboard.components.policy_text import policy_text
from dashboard.filters import current_filters
from dashboard.i18n import t
from queries import model, model_metrics, portfolio

filters = current_filters()
st.title(t("model.title"))  # first: on screen while the figures below are computed
identity = fetch(model.policy_identity).row(0, named=True)
st.caption(
    t(
        "model.caption",
        name=policy_text(identity["name"]),
        version=identity["version"],
        as_of=month(filters.as_of),
    )
)
if filters.narrowed:
    st.caption(t("model.narrowed_note"))

# ---------- the policy in force ----------
st.subheader(t("model.policy"))
factors = fetch(model.policy_factors)
grades = fetch(model.policy_grades)
left, right = st.columns([2, 3])
chart.show(
    model_charts.factor_weights(
        factors,
        t("model.weights_title"),
        {f: t(f"model.factor_{f}") for f in factors["factor"]},
    ),
    name="model_factor_weights",
    where=left,
)
with right:
    st.caption(t("model.grades_caption"))
    st.dataframe(
        pl.DataFrame(
            {
                t("model.col_grade"): grades["grade"],
                t("model.col_range"): [
                    t("model.range", low=number(lo, 0), high=number(hi, 0))
                    if hi is not None
                    else t("model.range_open", low=number(lo, 0))
                    for lo, hi in zip(grades["lower_edge"], grades["upper_edge"], strict=True)
                ],
                t("model.col_band"): [t(f"model.band_{b}") for b in grades["band"]],
                t("model.col_prior"): [percent(p, 2) for p in grades["prior_pd"]],
                t("model.col_pd"): [percent(p, 2) for p in grades["pd_used"]],
                t("model.col_source"): [t(f"model.source_{s}") for s in grades["source"]],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    ranking = grades["ranking"][0]
    if ranking == "ranks":
        st.success(t("model.ranks_good"))
    elif ranking == "does_not_rank":
        st.error(t("model.ranks_bad"))
    else:
        thin = grades.filter(~pl.col("enough_observations"))["grade"].to_list()
        st.warning(t("model.ranks_unknown", grades=", ".join(thin)))
    el_now = fetch(portfolio.kpis, filters=filters).filter(pl.col("period") == "current")
    if el_now.height:
        el = el_now.row(0, named=True)
        st.caption(
            t(
                "model.el_in_default",
                amount=money(el["expected_loss_in_default"]),
                share=percent(
                    el["expected_loss_in_default"] / el["expected_loss"]
                    if el["expected_loss"]
                    else None
                ),
                customers=number(el["defaulted_customers"]),
            )
        )

# ---------- discrimination ----------
st.subheader(t("model.discrimination"))
st.caption(t("model.backtest_caption", as_of=month(filters.as_of)))
backtest = fetch(model.backtest_scores, filters=filters)
counts = model.score_counts(backtest)
summary = model.discrimination(counts)
if not summary.measurable:
    st.info(t("model.no_backtest"))
else:
    cards = st.columns(5)
    cards[0].metric(
        t("model.observations"),
        number(summary.observations),
        help=t("model.observations_help"),
    )
    cards[1].metric(
        t("model.bads"),
        number(summary.bads),
        help=t("model.bads_help", rate=percent(summary.bads / summary.observations, 2)),
    )
    cards[2].metric(t("model.auc"), number(summary.auc, 3), help=t("model.auc_help"))
    cards[3].metric(t("model.gini"), number(summary.gini, 3), help=t("model.gini_help"))
    cards[4].metric(
        t("model.ks"),
        number(summary.ks, 3),
        help=t("model.ks_help", score=number(summary.ks_score, 1)),
    )
    left, right = st.columns(2)
    chart.show(
        model_charts.ks_chart(
            model_metrics.ks_curves(counts),
            model_metrics.ks(counts),
            t("model.ks_title"),
            t("model.ks_bad"),
            t("model.ks_good"),
            t("model.ks_gap"),
            t("model.score_axis"),
        ),
        name="model_ks_chart",
        where=left,
    )
    chart.show(
        model_charts.roc_chart(
            model_metrics.roc_points(counts),
            t("model.roc_title", auc=number(summary.auc, 3)),
            t("model.roc_curve"),
            t("model.roc_random"),
            t("model.roc_fpr"),
            t("model.roc_tpr"),
        ),
        name="model_roc_chart",
        where=right,
    )

# ---------- calibration ----------
st.subheader(t("model.calibration"))
calibration = model.calibration(backtest, grades)
if calibration["observations"].sum() == 0:
    st.info(t("model.no_calibration"))
else:
    st.caption(t("model.calibration_caption"))
    outside = calibration.filter(~pl.col("pd_within_ci"))["grade"].to_list()
    if outside:
        st.warning(t("model.calibration_outside", grades=", ".join(outside)))
    else:
        st.success(t("model.calibration_inside"))
    # Stacked: the table's seven columns need the page's width.
    chart.show(
        model_charts.calibration_chart(
            calibration,
            t("model.calibration_title"),
            t("model.observed"),
            t("model.pd_used"),
            t("model.interval"),
        ),
        name="model_calibration_chart",
    )
    st.dataframe(
        pl.DataFrame(
            {
                t("model.col_grade"): calibration["grade"],
                t("model.col_observations"): [number(n) for n in calibration["observations"]],
                t("model.col_defaults"): [number(n) for n in calibration["defaults"]],
                t("model.col_observed"): [percent(r, 2) for r in calibration["observed_rate"]],
                t("model.col_interval"): [
                    t("model.range", low=percent(lo, 2), high=percent(hi, 2))
                    if lo is not None
                    else MISSING
                    for lo, hi in zip(calibration["ci_low"], calibration["ci_high"], strict=True)
                ],
                t("model.col_pd"): [percent(p, 2) for p in calibration["pd_used"]],
                t("model.col_within"): [
                    MISSING if w is None else t("model.yes") if w else t("model.no")
                    for w in calibration["pd_within_ci"]
                ],
            }
        ),
        hide_index=True,
        width="stretch",
    )

# ---------- stability ----------
st.subheader(t("model.stability"))
months = fetch(model.score_months, filters=filters)
eligible = months.filter(pl.col("customers") >= model.MIN_REFERENCE_CUSTOMERS)["as_of"].to_list()
if not eligible or months.height < 2:
    st.info(t("model.no_psi", n=model.MIN_REFERENCE_CUSTOMERS))
else:
    if st.session_state.get("md_reference") not in eligible:
        st.session_state["md_reference"] = model.default_reference(months)
    left, right = st.columns([1, 3])
    reference = left.selectbox(
        t("model.reference"),
        eligible,
        format_func=month,
        key="md_reference",
        help=t("model.reference_help", n=model.MIN_REFERENCE_CUSTOMERS),
    )
    span = (
        right.segmented_control(
            t("model.psi_span"),
            ("recent", "all"),
            format_func=lambda s: t(f"model.psi_span_{s}", months=model_charts.PSI_WINDOW_MONTHS),
            default="recent",
            key="md_psi_span",
        )
        or "recent"
    )
    bins = fetch(model.psi_bins, reference=reference, filters=filters)
    view = model_charts.psi_view(
        model.stability(bins, reference),
        months=model_charts.PSI_WINDOW_MONTHS if span == "recent" else None,
    )
    # cards, chart and note speak of the same months
    psi = view.shown
    latest = psi.row(-1, named=True)
    highest = psi.sort("psi", descending=True, nulls_last=True).row(0, named=True)
    cards = st.columns(3)
    cards[0].metric(
        t("model.psi_latest", as_of=month(latest["as_of"])),
        number(latest["psi"], 3),
        help=t("model.psi_latest_help"),
    )
    cards[1].metric(
        t("model.psi_max"),
        number(highest["psi"], 3),
        help=t("model.psi_max_help", month=month(highest["as_of"])),
    )
    cards[2].metric(
        t("model.psi_above"),
        number(psi.filter(pl.col("psi") > model_metrics.PSI_ACTION).height),
        help=t("model.psi_above_help"),
    )
    chart.show(
        model_charts.psi_chart(
            view,
            reference,
            t("model.psi_title", reference=month(reference)),
            t("model.psi_label"),
            t("model.psi_watch"),
            t("model.psi_action"),
            t("model.psi_reference"),
        ),
        name="model_psi_chart",
    )
    notes = []
    if view.earlier:
        notes.append(
            t("model.psi_window_note", first=month(psi["as_of"][0]), earlier=number(view.earlier))
        )
    if view.above.height:
        peak = view.above.sort("psi", descending=True).row(0, named=True)
        notes.append(
            t(
                "model.psi_clipped_note",
                count=number(view.above.height),
                top=number(view.top, 2),
                highest=number(peak["psi"], 2),
                month=month(peak["as_of"]),
            )
        )
    if notes:
        st.caption(" ".join(notes))
    st.caption(t("model.psi_caption"))
    with st.expander(t("model.bins_expander")):
        shares = model.bin_shares(bins, reference, latest["as_of"])
        st.dataframe(
            pl.DataFrame(
                {
                    t("model.col_bin"): [number(b + 1) for b in shares["bin"]],
                    t("model.col_score_range"): [
                        t("model.bin_first", high=number(hi, 2))
                        if lo is None
                        else t("model.bin_last", low=number(lo, 2))
                        if hi is None
                        else t("model.bin_middle", low=number(lo, 2), high=number(hi, 2))
                        for lo, hi in zip(shares["lower_edge"], shares["upper_edge"], strict=True)
                    ],
                    t("model.col_reference_share"): [percent(s) for s in shares["reference_share"]],
                    t("model.col_latest_share", as_of=month(latest["as_of"])): [
                        percent(s) for s in shares["latest_share"]
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
        )

# ---------- early-warning record ----------
st.subheader(t("model.early_warning"))
defaults = fetch(model.early_warning, filters=filters)
outcomes = fetch(model.watchlist_outcomes, filters=filters)
record = model_metrics.early_warning_record(defaults, outcomes)
if record.defaults == 0 and record.spells == 0:
    st.info(t("model.no_defaults"))
else:
    st.caption(t("model.ew_caption", as_of=month(filters.as_of)))
    cards = st.columns(5)
    cards[0].metric(
        t("model.hit_rate"),
        percent(record.hit_rate),
        help=t(
            "model.hit_rate_help", flagged=number(record.flagged), defaults=number(record.defaults)
        ),
    )
    for card, key, value in (
        (cards[1], "model.lead_mean", record.mean_lead),
        (cards[2], "model.lead_median", record.median_lead),
    ):
        card.metric(
            t(key),
            t("model.months", value=number(value, 1)) if value is not None else number(None),
            help=t("model.lead_help"),
        )
    cards[3].metric(
        t("model.false_alarms"),
        number(record.false_alarms),
        help=t(
            "model.false_alarms_help",
            false_alarms=number(record.false_alarms),
            spells=number(record.spells),
        ),
    )
    cards[4].metric(
        t("model.false_alarm_share"),
        percent(record.false_alarm_share),
        help=t("model.false_alarm_share_help"),
    )
    leads = model.lead_time_counts(defaults)
    if leads.is_empty():
        st.info(t("model.no_flagged"))
    else:
        chart.show(
            model_charts.lead_time_chart(
                leads, t("model.lead_title"), t("model.lead_axis"), t("model.lead_defaults")
            ),
            name="model_lead_time_chart",
        )

# ---------- champion / challenger ----------
challenger_section.show()
