"""Watchlist (analysts): new alerts first, filters, a sortable list, exports, the list's trend."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import auth
from dashboard.access import fetch
from dashboard.components import chart, watchlist_charts, watchlist_url
from dashboard.components.formats import (
    GRADES,
    column_money,
    column_percent,
    money_prefix,
    month,
    number,
)
from dashboard.components.review_actions import reviews_section
from dashboard.components.selection import selected_id
from dashboard.components.watchlist_export import export_frame
from dashboard.filters import current_filters
from dashboard.i18n import t
from data.export import neutralise, to_csv, to_xlsx
from queries import watchlist

filters = current_filters()
st.title(t("watchlist.title"))
st.caption(t("watchlist.caption", as_of=month(filters.as_of)))


TRIGGER_NAMES = {code: t(f"watchlist.trigger_name.{code}") for code in watchlist.TRIGGERS}


def trigger_labels(codes: pl.Expr) -> pl.Expr:
    """A list of trigger codes as one readable, translated text cell."""
    labels = TRIGGER_NAMES
    return codes.list.eval(pl.element().replace_strict(labels, default=pl.element())).list.join(
        ", "
    )


# --- early-warning alerts of this date first ------------------------------------------------
entrants = fetch(watchlist.new_entrants, filters=filters)
if entrants.is_empty():
    st.success(t("watchlist.alerts_none"))
else:
    with st.expander(
        # collapsed to its count row: the page's filters and list stay above the fold
        t("watchlist.alerts", count=entrants.height),
        expanded=False,
        icon=":material/notifications:",
    ):
        st.dataframe(
            neutralise(
                entrants.head(200).with_columns(
                    trigger_labels(pl.col("new_triggers")).alias("new_triggers")
                )
            ),
            hide_index=True,
            width="stretch",
            column_config={
                "customer_id": st.column_config.TextColumn(
                    t("watchlist.col_id"), width=90, pinned=True
                ),
                "name": st.column_config.TextColumn(
                    t("watchlist.col_name"), width=300, pinned=True
                ),
                "grade": st.column_config.TextColumn(t("watchlist.col_grade"), width=60),
                "exposure": st.column_config.NumberColumn(
                    t("watchlist.col_exposure"), format=column_money(), width=110
                ),
                "new_triggers": st.column_config.TextColumn(t("watchlist.new_triggers"), width=170),
                "owner": st.column_config.TextColumn(t("watchlist.col_owner"), width=120),
            },
        )


# --- page filters -----------------------------------------------------------------------------
def seed_from_url(owners: list[str]) -> None:
    """On the page's first run of a visit, the widgets start from the URL's wl_* parameters."""
    if "wl_sort" in st.session_state:  # the widgets exist already: they, not the URL, lead
        return
    present = {
        name: st.query_params.get_all(name)
        for name in watchlist_url.PARAMETERS.values()
        if name in st.query_params
    }
    st.session_state.update(
        watchlist_url.from_query(present, GRADES, watchlist.TRIGGERS, owners, sorts=watchlist.SORTS)
    )


def write_url() -> None:
    """The widgets' values into the URL (defaults leave no parameter), so the view is a link."""
    wanted = watchlist_url.to_query(st.session_state, default_sort=watchlist.SORTS[0])
    for name in watchlist_url.PARAMETERS.values():
        if name in st.query_params and name not in wanted:
            del st.query_params[name]
    for name, values in wanted.items():
        if st.query_params.get_all(name) != values:
            st.query_params[name] = values


