"""Collections: receivables, collection rate, DSO and CEI with monthly change, aging, roll rates."""

from __future__ import annotations

import streamlit as st

from dashboard.access import fetch
from dashboard.components import chart, collections_charts
from dashboard.components.formats import money, month, percent, points
from dashboard.components.kpi import Kpi, kpi_row
from dashboard.filters import current_filters
from dashboard.i18n import t
from queries import collections

filters = current_filters()
st.title(t("collections.title"))
st.caption(t("collections.caption", as_of=month(filters.as_of)))

monthly = fetch(collections.monthly, filters=filters)
# The cards describe the chosen month itself: a filter whose receivables ended earlier is empty.
if monthly.is_empty() or monthly["as_of"][-1] != filters.as_of or not monthly["receivables"].sum():
    st.info(t("collections.empty"))
    st.stop()

now = monthly.row(-1, named=True)
before = monthly.row(-2, named=True) if monthly.height > 1 else None


def previous(column: str) -> float | None:
    return before[column] if before else None


def pp(change: float) -> str:
    return points(change)


kpi_row(
    [
        Kpi(t("collections.receivables"), now["receivables"], previous("receivables"), money),
        Kpi(
            t("collections.collection_rate"),
            now["collection_rate"],
            previous("collection_rate"),
            percent,
            higher_is_worse=False,
            delta_fmt=pp,
            help=t("collections.collection_rate_help"),
        ),
        Kpi(
            t("collections.overdue_90"),
            now["overdue_90p_share"],
            previous("overdue_90p_share"),
            percent,
            delta_fmt=pp,
            help=t("collections.overdue_90_help"),
        ),
        Kpi(
            t("collections.dso"),
            now["dso"],
            previous("dso"),
            lambda v: "—" if v is None else t("collections.days", value=v),
            delta_fmt=lambda c: t("collections.days_delta", value=c),
            help=t("collections.dso_help"),
        ),
        Kpi(
            t("collections.cei"),
            now["cei"],
            previous("cei"),
            lambda v: "—" if v is None else f"{v:.1f}",
            higher_is_worse=False,
            delta_fmt=lambda c: f"{c:+.1f}",
            help=t("collections.cei_help"),
        ),
    ]
)

st.subheader(t("collections.aging"))
counts = st.toggle(t("collections.show_counts"), key="collections_counts")
labels = {b: t(f"collections.bucket_{b}") for b in collections_charts.BUCKET_COLOURS}
chart.show(
    collections_charts.aging(
        monthly,
        t("collections.aging_counts_title" if counts else "collections.aging_title"),
        labels,
        counts=counts,
    ),
    name="collections_aging",
)

a, b, c = st.columns(3)
chart.show(
    collections_charts.ratio_line(
        monthly, "collection_rate", t("collections.rate_title"), percent=True
    ),
    name="collections_collection_rate",
    where=a,
)
chart.show(
    collections_charts.ratio_line(monthly, "dso", t("collections.dso_title")),
    name="collections_dso",
    where=b,
)
chart.show(
    collections_charts.ratio_line(monthly, "cei", t("collections.cei_title")),
    name="collections_cei",
    where=c,
)

st.subheader(t("collections.rolls"))
st.caption(t("collections.rolls_caption"))
chart.show(
    collections_charts.roll_rates(
        monthly,
        t("collections.rolls_title"),
        {r: t(f"collections.{r}") for r in collections.ROLLS},
        bases=collections.ROLLED_FROM,
        base_label=t("collections.rolls_base"),
    ),
    name="collections_roll_rates",
)
