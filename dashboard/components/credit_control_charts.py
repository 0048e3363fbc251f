"""Credit-control charts: limits against exposure, utilisation distribution."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.components.chart_style import styled
from dashboard.components.formats import GRADE_COLOURS


def limits_vs_exposure(
    customers: pl.DataFrame, title: str, limit_label: str, exposure_label: str
) -> go.Figure:
    """Each customer as a point (credit limit, exposure) on log axes, grade coloured, with the
    100 % and 80 % utilisation lines: points above the solid line are over their limit."""
    rows = customers.filter(pl.col("credit_limit") > 0)
    figure = go.Figure()
    for grade, colour in GRADE_COLOURS.items():
        part = rows.filter(pl.col("grade") == grade)
        if part.is_empty():
            continue
        figure.add_trace(
            go.Scattergl(
                x=part["credit_limit"].to_list(),
                y=part["exposure"].to_list(),
                mode="markers",
                name=grade,
                marker={"color": colour, "size": 7, "line": {"width": 0.5, "color": "#555"}},
                customdata=part.select("name", "utilisation").rows(),
                hovertemplate="%{customdata[0]}<br>limit ¥%{x:,.0f}<br>exposure ¥%{y:,.0f}"
                "<br>%{customdata[1]:.0%}<extra></extra>",
            )
        )
    if rows.height:
        low, high = float(rows["credit_limit"].min()), float(rows["credit_limit"].max())
        figure.add_trace(
            go.Scatter(
                x=[low, high],
                y=[low, high],
                mode="lines",
                name="100 %",
                line={"color": "#d73027", "width": 1.5},
            )
        )
        figure.add_trace(
            go.Scatter(
                x=[low, high],
                y=[0.8 * low, 0.8 * high],
                mode="lines",
                name="80 %",
                line={"color": "#fc8d59", "width": 1, "dash": "dash"},
            )
        )
    figure.update_xaxes(type="log", title_text=limit_label)
    figure.update_yaxes(type="log", title_text=exposure_label)
    return styled(figure, title, height=420)


def utilisation_histogram(bins: pl.DataFrame, title: str, label: str) -> go.Figure:
    """Customers per 10-point utilisation bin; bins at or above 80 % amber, above 100 % red."""
    colours = ["#d73027" if b >= 100 else "#fc8d59" if b >= 80 else "#91cf60" for b in bins["bin"]]
    figure = go.Figure(
        go.Bar(
            x=[f"{b}–{b + 10} %" if b < 200 else "200 %+" for b in bins["bin"]],
            y=bins["customers"].to_list(),
            marker_color=colours,
            name=label,
            hovertemplate="%{x}: %{y:,}<extra></extra>",
        )
    )
    return styled(figure, title, height=420)
