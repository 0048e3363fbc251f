"""Customer: profile, score explanation, history, contracts, payments, events, watchlist history.

Opened by link (?customer=ID, e.g. from the Watchlist) or by searching.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard.access import fetch
from dashboard.components import customer_charts
from dashboard.components.formats import day, money, month, number, percent
from dashboard.filters import current_filters
from dashboard.i18n import t
from queries import customer

filters = current_filters()
as_of = filters.as_of
st.title(t("customer.title"))

text = st.text_input(t("customer.search"), help=t("customer.search_help"), key="customer_search")
chosen = st.query_params.get("customer")
if text.strip():
    found = fetch(customer.search, text=text, as_of=as_of)
    if found.is_empty():
        st.warning(t("customer.none_found", text=text))
    else:
        labels = {
            r["customer_id"]: f"{r['name']} · {r['customer_id']} · {money(r['exposure'])}"
            for r in found.iter_rows(named=True)
        }
        pick = st.selectbox(
            t("customer.pick"), list(labels), format_func=labels.get, key="customer_pick"
        )
        if pick != chosen:
            st.query_params["customer"] = pick
            chosen = pick

if not chosen:
    st.info(t("customer.prompt"))
    st.stop()

profile = fetch(customer.profile, customer_id=chosen, as_of=as_of)
if profile.is_empty():
    st.error(t("customer.unknown", id=chosen))
    st.stop()
p = profile.row(0, named=True)

# Names are user data: shown as plain text, never as HTML or markdown.
st.header(p["name"], anchor=False)
st.text(f"{p['customer_id']} · {p['industry']} · {p['region']}")

with st.container(border=True):
    cols = st.columns(6)
    facts = [
        (t("customer.owner"), p["owner"]),
        (t("customer.status"), p["status"]),
        (t("customer.rating"), p["external_rating"] or t("customer.unrated")),
        (t("customer.revenue"), money(p["annual_revenue"])),
        (t("customer.segment"), p["segment"]),
        (t("customer.onboarded"), day(p["onboarded_on"])),
    ]
    for column, (label, value) in zip(cols, facts, strict=True):
        column.caption(label)
        column.text(value)

if p["exposure"] is None:
    st.info(t("customer.not_yet", as_of=month(as_of)))
    st.stop()

cards = [
    (t("customer.exposure"), money(p["exposure"])),
    (t("customer.overdue"), money(p["overdue_amount"])),
    (t("customer.grade"), f"{p['grade']} · {number(p['score'], 1)}"),
    (t("customer.utilisation"), percent(p["utilisation"], 0)),
    (t("customer.pd"), percent(p["pd"], 2)),
    (t("customer.lgd"), percent(p["lgd"])),
    (t("customer.el"), money(p["expected_loss"])),
    (t("customer.limit"), money(p["credit_limit"])),
]
for row in (cards[:4], cards[4:]):
    for column, (label, value) in zip(st.columns(4), row, strict=True):
        column.metric(label, value, border=True)
if p["defaulted"]:
    st.error(t("customer.defaulted"))
if p["on_watchlist"]:
    st.warning(
        t(
            "customer.on_watchlist",
            triggers=", ".join(t(f"trigger_short.{c}") for c in p["triggers"]),
        )
    )

left, right = st.columns([2, 3])
with left:
    st.subheader(t("customer.explanation"))
    explanation = fetch(customer.explanation, customer_id=chosen, as_of=as_of)
    st.plotly_chart(
        customer_charts.score_waterfall(
            explanation,
            t("customer.explanation_title"),
            {f: t(f"factor.{f}") for f in explanation["factor"]},
            t("customer.total"),
        ),
        width="stretch",
    )
with right:
    st.subheader(t("customer.history"))
    history = fetch(customer.history, customer_id=chosen, as_of=as_of)
    st.plotly_chart(
        customer_charts.risk_history(
            history,
            t("customer.history_title"),
            t("customer.exposure"),
            t("customer.overdue"),
            t("customer.limit"),
        ),
        width="stretch",
    )

st.subheader(t("customer.payments"))
payments = fetch(customer.payments, customer_id=chosen, as_of=as_of)
if payments.is_empty():
    st.info(t("customer.no_payments"))
else:
    st.plotly_chart(
        customer_charts.payments_timeline(
            payments, t("customer.payments_title"), t("customer.days_late")
        ),
        width="stretch",
    )

money_column = {"format": "¥%,.0f"}
st.subheader(t("customer.contracts"))
st.dataframe(
    fetch(customer.contracts, customer_id=chosen, as_of=as_of),
    hide_index=True,
    width="stretch",
    column_config={
        "contract_id": t("customer.col_contract"),
        "kind": t("customer.col_kind"),
        "status": t("customer.col_status"),
        "signed_on": st.column_config.DateColumn(t("customer.col_signed")),
        "start_on": st.column_config.DateColumn(t("customer.col_start")),
        "end_on": st.column_config.DateColumn(t("customer.col_end")),
        "amount": st.column_config.NumberColumn(t("customer.col_amount"), **money_column),
        "collateral_value": st.column_config.NumberColumn(
            t("customer.col_collateral"), **money_column
        ),
        "payment_terms_days": st.column_config.NumberColumn(t("customer.col_terms")),
        "outstanding": st.column_config.NumberColumn(t("customer.col_outstanding"), **money_column),
        "overdue": st.column_config.NumberColumn(t("customer.col_overdue"), **money_column),
        "approved_by": t("customer.col_approved"),
        "last_reviewed_on": st.column_config.DateColumn(t("customer.col_reviewed")),
    },
)

left, right = st.columns(2)
with left:
    st.subheader(t("customer.events"))
    events = fetch(customer.events, customer_id=chosen, as_of=as_of)
    if events.is_empty():
        st.info(t("customer.no_events"))
    else:
        st.dataframe(
            events,
            hide_index=True,
            width="stretch",
            column_config={
                "occurred_on": st.column_config.DateColumn(t("customer.col_date")),
                "category": t("customer.col_category"),
                "kind": t("customer.col_event"),
                "severity": st.column_config.ProgressColumn(
                    t("customer.col_severity"), min_value=0, max_value=5, format="%d"
                ),
                "source": t("customer.col_source"),
                "note": t("customer.col_note"),
            },
        )
with right:
    st.subheader(t("customer.watch_history"))
    spells = fetch(customer.spells, customer_id=chosen, as_of=as_of)
    if spells.is_empty():
        st.info(t("customer.no_spells"))
    else:
        st.dataframe(
            spells.with_columns(
                pl.col("entry_triggers")
                .list.eval(
                    pl.element().replace_strict(
                        {
                            c: t(f"trigger_short.{c}")
                            for c in (
                                "overdue",
                                "downgrade",
                                "limit_breach",
                                "legal",
                                "operational",
                                "rating_downgrade",
                                "concentration",
                            )
                        },
                        default=pl.element(),
                    )
                )
                .list.join(", ")
            ),
            hide_index=True,
            width="stretch",
            column_config={
                "entered_on": st.column_config.DateColumn(t("customer.col_entered")),
                "left_on": st.column_config.DateColumn(t("customer.col_left")),
                "months_on": t("customer.col_months"),
                "entry_triggers": t("customer.col_triggers"),
                "outcome": t("customer.col_outcome"),
            },
        )
