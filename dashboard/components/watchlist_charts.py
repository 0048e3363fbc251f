"""Watchlist charts: members over time and inflow / outflow by trigger."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from dashboard.components.chart_style import TRIGGER_COLOURS, styled
from dashboard.components.formats import ACCENT
from dashboard.components.month_axis import on_month_periods

__all__ = ["TRIGGER_COLOURS", "flows"]
OUTFLOW_OPACITY = 0.55
KEY_COLOUR = "#8a8a8a"  # the neutral swatches of the inflow / outflow legend entries


def flows(
    trend: pl.DataFrame,
    title: str,
    labels: dict[str, str],
    members_label: str,
    inflow_label: str | None = None,
    outflow_label: str | None = None,
) -> go.Figure:
    """Members of the list (line, top) and inflow (up) / outflow (down) by trigger (stacked bars).

    `trend` has as_of, trigger ('any' = the list itself), members, inflow, outflow (customers);
    `labels` maps trigger codes to display names. Outflow is drawn as negative, lighter bars; with
    `inflow_label` and `outflow_label` two neutral legend entries say what solid and light mean."""
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
            hovertemplate="%{x|%b %Y}: %{y:,}<extra>" + members_label + "</extra>",
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
                hovertemplate="%{x|%b %Y}: +%{y:,}<extra>" + labels.get(code, code) + "</extra>",
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
                opacity=OUTFLOW_OPACITY,
                # the sign as everywhere else in the product: '-12', not Plotly's '−12'
                customdata=part["outflow"].to_list(),
                hovertemplate="%{x|%b %Y}: -%{customdata:,}<extra>"
                + labels.get(code, code)
                + "</extra>",
            ),
            row=2,
            col=1,
        )
    if inflow_label and outflow_label and total.height:
        # legend only: a solid and a light neutral swatch, each a zero-height bar at the first
        # month (an empty bar trace would leave the bars of the month axis undrawn)
        for label, opacity in ((inflow_label, 1.0), (outflow_label, OUTFLOW_OPACITY)):
            figure.add_trace(
                go.Bar(
                    x=total["as_of"].head(1).to_list(),
                    y=[0],
                    name=label,
                    marker_color=KEY_COLOUR,
                    opacity=opacity,
                    legendgroup="direction",
                    hoverinfo="skip",
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
