"""Collections charts: receivables by aging bucket over time, ratios over time, roll rates.

Pure builders: a frame from `queries.collections.monthly` in, a Plotly figure out.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.components.chart_style import styled
from dashboard.components.formats import ACCENT, GRADE_COLOURS, d3_money, money_prefix, month_of
from dashboard.components.month_axis import on_month_periods

# Green (current) to dark red (90+), so the eye reads the stack from healthy to bad.
BUCKET_COLOURS = {
    "current": GRADE_COLOURS["A"],
    "1_30": GRADE_COLOURS["C"],
    "31_60": GRADE_COLOURS["D"],
    "61_90": "#e34a33",
    "90p": "#99000d",
}


def bucket_column(bucket: str, counts: bool) -> str:
    """The column of `monthly` holding a bucket's amount (money) or its open instalment count."""
    if counts:
        return f"count_{bucket}"
    return "current_receivables" if bucket == "current" else f"overdue_{bucket}"


def aging(
    monthly: pl.DataFrame, title: str, labels: dict[str, str], counts: bool = False
) -> go.Figure:
    """Receivables per month stacked by aging bucket, current at the bottom (money, or row counts).

    `labels` maps each bucket code of BUCKET_COLOURS to its legend text.
    """
    figure = go.Figure()
    value = "%{y:,.0f}" if counts else d3_money("y")
    for bucket, colour in BUCKET_COLOURS.items():
        figure.add_trace(
            go.Bar(
                x=monthly["as_of"].to_list(),
                y=monthly[bucket_column(bucket, counts)].to_list(),
                name=labels[bucket],
                marker_color=colour,
                hovertemplate="%{x|%b %Y}: " + value + "<extra>" + labels[bucket] + "</extra>",
            )
        )
    figure.update_layout(barmode="stack", legend={"traceorder": "normal"})
    figure.update_yaxes(tickprefix="" if counts else money_prefix())
    return styled(on_month_periods(figure), title, height=380)


def ratio_line(monthly: pl.DataFrame, column: str, title: str, percent: bool = False) -> go.Figure:
    """One ratio per month as a line with markers (shares 0-1 drawn as percentages)."""
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
    return styled(on_month_periods(figure), title, height=260)


def roll_rates(
    monthly: pl.DataFrame,
    title: str,
    labels: dict[str, str],
    months: int = 12,
    bases: dict[str, str] | None = None,
    base_label: str = "",
) -> go.Figure:
    """Heatmap of the last `months` months: transition (rows, current → 1–30 first) × month,
    the share (as %) of a bucket's amount that rolled into a worse bucket by the next month-end.

    `labels` maps each roll-rate column to its row label, in the order the rows are drawn;
    `bases` maps it to the column of the amount (money) it is a share of, shown on hover after
    `base_label`, so that a 100 % of a few yuan reads as what it is.
    """
    recent = monthly.tail(months)
    columns = list(labels)
    z = [[(v * 100 if v is not None else None) for v in recent[c].to_list()] for c in columns]
    hover = "%{y}, %{x}: %{text}"
    custom = None
    if bases:
        custom = [recent[bases[c]].to_list() for c in columns]
        hover += "<br>" + base_label + ": " + d3_money("customdata")
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=[month_of(d) for d in recent["as_of"]],
            y=[labels[c] for c in columns],
            colorscale="Reds",
            zmin=0,
            zmax=100,
            text=[[f"{v:.0f} %" if v is not None else "" for v in row] for row in z],
            texttemplate="%{text}",
            customdata=custom,
            hovertemplate=hover + "<extra></extra>",
            colorbar={"ticksuffix": " %"},
        )
    )
    figure.update_yaxes(autorange="reversed")
    return styled(figure, title, height=300)
