"""Provisions charts: allowance and coverage by stage or by aging bucket, allowance over time.

Pure builders: frames from `queries.provisions` in, Plotly figures out; every label is passed in.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.components.chart_style import styled
from dashboard.components.formats import ACCENT, GRADE_COLOURS, d3_money, money_prefix, percent
from dashboard.components.month_axis import on_month_periods

# Healthy to impaired: receivables neutral, stage 1 green, stage 2 amber, stage 3 red.
STAGE_COLOURS = {
    "simplified": "#6baed6",
    "stage_1": GRADE_COLOURS["A"],
    "stage_2": GRADE_COLOURS["D"],
    "stage_3": GRADE_COLOURS["E"],
}
COVERAGE_COLOUR = "#252525"


def allowance_and_coverage(
    frame: pl.DataFrame,
    category: str,
    labels: list[str],
    colours: list[str],
    title: str,
    allowance_label: str,
    coverage_label: str,
    amount: str = "allowance",
) -> go.Figure:
    """Bars of the allowance (money, left axis) per row of `frame` (categories in `category`,
    shown as `labels`) with the coverage ratio (share, right axis) as markers."""
    figure = go.Figure()
    figure.add_bar(
        x=labels,
        y=frame[amount].to_list(),
        marker_color=colours,
        name=allowance_label,
        hovertemplate=f"%{{x}}<br>{allowance_label}: {d3_money('y')}<extra></extra>",
    )
    figure.add_scatter(
        x=labels,
        y=frame["coverage"].to_list(),
        mode="markers+text",
        marker={"color": COVERAGE_COLOUR, "size": 10, "symbol": "diamond"},
        text=[None if v is None else percent(v, 1) for v in frame["coverage"].to_list()],
        textposition="top center",
        name=coverage_label,
        yaxis="y2",
        hovertemplate=f"%{{x}}<br>{coverage_label}: %{{y:.1%}}<extra></extra>",
    )
    figure.update_layout(
        yaxis={"tickprefix": money_prefix(), "rangemode": "tozero"},
        yaxis2={
            "overlaying": "y",
            "side": "right",
            "tickformat": ".1%",
            "rangemode": "tozero",
            "showgrid": False,
        },
        bargap=0.35,
    )
    return styled(figure, title)


def allowance_trend(
    totals: pl.DataFrame, title: str, allowance_label: str, coverage_label: str
) -> go.Figure:
    """The allowance (money, bars) and coverage (share, line on the right axis) per grid date."""
    figure = go.Figure()
    figure.add_bar(
        x=totals["as_of"].to_list(),
        y=totals["allowance"].to_list(),
        marker_color=ACCENT,
        name=allowance_label,
        hovertemplate=f"%{{x|%b %Y}}<br>{allowance_label}: {d3_money('y')}<extra></extra>",
    )
    figure.add_scatter(
        x=totals["as_of"].to_list(),
        y=totals["coverage"].to_list(),
        mode="lines+markers",
        line={"color": COVERAGE_COLOUR},
        name=coverage_label,
        yaxis="y2",
        hovertemplate=f"%{{x|%b %Y}}<br>{coverage_label}: %{{y:.2%}}<extra></extra>",
    )
    figure.update_layout(
        yaxis={"tickprefix": money_prefix(), "rangemode": "tozero"},
        yaxis2={
            "overlaying": "y",
            "side": "right",
            "tickformat": ".1%",
            "rangemode": "tozero",
            "showgrid": False,
        },
    )
    return styled(on_month_periods(figure), title)
