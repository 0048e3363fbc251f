"""Collections charts: aging over time, ratios over time, roll rates."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.components.chart_style import styled
from dashboard.components.formats import ACCENT, GRADE_COLOURS

BUCKET_COLOURS = {
    "1_30": GRADE_COLOURS["C"],
    "31_60": GRADE_COLOURS["D"],
    "61_90": "#e34a33",
    "90p": "#99000d",
}


def aging(
    monthly: pl.DataFrame, title: str, labels: dict[str, str], counts: bool = False
) -> go.Figure:
    """Overdue by bucket per month, stacked bars (amounts in ¥, or row counts)."""
    figure = go.Figure()
    for bucket, colour in BUCKET_COLOURS.items():
        column = f"{'count' if counts else 'overdue'}_{bucket}"
        figure.add_trace(
            go.Bar(
                x=monthly["as_of"].to_list(),
                y=monthly[column].to_list(),
                name=labels[bucket],
                marker_color=colour,
            )
        )
    figure.update_layout(barmode="stack")
    return styled(figure, title, height=360)


def ratio_line(monthly: pl.DataFrame, column: str, title: str, percent: bool = False) -> go.Figure:
    """One ratio per month as a line with markers (shares shown as percentages)."""
    values = monthly[column] * (100 if percent else 1)
    figure = go.Figure(
        go.Scatter(
            x=monthly["as_of"].to_list(),
            y=values.to_list(),
            mode="lines+markers",
            line={"color": ACCENT, "width": 2},
            hovertemplate="%{x|%b %Y}: %{y:.1f}" + (" %" if percent else "") + "<extra></extra>",
        )
    )
    figure.update_yaxes(rangemode="tozero", ticksuffix=" %" if percent else "")
    return styled(figure, title, height=260)


def roll_rates(
    monthly: pl.DataFrame, title: str, labels: dict[str, str], months: int = 12
) -> go.Figure:
    """Heatmap: transition (row) × month (column), share of a bucket rolling into a worse one."""
    recent = monthly.tail(months)
    columns = list(labels)
    z = [[(v * 100 if v is not None else None) for v in recent[c].to_list()] for c in columns]
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=[d.strftime("%b %Y") for d in recent["as_of"]],
            y=[labels[c] for c in columns],
            colorscale="Reds",
            zmin=0,
            zmax=100,
            text=[[f"{v:.0f} %" if v is not None else "" for v in row] for row in z],
            texttemplate="%{text}",
            colorbar={"ticksuffix": " %"},
        )
    )
    return styled(figure, title, height=300)