# The page's own filters, the list and its exports rerun on their own when one of these filters
# changes (st.fragment): the alerts and the trend above and below stay as they are.
@st.fragment
def members_section() -> None:
    with st.container(border=True):
        st.markdown(f"**{t('watchlist.filters')}**")
        a, b, c, d = st.columns([2, 3, 3, 3])
        anything = t("watchlist.any")
        owner_names = fetch(watchlist.owners)["owner"].to_list()
        seed_from_url(owner_names)
        grades = a.multiselect(t("watchlist.grade"), GRADES, key="wl_grades", placeholder=anything)
        triggers = b.multiselect(
            t("watchlist.trigger"),
            watchlist.TRIGGERS,
            format_func=TRIGGER_NAMES.get,
            key="wl_triggers",
            placeholder=anything,
        )
        owners = c.multiselect(
            t("watchlist.owner"),
            owner_names,
            key="wl_owners",
            placeholder=anything,
        )
        search = d.text_input(t("watchlist.search"), key="wl_search")
        e, f, g = st.columns([2, 2, 4])
        minimum = e.number_input(
            t("watchlist.exposure_min", currency=money_prefix().strip()),
            min_value=0.0,
            step=100_000.0,
            format="%.0f",
            key="wl_min",
        )
        maximum = f.number_input(
            t("watchlist.exposure_max", currency=money_prefix().strip()),
            min_value=0.0,
            step=100_000.0,
            format="%.0f",
            key="wl_max",
        )
        sort = g.radio(
            t("watchlist.sort"),
            watchlist.SORTS,
            format_func=lambda s: t(f"watchlist.sort_{s}"),
            horizontal=True,
            key="wl_sort",
        )

    write_url()
    choices = dict(
        grades=tuple(grades),
        triggers=tuple(triggers),
        owners=tuple(owners),
        min_exposure=minimum or None,
        max_exposure=maximum or None,
        search=search,
        sort=sort,
    )
    shown = fetch(watchlist.members, filters=filters, **choices, limit=500)

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
        closed = int(shown["closed_owing"].sum())
        if closed:
            st.warning(t("watchlist.closed_owing_note", count=number(closed)))
        table = shown.select(
            "customer_id",
            "name",
            pl.when(pl.col("closed_owing"))
            .then(pl.lit(t("watchlist.closed_owing")))
            .otherwise(pl.lit(""))
            .alias("account"),
            "grade",
            "score",
            "exposure",
            "overdue_amount",
            (pl.col("utilisation") * 100).alias("utilisation"),
            trigger_labels(pl.col("triggers")).alias("triggers"),
            "months_on_list",
            "owner",
        )
        if not closed:
            # the Account column speaks only of closed accounts with money owed
            table = table.drop("account")
        event = st.dataframe(
            neutralise(table),
            hide_index=True,
            width="stretch",
            on_select="rerun",
            selection_mode="single-row",
            key="wl_table",
            # shown with the owner beside the name, so both are in view at 1440 px without
            # scrolling sideways (the frame's own order, which the selection maps to, is kept)
            column_order=list(dict.fromkeys(["customer_id", "name", "owner", *table.columns])),
            column_config={
                "customer_id": st.column_config.TextColumn(
                    t("watchlist.col_id"), width=85, pinned=True
                ),
                # pinned with the id: the name stays in view when the table scrolls sideways
                "name": st.column_config.TextColumn(
                    t("watchlist.col_name"), width=240, pinned=True
                ),
                "account": st.column_config.TextColumn(
                    t("watchlist.col_account"), help=t("watchlist.col_account_help"), width=125
                ),
                "grade": st.column_config.TextColumn(t("watchlist.col_grade"), width=55),
                "score": st.column_config.NumberColumn(
                    t("watchlist.col_score"), format="%.1f", width=55
                ),
                "exposure": st.column_config.NumberColumn(
                    t("watchlist.col_exposure"), format=column_money(), width=105
                ),
                "overdue_amount": st.column_config.NumberColumn(
                    t("watchlist.col_overdue"), format=column_money(), width=100
                ),
                "utilisation": st.column_config.NumberColumn(
                    t("watchlist.col_utilisation"), format=column_percent(0), width=75
                ),
                "triggers": st.column_config.TextColumn(t("watchlist.col_triggers"), width=140),
                "months_on_list": st.column_config.NumberColumn(
                    t("watchlist.col_months"),
                    help=t("watchlist.col_months_help"),
                    format="%d",
                    width=65,
                ),
                "owner": st.column_config.TextColumn(t("watchlist.col_owner"), width=110),
            },
        )
        chosen = selected_id(event, table)
        if chosen is not None:
            # Keep the shared-link parameters (filters, language) and add the customer.
            st.switch_page(
                "dashboard/pages/customer.py",
                query_params={**st.query_params.to_dict(), "customer": chosen},
            )

        # Exports hold every matching row, not only the rows shown; they are built only when clicked.
        def export_rows() -> pl.DataFrame:
            return export_frame(
                fetch(watchlist.members, filters=filters, **choices, limit=watchlist.EXPORT_LIMIT)
            )

        x, y, _ = st.columns([1, 1, 3])
        x.download_button(
            t("watchlist.export_csv", count=f"{matching:,}"),
            data=auth.audited("watchlist", "csv", export_rows, to_csv),
            file_name=f"watchlist_{filters.as_of}.csv",
            mime="text/csv",
            icon=":material/download:",
        )
        y.download_button(
            t("watchlist.export_xlsx", count=f"{matching:,}"),
            data=auth.audited(
                "watchlist", "xlsx", export_rows, lambda rows: to_xlsx(rows, sheet="watchlist")
            ),
            file_name=f"watchlist_{filters.as_of}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            icon=":material/download:",
        )
        st.caption(t("watchlist.export_note"))


members_section()

# --- each alert's review: state, and take / assign / comment / close ------------------------
reviews_section(filters)

st.subheader(t("watchlist.trend"))
trend = fetch(watchlist.trend, filters=filters)
st.caption(t("watchlist.scope_note" if filters.narrowed else "watchlist.portfolio_note"))
chart.show(
    watchlist_charts.flows(
        trend,
        t("watchlist.trend_title"),
        TRIGGER_NAMES,
        t("watchlist.members"),
        t("watchlist.inflow_key"),
        t("watchlist.outflow_key"),
    ),
    name="watchlist_flows",
)
