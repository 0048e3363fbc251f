"""Credit control & contracts: limits vs exposure, utilisation, policy controls by band, overdue
reviews, and the contracts to act on (due for review, expiring, in dispute)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard.access import fetch
from dashboard.components import chart, credit_control_charts
from dashboard.components.formats import BAND_COLOURS, column_money, column_percent, month, number
from dashboard.components.kpi import Kpi, kpi_row
from dashboard.components.policy_text import with_policy_labels
from dashboard.filters import available_dates, current_filters
from dashboard.i18n import t
from data.export import neutralise
from queries import credit_control

ROWS = 200  # rows per table; each table says how many match in all
SCATTER_POINTS = 2000  # the largest exposures drawn on the limits chart
MONEY = column_money()

filters = current_filters()
st.title(t("credit.title"))
st.caption(t("credit.caption", as_of=month(filters.as_of)))

bands = fetch(credit_control.bands, filters=filters)
totals = credit_control.totals(bands)
if totals["customers"] == 0:
    st.info(t("credit.empty"))
    st.stop()

earlier = [d for d in available_dates() if d < filters.as_of]
previous = (
    credit_control.totals(fetch(credit_control.bands, filters=filters.replace(as_of=max(earlier))))
    if earlier
    else {}
)
# every contract list and every customer list in one query each
all_contracts = fetch(credit_control.contract_lists, limit=ROWS, filters=filters)
contract_lists = {
    which: all_contracts.filter(pl.col("list") == which).drop("list")
    for which in credit_control.CONTRACT_LISTS
}
all_customers = fetch(
    credit_control.customer_lists, limit=ROWS, all_limit=SCATTER_POINTS, filters=filters
)
customer_lists = {
    which: all_customers.filter(pl.col("list") == which).drop("list")
    for which in credit_control.CUSTOMER_LISTS
}
contract_counts = {w: (f["matching"][0] if f.height else 0) for w, f in contract_lists.items()}

kpi_row(
    [
        Kpi(
            t(f"credit.{key}"),
            totals[key],
            previous.get(key),
            number,
            help=t(f"credit.{key}_help"),
        )
        for key in ("over_limit", "near_limit", "reviews_overdue")
    ]
    + [
        Kpi(t(f"credit.kpi_{w}"), contract_counts[w], None, number, help=t(f"credit.kpi_{w}_help"))
        for w in ("expiring", "dispute")
    ]
)

largest = customer_lists["all"]
left, right = st.columns([3, 2])
with left:
    chart.show(
        credit_control_charts.limits_vs_exposure(
            largest,
            t("credit.scatter_title"),
            t("credit.limit"),
            t("credit.exposure"),
        ),
        name="credit_control_limits_vs_exposure",
    )
    if largest.height < totals["customers"]:
        st.caption(
            t(
                "credit.scatter_sample",
                shown=number(largest.height),
                total=number(totals["customers"]),
            )
        )
with right:
    chart.show(
        credit_control_charts.utilisation_histogram(
            fetch(credit_control.utilisation, filters=filters),
            t("credit.histogram_title"),
            t("credit.customers"),
            t("credit.utilisation"),
        ),
        name="credit_control_utilisation_histogram",
    )

st.subheader(t("credit.controls"))
st.caption(t("credit.controls_caption"))
yes_no = {True: t("credit.yes"), False: t("credit.no")}
band_names = {b: t(f"credit.band_{b}") for b in BAND_COLOURS}
st.dataframe(
    neutralise(
        with_policy_labels(bands).select(
            pl.col("band").replace(band_names),
            "review_months",
            "limit_action",
            pl.col("collateral_required").replace_strict(yes_no, default=None),
            pl.col("prepayment_required").replace_strict(yes_no, default=None),
            "customers",
            "exposure",
            "over_limit",
            "near_limit",
            "reviews_overdue",
        )
    ),
    hide_index=True,
    width="stretch",
    column_config={
        "band": t("credit.col_band"),
        "review_months": st.column_config.NumberColumn(t("credit.col_frequency")),
        "limit_action": t("credit.col_action"),
        "collateral_required": t("credit.col_collateral"),
        "prepayment_required": t("credit.col_prepayment"),
        "customers": st.column_config.NumberColumn(t("credit.customers"), format="localized"),
        "exposure": st.column_config.NumberColumn(t("credit.col_exposure"), format=MONEY),
        "over_limit": st.column_config.NumberColumn(t("credit.over_limit"), format="localized"),
        "near_limit": st.column_config.NumberColumn(t("credit.near_limit"), format="localized"),
        "reviews_overdue": st.column_config.NumberColumn(
            t("credit.reviews_overdue"), format="localized"
        ),
    },
)


def _table(frame: pl.DataFrame, columns: dict, total: int) -> None:
    """A limited table with the count of all matching rows when more match than are shown."""
    if total > frame.height:
        st.caption(t("credit.showing", shown=number(frame.height), total=number(total)))
    st.dataframe(
        neutralise(frame.select(list(columns))),
        hide_index=True,
        width="stretch",
        height=min(36 * (frame.height + 1) + 2, 440),
        column_config=columns,
    )


st.subheader(t("credit.customers_to_act"))
status_names = {s: t(f"credit.status_{s}") for s in ("over", "near", "within")}
customer_columns = {
    "name": st.column_config.TextColumn(t("credit.col_customer"), width="medium"),
    "account": t("credit.col_account"),
    "grade": t("credit.col_grade"),
    "exposure": st.column_config.NumberColumn(t("credit.col_exposure"), format=MONEY),
    "credit_limit": st.column_config.NumberColumn(t("credit.col_limit"), format=MONEY),
    "utilisation": st.column_config.NumberColumn(
        t("credit.col_utilisation"), format=column_percent(0)
    ),
    "limit_status": t("credit.col_limit_status"),
    "limit_action": t("credit.col_action"),
    "collateral_required": t("credit.col_collateral"),
    "prepayment_required": t("credit.col_prepayment"),
    "review_months": st.column_config.NumberColumn(t("credit.col_frequency")),
    "last_review": t("credit.col_last_review"),
    "review_due": t("credit.col_review_due"),
    "owner": t("credit.col_owner"),
}
LIMIT_COLUMNS = ("name", "grade", "exposure", "credit_limit", "utilisation", "limit_status")
CONTROL_COLUMNS = ("limit_action", "collateral_required", "prepayment_required")
customer_shown = {
    "attention": (*LIMIT_COLUMNS, *CONTROL_COLUMNS, "owner"),
    "overdue": ("name", "grade", "exposure", "review_months", "last_review", "review_due", "owner"),
    "all": (*LIMIT_COLUMNS, *CONTROL_COLUMNS, "review_due", "owner"),
}
closed_owing = int(all_customers["closed_owing_customers"][0]) if all_customers.height else 0
if closed_owing:
    # a closed account with money owed is the only case the Account column speaks of
    customer_shown = {w: (c[0], "account", *c[1:]) for w, c in customer_shown.items()}
    st.warning(t("credit.closed_owing_note", count=number(closed_owing)))
customer_lists["all"] = largest.head(ROWS)
customer_counts = {
    "attention": totals["over_limit"] + totals["near_limit"],
    "overdue": totals["reviews_overdue"],
    "all": totals["customers"],
}


def _review_dates(*columns: str) -> list[pl.Expr]:
    # Dates as ISO text so a never-reviewed customer or contract reads "never", not "None".
    never = {"last_review": t("credit.never"), "last_reviewed_on": t("credit.never")}
    return [pl.col(c).dt.to_string("%Y-%m-%d").fill_null(never.get(c, "—")) for c in columns]


tabs = st.tabs(
    [t(f"credit.list_{w}", count=number(customer_counts[w])) for w in credit_control.CUSTOMER_LISTS]
)
for tab, which in zip(tabs, credit_control.CUSTOMER_LISTS, strict=True):
    with tab:
        rows = customer_lists[which]
        if rows.is_empty():
            st.success(t(f"credit.none_{which}"))
            continue
        _table(
            with_policy_labels(rows).with_columns(
                pl.col("utilisation") * 100,
                pl.col("limit_status").replace(status_names),
                pl.when(pl.col("closed_owing"))
                .then(pl.lit(t("credit.closed_owing")))
                .otherwise(pl.lit(""))
                .alias("account"),
                pl.col("collateral_required").replace_strict(yes_no, default=None),
                pl.col("prepayment_required").replace_strict(yes_no, default=None),
                *_review_dates("last_review", "review_due"),
            ),
            {c: customer_columns[c] for c in customer_shown[which]},
            customer_counts[which],
        )

st.subheader(t("credit.contracts"))
st.caption(t("credit.contracts_caption"))
kind_names = {k: t(f"credit.kind_{k}") for k in ("sales", "loan", "lease", "service")}
contract_status = {s: t(f"credit.contract_{s}") for s in ("active", "in_dispute", "under_review")}
date_column = {"format": "YYYY-MM-DD"}
contract_columns = {
    "contract_id": t("credit.col_contract"),
    "name": st.column_config.TextColumn(t("credit.col_customer"), width="medium"),
    "grade": t("credit.col_grade"),
    "kind": t("credit.col_kind"),
    "status": t("credit.col_status"),
    "amount": st.column_config.NumberColumn(t("credit.col_amount"), format=MONEY),
    "start_on": st.column_config.DateColumn(t("credit.col_start"), **date_column),
    "end_on": st.column_config.DateColumn(t("credit.col_end"), **date_column),
    "days_left": st.column_config.NumberColumn(t("credit.col_days_left")),
    "last_reviewed_on": t("credit.col_last_review"),
    "review_due": t("credit.col_review_due"),
    "owner": t("credit.col_owner"),
}
shown = {
    "review": ("last_reviewed_on", "review_due"),
    "expiring": ("end_on", "days_left"),
    "dispute": ("start_on", "end_on", "last_reviewed_on"),
}
tabs = st.tabs(
    [t(f"credit.list_{w}", count=number(contract_counts[w])) for w in credit_control.CONTRACT_LISTS]
)
for tab, which in zip(tabs, credit_control.CONTRACT_LISTS, strict=True):
    with tab:
        rows = contract_lists[which]
        if rows.is_empty():
            st.success(t(f"credit.none_{which}"))
            continue
        columns = (
            "contract_id",
            "name",
            "grade",
            "kind",
            "status",
            "amount",
            *shown[which],
            "owner",
        )
        _table(
            rows.with_columns(
                pl.col("kind").replace(kind_names),
                pl.col("status").replace(contract_status),
                *_review_dates("last_reviewed_on", "review_due"),
            ),
            {c: contract_columns[c] for c in columns},
            contract_counts[which],
        )
