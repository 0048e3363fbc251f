"""Overview charts: grade distribution and 24-month trends. Pure: frame in, figure out."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from dashboard.components.chart_style import styled
from dashboard.components.formats import (
    ACCENT,
    GRADE_COLOURS,
    NO_EXPOSURE_COLOUR,
    d3_money,
    money,
    money_prefix,
)
from dashboard.components.month_axis import on_month_periods


def grade_distribution(
    grades: pl.DataFrame,
    title: str,
    customers_label: str,
    exposure_label: str,
    no_exposure_label: str | None = None,
) -> go.Figure:
    """Two bar panels per grade A-E: customers with exposure (left) and exposure (right), in grade
    colours. With `no_exposure_label` and a `customers_no_exposure` column, the customers panel ends
    with one grey bar of that name: the customers without exposure, so the panel counts everyone."""
    figure = make_subplots(
        rows=1, cols=2, subplot_titles=(customers_label, exposure_label), horizontal_spacing=0.12
    )
    colours = [GRADE_COLOURS[g] for g in grades["grade"]]
    groups, counts = grades["grade"].to_list(), grades["customers"].to_list()
    if no_exposure_label is not None and "customers_no_exposure" in grades.columns:
        groups.append(no_exposure_label)
        counts.append(int(grades["customers_no_exposure"].sum()))
        colours = [*colours, NO_EXPOSURE_COLOUR]
    figure.add_trace(
        go.Bar(
            x=groups,
            y=counts,
            marker_color=colours,
            text=counts,
            textposition="outside",
            name=customers_label,
            hovertemplate="%{x}: %{y:,} " + customers_label + "<extra></extra>",
        ),
        row=1,
        col=1,
    )
    figure.add_trace(
        go.Bar(
            x=grades["grade"].to_list(),
            y=grades["exposure"].to_list(),
            marker_color=colours[: grades.height],
            text=[money(v) for v in grades["exposure"]],
            textposition="outside",
            name=exposure_label,
            hovertemplate="%{x}: " + d3_money("y") + "<extra></extra>",
        ),
        row=1,
        col=2,
    )
    figure.update_layout(showlegend=False)
    figure.update_yaxes(showticklabels=False, showgrid=False)
    # the longer "No exposure" label must not tilt the grade letters
    figure.update_xaxes(tickangle=0)
    return styled(figure, title, height=330)


def exposure_trend(
    trend: pl.DataFrame, title: str, exposure_label: str, el_label: str
) -> go.Figure:
    """Exposure (area, left axis) and expected loss (line, right axis) per grid date."""
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    figure.add_trace(
        go.Scatter(
            x=trend["as_of"].to_list(),
            y=trend["exposure"].to_list(),
            name=exposure_label,
            fill="tozeroy",
            line={"color": ACCENT, "width": 2},
            fillcolor="rgba(31, 78, 121, 0.15)",
            hovertemplate="%{x|%b %Y}: " + d3_money("y") + "<extra>" + exposure_label + "</extra>",
        ),
        secondary_y=False,
    )
    figure.add_trace(
        go.Scatter(
            x=trend["as_of"].to_list(),
            y=trend["expected_loss"].to_list(),
            name=el_label,
            line={"color": GRADE_COLOURS["E"], "width": 2},
            hovertemplate="%{x|%b %Y}: " + d3_money("y") + "<extra>" + el_label + "</extra>",
        ),
        secondary_y=True,
    )
    figure.update_yaxes(
        title_text=exposure_label,
        secondary_y=False,
        rangemode="tozero",
        tickprefix=money_prefix(),
    )
    figure.update_yaxes(
        title_text=el_label,
        secondary_y=True,
        rangemode="tozero",
        showgrid=False,
        tickprefix=money_prefix(),
    )
    return styled(on_month_periods(figure), title, height=320)


def watchlist_trend(trend: pl.DataFrame, title: str, label: str) -> go.Figure:
    """Watchlist size per grid date as bars."""
    figure = go.Figure(
        go.Bar(
            x=trend["as_of"].to_list(),
            y=trend["watchlist"].to_list(),
            marker_color=GRADE_COLOURS["D"],
            name=label,
            hovertemplate="%{x|%b %Y}: %{y:,}<extra></extra>",
        )
    )
    figure.update_yaxes(rangemode="tozero")
    return styled(on_month_periods(figure), title, height=320)
