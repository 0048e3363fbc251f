"""Credit control & contracts: limits vs exposure, utilisation, policy actions, reviews, contracts to act on."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard.access import fetch
from dashboard.components import credit_control_charts
from dashboard.components.formats import month, number
from dashboard.filters import current_filters
from dashboard.i18n import t
from queries import credit_control

filters = current_filters()
params = filters.params()
st.title(t("credit.title"))
st.caption(t("credit.caption", as_of=month(filters.as_of)))

summary = fetch(credit_control.summary, **params).row(0, named=True)
if not summary["customers"]:
    st.info(t("credit.empty"))
    st.stop()

cards = st.columns(5)
cards[0].metric(
    t("credit.over_limit"),
    number(summary["over_limit"]),
    border=True,
    help=t("credit.over_limit_help"),
)
cards[1].metric(
    t("credit.near_limit"),
    number(summary["near_limit"]),
    border=True,
    help=t("credit.near_limit_help"),
)
cards[2].metric(
    t("credit.review_overdue"),
    number(summary["review_overdue"]),
    border=True,
    help=t("credit.review_overdue_help"),
)
cards[3].metric(t("credit.expiring"), number(summary["expiring_90d"]), border=True)
cards[4].metric(t("credit.dispute"), number(summary["in_dispute"]), border=True)

customers = fetch(credit_control.customers, limit=2000, **params)
left, right = st.columns([3, 2])
left.plotly_chart(
    credit_control_charts.limits_vs_exposure(
        customers, t("credit.scatter_title"), t("credit.limit"), t("credit.exposure")
    ),
    width="stretch",
)
right.plotly_chart(
    credit_control_charts.utilisation_histogram(
        fetch(credit_control.utilisation, **params),
        t("credit.histogram_title"),
        t("credit.customers"),
    ),
    width="stretch",
)

st.subheader(t("credit.actions"))
attention = st.toggle(t("credit.only_attention"), value=True, key="cc_attention")
shown = (
    customers.filter((pl.col("utilisation") >= 0.8) | pl.col("review_overdue"))
    if attention
    else customers
)
st.caption(
    t(
        "credit.actions_caption",
        shown=f"{min(shown.height, 500):,}",
        matching=f"{customers['matching'][0]:,}",
    )
)
yes_no = {True: t("credit.yes"), False: t("credit.no")}
st.dataframe(
    shown.head(500).select(
        "name",
        "grade",
        "band",
        "exposure",
        "credit_limit",
        pl.col("utilisation") * 100,
        "limit_action",
        pl.col("collateral_required").replace_strict(yes_no, default=None),
        pl.col("prepayment_required").replace_strict(yes_no, default=None),
        "review_months",
        "last_review",
        "review_due",
        "review_overdue",
        "owner",
    ),
    hide_index=True,
    width="stretch",
    column_config={
        "name": t("credit.col_customer"),
        "grade": t("credit.col_grade"),
        "band": t("credit.col_band"),
        "exposure": st.column_config.NumberColumn(t("credit.col_exposure"), format="¥%,.0f"),
        "credit_limit": st.column_config.NumberColumn(t("credit.col_limit"), format="¥%,.0f"),
        "utilisation": st.column_config.NumberColumn(t("credit.col_utilisation"), format="%.0f %%"),
        "limit_action": t("credit.col_action"),
        "collateral_required": t("credit.col_collateral"),
        "prepayment_required": t("credit.col_prepayment"),
        "review_months": t("credit.col_frequency"),
        "last_review": st.column_config.DateColumn(t("credit.col_last_review")),
        "review_due": st.column_config.DateColumn(t("credit.col_review_due")),
        "review_overdue": st.column_config.CheckboxColumn(t("credit.col_overdue")),
        "owner": t("credit.col_owner"),
    },
)

st.subheader(t("credit.contracts"))
counts = {
    "review": summary["contracts_due_review"],
    "expiring": summary["expiring_90d"],
    "dispute": summary["in_dispute"],
}
for tab, which in zip(
    st.tabs([t(f"credit.list_{w}", count=f"{counts[w]:,}") for w in credit_control.LISTS]),
    credit_control.LISTS,
    strict=True,
):
    with tab:
        rows = fetch(credit_control.contracts, which=which, limit=500, **params)
        if rows.is_empty():
            st.info(t("credit.no_contracts"))
            continue
        st.dataframe(
            rows.select(
                "contract_id",
                "name",
                "grade",
                "kind",
                "status",
                "start_on",
                "end_on",
                "amount",
                "last_reviewed_on",
                "review_due",
                "approved_by",
            ),
            hide_index=True,
            width="stretch",
            column_config={
                "contract_id": t("credit.col_contract"),
                "name": t("credit.col_customer"),
                "grade": t("credit.col_grade"),
                "kind": t("credit.col_kind"),
                "status": t("credit.col_status"),
                "start_on": st.column_config.DateColumn(t("credit.col_start")),
                "end_on": st.column_config.DateColumn(t("credit.col_end")),
                "amount": st.column_config.NumberColumn(t("credit.col_amount"), format="¥%,.0f"),
                "last_reviewed_on": st.column_config.DateColumn(t("credit.col_last_review")),
                "review_due": st.column_config.DateColumn(t("credit.col_review_due")),
                "approved_by": t("credit.col_approved"),
            },
        )
