"""Watchlist (analysts): new alerts first, filters, a sortable list, exports, the list's trend."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard.access import fetch
from dashboard.components import watchlist_charts
from dashboard.components.export import to_csv, to_xlsx
from dashboard.components.formats import GRADES, month
from dashboard.components.selection import selected_id
from dashboard.filters import current_filters
from dashboard.i18n import t
from queries import watchlist

filters = current_filters()
params = filters.params()
st.title(t("watchlist.title"))
st.caption(t("watchlist.caption", as_of=month(filters.as_of)))


def trigger_labels(codes: pl.Expr) -> pl.Expr:
    labels = {code: t(f"trigger_short.{code}") for code in watchlist.TRIGGERS}
    return codes.list.eval(pl.element().replace_strict(labels, default=pl.element())).list.join(
        ", "
    )


# --- early-warning alerts of this date first ------------------------------------------------
entrants = fetch(watchlist.new_entrants, **params)
if entrants.is_empty():
    st.success(t("watchlist.alerts_none"))
else:
    with st.expander(
        t("watchlist.alerts", count=entrants.height), expanded=True, icon=":material/notifications:"
    ):
        st.dataframe(
            entrants.head(200).with_columns(
                trigger_labels(pl.col("new_triggers")).alias("new_triggers")
            ),
            hide_index=True,
            width="stretch",
            column_config={
                "customer_id": t("watchlist.col_id"),
                "name": t("watchlist.col_name"),
                "grade": t("watchlist.col_grade"),
                "exposure": st.column_config.NumberColumn(
                    t("watchlist.col_exposure"), format="¥%,.0f"
                ),
                "new_triggers": t("watchlist.new_triggers"),
                "owner": t("watchlist.col_owner"),
            },
        )

# --- page filters -----------------------------------------------------------------------------
with st.container(border=True):
    st.markdown(f"**{t('watchlist.filters')}**")
    a, b, c, d = st.columns([1, 2, 2, 2])
    grades = a.multiselect(t("watchlist.grade"), GRADES, key="wl_grades")
    triggers = b.multiselect(
        t("watchlist.trigger"),
        watchlist.TRIGGERS,
        format_func=lambda c: t(f"trigger_short.{c}"),
        key="wl_triggers",
    )
    owners = c.multiselect(
        t("watchlist.owner"), fetch(watchlist.owners)["owner"].to_list(), key="wl_owners"
    )
    search = d.text_input(t("watchlist.search"), key="wl_search")
    e, f, g = st.columns([2, 2, 3])
    minimum = e.number_input(
        t("watchlist.exposure_min"), min_value=0.0, step=100_000.0, key="wl_min"
    )
    maximum = f.number_input(
        t("watchlist.exposure_max"), min_value=0.0, step=100_000.0, key="wl_max"
    )
    sort = g.radio(
        t("watchlist.sort"),
        watchlist.SORTS,
        format_func=lambda s: t(f"watchlist.sort_{s}"),
        horizontal=True,
        key="wl_sort",
    )

choices = dict(
    grades=tuple(grades),
    triggers=tuple(triggers),
    owners=tuple(owners),
    min_exposure=minimum or None,
    max_exposure=maximum or None,
    search=search,
    sort=sort,
)
shown = fetch(watchlist.members, **params, **choices, limit=500)

if shown.is_empty():
    st.info(t("watchlist.empty"))
else:
    matching = shown["matching"][0]
    st.caption(
        t(
            "watchlist.shown",
            shown=f"{shown.height:,}",
            matching=f"{matching:,}",
            sort=t(f"watchlist.sort_{sort}").lower(),
        )
    )
    table = shown.select(
        "customer_id",
        "name",
        "grade",
        "score",
        "exposure",
        "overdue_amount",
        "max_dpd",
        (pl.col("utilisation") * 100).alias("utilisation"),
        trigger_labels(pl.col("triggers")).alias("triggers"),
        "months_on_list",
        "owner",
    )
    event = st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="wl_table",
        column_config={
            "customer_id": t("watchlist.col_id"),
            "name": t("watchlist.col_name"),
            "grade": t("watchlist.col_grade"),
            "score": st.column_config.NumberColumn(t("watchlist.col_score"), format="%.1f"),
            "exposure": st.column_config.NumberColumn(t("watchlist.col_exposure"), format="¥%,.0f"),
            "overdue_amount": st.column_config.NumberColumn(
                t("watchlist.col_overdue"), format="¥%,.0f"
            ),
            "max_dpd": st.column_config.NumberColumn(t("watchlist.col_dpd"), format="%d"),
            "utilisation": st.column_config.NumberColumn(
                t("watchlist.col_utilisation"), format="%.0f %%"
            ),
            "triggers": t("watchlist.col_triggers"),
            "months_on_list": st.column_config.NumberColumn(t("watchlist.col_months"), format="%d"),
            "owner": t("watchlist.col_owner"),
        },
    )
    chosen = selected_id(event, table)
    if chosen is not None:
        st.switch_page("dashboard/pages/customer.py", query_params={"customer": chosen})

    # Exports hold every matching row, not only the rows shown; they are built only when clicked.
    def export_rows():
        return fetch(watchlist.members, **params, **choices, limit=watchlist.EXPORT_LIMIT).drop(
            "matching"
        )

    x, y, _ = st.columns([1, 1, 3])
    x.download_button(
        t("watchlist.export_csv", count=f"{matching:,}"),
        data=lambda: to_csv(export_rows()),
        file_name=f"watchlist_{filters.as_of}.csv",
        mime="text/csv",
        icon=":material/download:",
    )
    y.download_button(
        t("watchlist.export_xlsx", count=f"{matching:,}"),
        data=lambda: to_xlsx(export_rows(), sheet="watchlist"),
        file_name=f"watchlist_{filters.as_of}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
    )

st.subheader(t("watchlist.trend"))
trend = fetch(watchlist.trend, **params)
if filters.narrowed:
    st.caption(t("watchlist.scope_note"))
st.plotly_chart(
    watchlist_charts.flows(
        trend,
        t("watchlist.trend_title"),
        {code: t(f"trigger_short.{code}") for code in watchlist.TRIGGERS},
        t("watchlist.members"),
    ),
    width="stretch",
)
