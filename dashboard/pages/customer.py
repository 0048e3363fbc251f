"""Customer: profile, score explanation, history, contracts, payments, events, watchlist history.

Opened by link (?customer=ID, e.g. from the Watchlist), by searching, or from the largest exposures.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard.access import fetch
from dashboard.components import chart, customer_charts
from dashboard.components.factor_labels import binned_label, factor_label
from dashboard.components.formats import column_money, day, money, month, number, percent
from dashboard.components.formats import points as share_points
from dashboard.components.kpi import Kpi, kpi_row
from dashboard.components.plain_text import markdown_text, visible
from dashboard.components.selection import selected_id
from dashboard.components.value_text import MISSING, labelled
from dashboard.components.work_history import customer_work
from dashboard.filters import current_filters
from dashboard.i18n import t, value_label
from data.export import neutralise
from queries import customer
from queries.watchlist import TRIGGERS

filters = current_filters()
as_of = filters.as_of
st.title(t("customer.title"))
TRIGGER_NAMES = {code: t(f"customer.trigger_name.{code}") for code in TRIGGERS}
MONEY = {"format": column_money()}


def trigger_text(codes: pl.Expr) -> pl.Expr:
    """A list of trigger codes as one translated text cell."""
    return codes.list.eval(
        pl.element().replace_strict(TRIGGER_NAMES, default=pl.element())
    ).list.join(", ")


def open_customer(customer_id: str) -> None:
    st.query_params["customer"] = customer_id
    st.rerun()


# --- which customer -------------------------------------------------------------------------
text = st.text_input(t("customer.search"), help=t("customer.search_help"), key="customer_search")
chosen = st.query_params.get("customer")
if text.strip():
    found = fetch(customer.search, text=text, as_of=as_of)
    if found.is_empty():
        st.warning(t("customer.none_found", text=markdown_text(text)))
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
    # Somewhere to start: the largest exposures at this date, a click opens one.
    largest = fetch(customer.search, text="", as_of=as_of)
    if not largest.is_empty():
        st.subheader(t("customer.largest"))
        st.caption(t("customer.largest_hint"))
        event = st.dataframe(
            neutralise(labelled(largest, industry="industry", region="region")),
            hide_index=True,
            width="stretch",
            on_select="rerun",
            selection_mode="single-row",
            key="customer_largest",
            column_config={
                "customer_id": t("customer.col_id"),
                "name": t("customer.col_name"),
                "industry": t("customer.industry"),
                "region": t("customer.region"),
                "exposure": st.column_config.NumberColumn(t("customer.exposure"), **MONEY),
            },
        )
        picked = selected_id(event, largest)
        if picked is not None:
            open_customer(picked)
    st.stop()

profile = fetch(customer.profile, customer_id=chosen, as_of=as_of)
if profile.is_empty():
    # The id comes from the URL: echoed as text, so a crafted link cannot put its own message
    # (a link, an image) into the page.
    st.error(t("customer.unknown", id=markdown_text(chosen)))
    st.stop()
p = profile.row(0, named=True)

# --- profile: names are user data, shown as plain text, never as HTML or markdown -------------
st.header(markdown_text(p["name"]), anchor=False)
st.text(
    visible(
        f"{p['customer_id']} · {value_label('industry', p['industry'])}"
        f" · {value_label('region', p['region'])}"
    )
)
with st.container(border=True):
    facts = [
        (t("customer.segment"), value_label("segment", p["segment"])),
        (t("customer.owner"), p["owner"]),
        (t("customer.status"), value_label("customer_status", p["status"])),
        (t("customer.rating"), p["external_rating"] or t("customer.unrated")),
        (t("customer.limit"), money(p["credit_limit"])),
        (t("customer.revenue"), money(p["annual_revenue"])),
        (t("customer.onboarded"), day(p["onboarded_on"])),
    ]
    for column, (label, value) in zip(st.columns(len(facts)), facts, strict=True):
        column.caption(label)
        column.text(visible(value))

if p["closed_owing"]:
    st.warning(
        t(
            "customer.closed_owing",
            owed=money(p["exposure"]),
            overdue=money(p["overdue_amount"]),
            as_of=month(as_of),
        ),
        icon=":material/warning:",
    )
if p["exposure"] is None:
    st.info(t("customer.not_yet", as_of=month(as_of)))
    st.stop()

# --- KPI cards with the change since the previous grid date -----------------------------------
history = fetch(customer.history, customer_id=chosen, as_of=as_of)
before = history.filter(pl.col("as_of") < as_of).tail(1)
prev = before.row(0, named=True) if before.height else {}
st.caption(
    t("customer.kpi_caption", as_of=month(as_of), previous=month(prev["as_of"]))
    if prev
    else t("customer.kpi_caption_first", as_of=month(as_of))
)


# A change that rounds to nothing shows no arrow at all rather than a red "+¥0".
def money_change(change: float) -> str | None:
    return None if abs(change) < 0.5 else ("+" if change > 0 else "-") + money(abs(change))


def points(change: float) -> str | None:
    return None if abs(change) < 0.05 else f"{change:+.1f}"


def pp(change: float) -> str | None:
    return None if abs(change) < 0.0005 else share_points(change)


def days(change: float) -> str | None:
    return None if change == 0 else f"{change:+,.0f}"


kpi_row(
    [
        Kpi(
            t("customer.exposure"),
            p["exposure"],
            prev.get("exposure"),
            money,
            delta_fmt=money_change,
        ),
        Kpi(
            t("customer.overdue"),
            p["overdue_amount"],
            prev.get("overdue_amount"),
            money,
            delta_fmt=money_change,
        ),
        Kpi(
            t("customer.grade"),
            p["score"],
            prev.get("score"),
            lambda v: f"{p['grade']} · {number(v, 1)}",
            delta_fmt=points,
            help=t("customer.grade_help", previous=prev.get("grade") or "—"),
        ),
        Kpi(
            t("customer.utilisation"),
            p["utilisation"],
            prev.get("utilisation"),
            lambda v: percent(v, 0),
            delta_fmt=pp,
        ),
    ]
)
kpi_row(
    [
        Kpi(t("customer.pd"), p["pd"], prev.get("pd"), lambda v: percent(v, 2), delta_fmt=pp),
        Kpi(t("customer.lgd"), p["lgd"], prev.get("lgd"), percent, delta_fmt=pp),
        Kpi(
            t("customer.el"),
            p["expected_loss"],
            prev.get("expected_loss"),
            money,
            delta_fmt=money_change,
        ),
        Kpi(t("customer.max_dpd"), p["max_dpd"], prev.get("max_dpd"), number, delta_fmt=days),
    ]
)
if p["defaulted"]:
    st.error(t("customer.defaulted"))
if p["on_watchlist"]:
    st.warning(
        t(
            "customer.on_watchlist",
            triggers=", ".join(TRIGGER_NAMES.get(c, c) for c in p["triggers"]),
        )
    )

# --- why this score, and how it got here ------------------------------------------------------
left, right = st.columns([2, 3])
with left:
    st.subheader(t("customer.explanation"))
    explanation = fetch(customer.explanation, customer_id=chosen, as_of=as_of)
    if explanation.is_empty():
        st.info(t("customer.no_explanation"))
    else:
        chart.show(
            customer_charts.score_waterfall(
                explanation,
                t("customer.explanation_title"),
                [
                    factor_label(f) if w is not None else binned_label(f, v)
                    for f, v, w in explanation.select("factor", "value", "weight").iter_rows()
                ],
                t("customer.total"),
            ),
            name="customer_score_waterfall",
        )
with right:
    st.subheader(t("customer.history"))
    chart.show(
        customer_charts.risk_history(
            history,
            t("customer.history_title"),
            t("customer.exposure"),
            t("customer.overdue"),
            t("customer.limit"),
        ),
        name="customer_risk_history",
    )

st.subheader(t("customer.payments"))
payments = fetch(customer.payments, customer_id=chosen, as_of=as_of)
if payments.is_empty():
    st.info(t("customer.no_payments"))
else:
    chart.show(
        customer_charts.payments_timeline(
            payments,
            t("customer.payments_title"),
            t("customer.days_late"),
            t("customer.col_outstanding"),
        ),
        name="customer_payments_timeline",
    )

st.subheader(t("customer.contracts"))
contracts = fetch(customer.contracts, customer_id=chosen, as_of=as_of)
if contracts.is_empty():
    st.info(t("customer.no_contracts"))
else:
    st.dataframe(
        neutralise(labelled(contracts, kind="contract_kind", status="contract_status")),
        hide_index=True,
        width="stretch",
        placeholder=MISSING,
        column_config={
            # widths set so no header is cut; the contract pinned while the table scrolls
            "contract_id": st.column_config.TextColumn(
                t("customer.col_contract"), width=110, pinned=True
            ),
            "kind": st.column_config.TextColumn(t("customer.col_kind"), width=90),
            "status": st.column_config.TextColumn(t("customer.col_status"), width=80),
            "signed_on": st.column_config.DateColumn(t("customer.col_signed"), width=95),
            "start_on": st.column_config.DateColumn(t("customer.col_start"), width=95),
            "end_on": st.column_config.DateColumn(t("customer.col_end"), width=95),
            "amount": st.column_config.NumberColumn(t("customer.col_amount"), **MONEY, width=110),
            "collateral_value": st.column_config.NumberColumn(
                t("customer.col_collateral"), **MONEY, width=110
            ),
            "payment_terms_days": st.column_config.NumberColumn(t("customer.col_terms"), width=90),
            "outstanding": st.column_config.NumberColumn(
                t("customer.col_outstanding"), **MONEY, width=110
            ),
            "overdue": st.column_config.NumberColumn(t("customer.col_overdue"), **MONEY, width=100),
            "written_off": st.column_config.NumberColumn(
                t("customer.col_written_off"), **MONEY, width=100
            ),
            "approved_by": st.column_config.TextColumn(t("customer.col_approved"), width=110),
            "last_reviewed_on": st.column_config.DateColumn(t("customer.col_reviewed"), width=105),
        },
    )

st.subheader(t("customer.events"))
events = fetch(customer.events, customer_id=chosen, as_of=as_of)
if events.is_empty():
    st.info(t("customer.no_events"))
else:
    # Notes are free text typed by people: a plain text column, never rendered as markup.
    st.dataframe(
        neutralise(
            labelled(events, category="event_category", kind="event_kind", source="event_source")
        ),
        hide_index=True,
        width="stretch",
        placeholder=MISSING,
        column_config={
            "occurred_on": st.column_config.DateColumn(t("customer.col_date"), width="small"),
            "category": st.column_config.TextColumn(t("customer.col_category"), width="small"),
            "kind": t("customer.col_event"),
            "severity": st.column_config.ProgressColumn(
                t("customer.col_severity"), min_value=0, max_value=5, format="%d", width="small"
            ),
            "source": st.column_config.TextColumn(t("customer.col_source"), width="small"),
            "note": st.column_config.TextColumn(t("customer.col_note"), width="large"),
        },
    )

st.subheader(t("customer.watch_history"))
spells = fetch(customer.spells, customer_id=chosen, as_of=as_of)
if spells.is_empty():
    st.info(t("customer.no_spells"))
else:
    st.dataframe(
        neutralise(
            spells.with_columns(
                trigger_text(pl.col("entry_triggers")).alias("entry_triggers"),
                pl.col("outcome").replace_strict(
                    {o: t(f"customer.outcome.{o}") for o in ("on_list", "cured", "defaulted")},
                    default=pl.col("outcome"),
                ),
            )
        ),
        hide_index=True,
        width="stretch",
        placeholder=MISSING,  # a spell still running has not been left
        column_config={
            "entered_on": st.column_config.DateColumn(t("customer.col_entered")),
            "left_on": st.column_config.DateColumn(t("customer.col_left")),
            "months_on": st.column_config.NumberColumn(t("customer.col_months"), format="%d"),
            "entry_triggers": t("customer.col_triggers"),
            "outcome": t("customer.col_outcome"),
        },
    )

# --- the work done on this customer: reviews, decisions, collections; request a decision ------
customer_work(chosen, p["credit_limit"])
