"""Watchlist charts: members over time and inflow / outflow by trigger."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from dashboard.components.chart_style import styled
from dashboard.components.formats import ACCENT
from dashboard.components.month_axis import on_month_periods

# One colour per trigger on every chart.
TRIGGER_COLOURS = {
    "overdue": "#d73027",
    "downgrade": "#fc8d59",
    "limit_breach": "#fee08b",
    "legal": "#4575b4",
    "operational": "#91bfdb",
    "rating_downgrade": "#7b3294",
    "concentration": "#1a9850",
}


def flows(trend: pl.DataFrame, title: str, labels: dict[str, str], members_label: str) -> go.Figure:
    """Members of the list (line, top) and inflow (up) / outflow (down) by trigger (stacked bars).

    `trend` has as_of, trigger ('any' = the list itself), members, inflow, outflow (customers);
    `labels` maps trigger codes to display names. Outflow is drawn as negative bars."""
    figure = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.35, 0.65], vertical_spacing=0.06
    )
    total = trend.filter(pl.col("trigger") == "any").sort("as_of")
    figure.add_trace(
        go.Scatter(
            x=total["as_of"].to_list(),
            y=total["members"].to_list(),
            name=members_label,
            line={"color": ACCENT, "width": 2},
            mode="lines+markers",
        ),
        row=1,
        col=1,
    )
    for code, colour in TRIGGER_COLOURS.items():
        part = trend.filter(pl.col("trigger") == code).sort("as_of")
        if part.is_empty():
            continue
        figure.add_trace(
            go.Bar(
                x=part["as_of"].to_list(),
                y=part["inflow"].to_list(),
                name=labels.get(code, code),
                marker_color=colour,
                legendgroup=code,
            ),
            row=2,
            col=1,
        )
        figure.add_trace(
            go.Bar(
                x=part["as_of"].to_list(),
                y=(-part["outflow"]).to_list(),
                name=labels.get(code, code),
                marker_color=colour,
                legendgroup=code,
                showlegend=False,
                opacity=0.55,
            ),
            row=2,
            col=1,
        )
    figure.update_layout(barmode="relative")
    figure.add_hline(y=0, line_width=1, line_color="#888", row=2, col=1)
    figure = styled(on_month_periods(figure), title, height=480)
    # Eight legend entries: below the plot, so they never run into the title.
    figure.update_layout(legend={"yanchor": "top", "y": -0.08, "xanchor": "left", "x": 0})
    return figure
