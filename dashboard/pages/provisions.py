"""Provisions: IFRS 9 loss allowance and coverage by stage and aging bucket, the provision matrix
with its forward-looking factors, the movement table, and the largest allowances."""

from __future__ import annotations

from urllib.parse import quote

import polars as pl
import streamlit as st

from dashboard.access import fetch
from dashboard.components import chart, provisions_charts
from dashboard.components.formats import (
    column_money,
    column_percent,
    money,
    money_exact,
    month,
    percent,
    points,
    signed_money,
)
from dashboard.components.kpi import Kpi, kpi_row
from dashboard.components.policy_text import policy_text
from dashboard.filters import current_filters
from dashboard.i18n import language, t, value_label
from data.export import neutralise
from queries import provisions

filters = current_filters()
st.title(t("provisions.title"))
st.caption(t("provisions.caption", as_of=month(filters.as_of)))

by_stage = fetch(provisions.trend, filters=filters)
totals = provisions.totals(by_stage)
if totals.is_empty() or totals["as_of"][-1] != filters.as_of:
    st.info(t("provisions.empty"))
    st.stop()

now = totals.row(-1, named=True)
before = totals.row(-2, named=True) if totals.height > 1 else None
stages_now = by_stage.filter(pl.col("as_of") == filters.as_of)
entries = fetch(provisions.policy)


previous_stages = by_stage.filter(pl.col("as_of") == before["as_of"]) if before else None
kpi_row(
    [
        Kpi(
            t("provisions.allowance"),
            now["allowance"],
            before and before["allowance"],
            money,
            help=t("provisions.allowance_help"),
        ),
        Kpi(
            t("provisions.coverage"),
            now["coverage"],
            before and before["coverage"],
            lambda v: percent(v, 2),
            delta_fmt=points,
            help=t("provisions.coverage_help"),
        ),
        Kpi(
            t("provisions.gross"),
            now["gross_carrying_amount"],
            before and before["gross_carrying_amount"],
            money,
            higher_is_worse=False,
            help=t("provisions.gross_help"),
        ),
        Kpi(
            t("provisions.impaired"),
            provisions.impaired_share(stages_now),
            provisions.impaired_share(previous_stages) if previous_stages is not None else None,
            percent,
            delta_fmt=points,
            help=t("provisions.impaired_help"),
        ),
    ]
)
st.caption(
    t("provisions.discounted", contracts=int(entries["rated_contracts"].max() or 0))
    if provisions.discounting(entries)
    else t("provisions.not_discounted")
)


def bucket_label(dpd_from: int | None, dpd_to: int | None) -> str:
    if dpd_from is None:
        return t("provisions.bucket_current")
    if dpd_to is None:
        return t("provisions.bucket_over", low=dpd_from - 1)
    return t("provisions.bucket_range", low=dpd_from, high=dpd_to)


left, right = st.columns(2)
with left:
    st.subheader(t("provisions.by_stage"))
    ordered = stages_now.sort(
        pl.col("stage").replace_strict({s: i for i, s in enumerate(provisions.STAGES)})
    )
    chart.show(
        provisions_charts.allowance_and_coverage(
            ordered,
            "stage",
            [t(f"provisions.stage_{s}") for s in ordered["stage"]],
            [provisions_charts.STAGE_COLOURS[s] for s in ordered["stage"]],
            t("provisions.by_stage_title"),
            t("provisions.allowance"),
            t("provisions.coverage"),
        ),
        name="provisions_by_stage",
    )

matrix = fetch(provisions.by_bucket, filters=filters)
with right:
    st.subheader(t("provisions.by_bucket"))
    if matrix.is_empty():
        st.info(t("provisions.no_receivables"))
    else:
        buckets = provisions.bucket_totals(matrix)
        colours = ["#1a9850", "#fee08b", "#fc8d59", "#e34a33", "#99000d"]
        chart.show(
            provisions_charts.allowance_and_coverage(
                buckets,
                "bucket",
                [bucket_label(a, b) for a, b in buckets.select("dpd_from", "dpd_to").iter_rows()],
                [colours[min(b, len(colours) - 1)] for b in buckets["bucket"]],
                t("provisions.by_bucket_title"),
                t("provisions.allowance"),
                t("provisions.coverage"),
            ),
            name="provisions_by_bucket",
        )
        change = fetch(provisions.bucket_change, filters=filters).row(0, named=True)
        if change["before_on"] is not None:

            def signed(amount: float) -> str:
                return signed_money(amount)

            st.caption(
                t(
                    "provisions.bucket_change",
                    before=month(change["before_on"]),
                    change=signed(change["allowance_now"] - change["allowance_before"]),
                    balance=signed(change["balance_effect"]),
                    rates=signed(change["rate_effect"]),
                )
            )

chart.show(
    provisions_charts.allowance_trend(
        totals, t("provisions.trend_title"), t("provisions.allowance"), t("provisions.coverage")
    ),
    name="provisions_allowance_trend",
)

