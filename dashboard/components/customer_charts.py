"""Customer page charts: score waterfall, risk history, payments timeline, limit use."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from dashboard.components.chart_style import styled
from dashboard.components.formats import ACCENT, GRADE_COLOURS, d3_money, money_prefix
from dashboard.components.month_axis import on_month_periods


def score_waterfall(
    explanation: pl.DataFrame, title: str, labels: list[str], total_label: str
) -> go.Figure:
    """Factor contributions (points) stacking up to the score, largest first, then the total;
    `labels` names the rows of `explanation` in order."""
    names = list(labels)
    values = explanation["contribution"].to_list()
    figure = go.Figure(
        go.Waterfall(
            x=[*names, total_label],
            y=[*values, sum(values)],
            measure=["relative"] * len(values) + ["total"],
            text=[f"{v:.1f}" for v in values] + [f"{sum(values):.1f}"],
            textposition="outside",
            connector={"line": {"color": "#bbb"}},
            increasing={"marker": {"color": GRADE_COLOURS["D"]}},
            totals={"marker": {"color": ACCENT}},
        )
    )
    figure.update_yaxes(range=[0, max(100, sum(values) * 1.15)])
    return styled(figure, title, height=330)


def risk_history(
    history: pl.DataFrame, title: str, exposure_label: str, overdue_label: str, limit_label: str
) -> go.Figure:
    """Exposure and overdue (areas) against the credit limit (dashed), grade markers on top."""
    figure = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.2, 0.8], vertical_spacing=0.04
    )
    figure.add_trace(
        go.Scatter(
            x=history["as_of"].to_list(),
            y=[1] * history.height,
            mode="markers+text",
            text=history["grade"].to_list(),
            textposition="middle center",
            marker={"size": 20, "color": [GRADE_COLOURS.get(g, "#999") for g in history["grade"]]},
            showlegend=False,
            hovertemplate="%{x|%b %Y}: %{text}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    figure.add_trace(
        go.Scatter(
            x=history["as_of"].to_list(),
            y=history["exposure"].to_list(),
            name=exposure_label,
            hovertemplate="%{x|%b %Y}: " + d3_money("y") + "<extra>" + exposure_label + "</extra>",
            fill="tozeroy",
            line={"color": ACCENT},
            fillcolor="rgba(31, 78, 121, 0.15)",
        ),
        row=2,
        col=1,
    )
    figure.add_trace(
        go.Scatter(
            x=history["as_of"].to_list(),
            y=history["overdue_amount"].to_list(),
            name=overdue_label,
            hovertemplate="%{x|%b %Y}: " + d3_money("y") + "<extra>" + overdue_label + "</extra>",
            fill="tozeroy",
            line={"color": GRADE_COLOURS["E"]},
            fillcolor="rgba(215, 48, 39, 0.2)",
        ),
        row=2,
        col=1,
    )
    figure.add_trace(
        go.Scatter(
            x=history["as_of"].to_list(),
            y=history["credit_limit"].to_list(),
            name=limit_label,
            hovertemplate="%{x|%b %Y}: " + d3_money("y") + "<extra>" + limit_label + "</extra>",
            line={"color": "#555", "dash": "dash"},
        ),
        row=2,
        col=1,
    )
    figure.update_yaxes(visible=False, row=1, col=1)
    # a money axis: round ticks in the product's format (chart_locale)
    figure.update_yaxes(rangemode="tozero", tickprefix=money_prefix(), row=2, col=1)
    figure = styled(on_month_periods(figure), title, height=420)
    figure.update_layout(legend={"yanchor": "top", "y": -0.1, "xanchor": "left", "x": 0})
    return figure


def payments_timeline(
    payments: pl.DataFrame, title: str, late_label: str, outstanding_label: str
) -> go.Figure:
    """Each instalment at its due date, height = days late (negative = early; null = not yet due,
    drawn at 0), colour by lateness (green on time, yellow 1-30, orange 31-90, red > 90 days), size
    by amount due; rows still outstanding are open markers."""
    days = payments["days_late"].fill_null(0)
    open_rows = payments["outstanding"] > 0
    colours = [
        GRADE_COLOURS["E"]
        if d > 90
        else GRADE_COLOURS["D"]
        if d > 30
        else GRADE_COLOURS["C"]
        if d > 0
        else GRADE_COLOURS["A"]
        for d in days
    ]
    figure = go.Figure(
        go.Scatter(
            x=payments["due_on"].to_list(),
            y=days.to_list(),
            mode="markers",
            marker={
                "color": colours,
                "size": [
                    8 + min(a / max(payments["amount_due"].max() or 1, 1) * 14, 14)
                    for a in payments["amount_due"]
                ],
                "symbol": ["circle-open" if o else "circle" for o in open_rows],
                "line": {"width": 2},
            },
            customdata=payments.select("payment_id", "amount_due", "outstanding").rows(),
            hovertemplate=(
                "%{customdata[0]} · %{x|%Y-%m-%d}<br>"
                + late_label
                + ": %{y}<br>"
                + d3_money("customdata[1]")
                + " ("
                + outstanding_label
                + " "
                + d3_money("customdata[2]")
                + ")<extra></extra>"
            ),
        )
    )
    for level in (30, 90):
        figure.add_hline(y=level, line_dash="dot", line_color="#999")
    figure.update_yaxes(title_text=late_label)
    return styled(figure, title, height=320)
