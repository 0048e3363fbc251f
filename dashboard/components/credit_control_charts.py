"""Credit-control charts: limits against exposure, utilisation distribution."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.components.chart_style import styled
from dashboard.components.formats import GRADE_COLOURS, d3_money, money_prefix


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
                hovertemplate="%{customdata[0]}<br>"
                + limit_label
                + ": "
                + d3_money("x")
                + "<br>"
                + exposure_label
                + ": "
                + d3_money("y")
                + "<br>%{customdata[1]:.0%}<extra></extra>",
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
    # labels at powers of ten only: the 2/5 minor labels of a log axis clutter a money axis
    figure.update_xaxes(type="log", dtick=1, tickprefix=money_prefix(), title_text=limit_label)
    figure.update_yaxes(type="log", dtick=1, tickprefix=money_prefix(), title_text=exposure_label)
    return styled(figure, title, height=420)


def utilisation_histogram(
    bins: pl.DataFrame, title: str, count_label: str, utilisation_label: str
) -> go.Figure:
    """Customers per 10-point utilisation bin (bars at the bin's centre, 10 wide; the 200 bin holds
    200 % and above), with the 80 % (near limit) and 100 % (limit) lines; bars from 80 % amber,
    from 100 % red."""
    edges = bins["bin"].to_list()
    colours = ["#d73027" if b >= 100 else "#fc8d59" if b >= 80 else "#91cf60" for b in edges]
    ranges = [f"{b}–{b + 10} %" if b < 200 else "≥ 200 %" for b in edges]
    figure = go.Figure(
        go.Bar(
            x=[b + 5 for b in edges],
            y=bins["customers"].to_list(),
            width=[9.5] * len(edges),
            marker_color=colours,
            name=count_label,
            customdata=ranges,
            hovertemplate="%{customdata}: %{y:,}<extra></extra>",
        )
    )
    for level, colour in ((80, "#fc8d59"), (100, "#d73027")):
        figure.add_vline(
            x=level,
            line_color=colour,
            line_dash="dash",
            line_width=1.5,
            annotation_text=f"{level} %",
            annotation_position="top",
        )
    ticks = list(range(0, 201, 20))
    figure.update_xaxes(
        title_text=utilisation_label,
        tickvals=ticks,
        ticktext=[f"{v} %" if v < 200 else "≥ 200 %" for v in ticks],
        range=[0, max([*edges, 110]) + 10],
    )
    figure.update_yaxes(title_text=count_label)
    figure.update_layout(showlegend=False, bargap=0)
    return styled(figure, title, height=420)