if not matrix.is_empty():
    st.subheader(t("provisions.matrix"))
    lookback = entries.filter(pl.col("key") == "lookback_months")["value"]
    st.caption(t("provisions.matrix_caption", months=lookback[0] if lookback.len() else "—"))
    shown = matrix.with_columns(
        segment=pl.Series([value_label("segment", v) for v in matrix["segment"]]),
        bucket=pl.Series(
            [bucket_label(a, b) for a, b in matrix.select("dpd_from", "dpd_to").iter_rows()]
        ),
        historical_loss_rate=pl.col("historical_loss_rate") * 100,
        loss_rate=pl.col("loss_rate") * 100,
    ).select(
        "segment",
        "bucket",
        "balance",
        "historical_loss_rate",
        "forward_looking_factor",
        "loss_rate",
        "allowance",
        "customers",
    )
    st.dataframe(
        neutralise(shown),
        hide_index=True,
        width="stretch",
        column_config={
            "segment": t("provisions.col_segment"),
            "bucket": t("provisions.col_bucket"),
            "balance": st.column_config.NumberColumn(
                t("provisions.col_balance"), format=column_money()
            ),
            "historical_loss_rate": st.column_config.NumberColumn(
                t("provisions.col_historical"), format=column_percent(2)
            ),
            "forward_looking_factor": st.column_config.NumberColumn(
                t("provisions.col_factor"), format="%.2f"
            ),
            "loss_rate": st.column_config.NumberColumn(
                t("provisions.col_loss_rate"), format=column_percent(2)
            ),
            "allowance": st.column_config.NumberColumn(
                t("provisions.col_allowance"), format=column_money()
            ),
            "customers": st.column_config.NumberColumn(t("provisions.col_customers"), format="%d"),
        },
    )
    st.markdown(f"**{t('provisions.forward_looking')}**")
    factors = provisions.forward_looking(entries)
    if factors.is_empty():
        st.caption(t("provisions.forward_looking_none"))
    else:
        st.dataframe(
            neutralise(
                factors.with_columns(
                    industry=pl.Series([value_label("industry", v) for v in factors["industry"]]),
                    reason=pl.Series([policy_text(v) for v in factors["reason"]]),
                )
            ),
            hide_index=True,
            width="stretch",
            column_config={
                "industry": t("provisions.col_industry"),
                "factor": st.column_config.NumberColumn(t("provisions.col_factor"), format="%.2f"),
                "reason": st.column_config.TextColumn(t("provisions.col_reason"), width="large"),
            },
        )
        st.caption(t("provisions.forward_looking_caption"))

st.subheader(t("provisions.movement"))
months = (
    st.segmented_control(
        t("provisions.movement_period"),
        [1, 3, 12],
        default=3,
        format_func=lambda m: t(
            "provisions.movement_one" if m == 1 else "provisions.movement_months",
            months=m,
            as_of=month(filters.as_of),
        ),
        key="provisions_months",
    )
    or 3
)
moves = fetch(provisions.movement, months=months, filters=filters)
if not moves.is_empty():
    table = provisions.movement_table(moves)
    present = [s for s in provisions.STAGES if s in set(moves["stage"])]
    st.caption(
        t(
            "provisions.movement_caption",
            start=month(moves["first_period"].min()),
            end=month(filters.as_of),
        )
    )
    shown = table.with_columns(
        line=pl.col("line").replace_strict(
            {line: t(f"provisions.line_{line}") for line in provisions.MOVEMENT_LINES}
        )
    ).select("line", *present, "total")
    st.dataframe(
        # movements are signed: '-¥5,786,682', the sign before the currency (a column format
        # would write '¥-5,786,682')
        shown.to_pandas().style.format(money_exact, subset=[*present, "total"]),
        hide_index=True,
        width="stretch",
        column_config={
            "line": t("provisions.col_line"),
            # no column format: it would override the styler's texts
            **{s: st.column_config.NumberColumn(t(f"provisions.stage_{s}")) for s in present},
            "total": st.column_config.NumberColumn(t("provisions.col_total")),
        },
    )

st.subheader(t("provisions.largest"))
top = fetch(provisions.largest, limit=20, filters=filters)
if not top.is_empty():
    backstop = entries.filter(pl.col("key") == "stage2.dpd_backstop_days")["value"]
    grades = entries.filter(pl.col("key") == "stage2.downgrade_grades")["value"]

    def reason_text(codes: list[str]) -> str:
        days = backstop[0] if backstop.len() else "—"
        notches = grades[0] if grades.len() else "—"
        return "; ".join(t(f"provisions.reason_{c}", days=days, grades=notches) for c in codes)

    lang = language()
    stage_names = {s: t(f"provisions.stage_{s}") for s in provisions.STAGES}
    st.dataframe(
        neutralise(
            top.with_columns(
                stage=pl.col("stage").replace_strict(stage_names, return_dtype=pl.String),
                reasons=pl.Series([reason_text(r) for r in top["reasons"].to_list()]),
                coverage=pl.col("coverage") * 100,
                link=pl.Series(
                    [
                        f"customer?customer={quote(c, safe='')}&lang={lang}"
                        for c in top["customer_id"]
                    ]
                ),
            ).select(
                "name", "stage", "reasons", "gross_carrying_amount", "allowance", "coverage", "link"
            )
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "name": st.column_config.TextColumn(t("provisions.col_customer"), width="medium"),
            "stage": t("provisions.col_stage"),
            "reasons": st.column_config.TextColumn(t("provisions.col_reasons"), width="medium"),
            "gross_carrying_amount": st.column_config.NumberColumn(
                t("provisions.col_gross"), format=column_money()
            ),
            "allowance": st.column_config.NumberColumn(
                t("provisions.col_allowance"), format=column_money()
            ),
            "coverage": st.column_config.NumberColumn(
                t("provisions.col_coverage"), format=column_percent(1)
            ),
            "link": st.column_config.LinkColumn(
                t("provisions.col_open"), display_text=t("provisions.open_link")
            ),
        },
    )
