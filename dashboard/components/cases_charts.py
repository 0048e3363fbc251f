"""Case-study charts and the before/after table: time series with the policy month marked.

Pure builders: the monthly case frame (queries.cases.monthly) in, a Plotly figure out. Every time
chart carries the policy month as a vertical line with its annotation, and light shading over the
two windows the before/after table compares.
"""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
import polars as pl

from dashboard.components.case_narrative import change_text, value_text
from dashboard.components.chart_style import styled
from dashboard.components.collections_charts import BUCKET_COLOURS
from dashboard.components.formats import (
    ACCENT,
    BAND_COLOURS,
    GRADE_COLOURS,
    d3_money,
    money_prefix,
)
from dashboard.components.month_axis import on_month_periods
from dashboard.i18n import t
from queries.cases import Windows

POLICY_COLOUR = "#333333"
BEFORE_SHADE = "rgba(120, 120, 120, 0.07)"
AFTER_SHADE = "rgba(31, 78, 121, 0.08)"
# Overdue buckets as shares of receivables, least late first (current is left out: it is the rest).
BUCKET_SHARES = {
    "overdue_1_30_share": BUCKET_COLOURS["1_30"],
    "overdue_31_60_share": BUCKET_COLOURS["31_60"],
    "overdue_61_90_share": BUCKET_COLOURS["61_90"],
    "overdue_90p_share": BUCKET_COLOURS["90p"],
}
BAND_EXPOSURE = {
    "exposure_low": BAND_COLOURS["Low"],
    "exposure_medium": BAND_COLOURS["Medium"],
    "exposure_high": BAND_COLOURS["High"],
}
LINE_COLOURS = (ACCENT, GRADE_COLOURS["E"], GRADE_COLOURS["D"], "#7570b3")


def mark_policy(
    figure: go.Figure, policy_month: date, label: str, window: Windows | None = None
) -> go.Figure:
    """The policy month as a dashed vertical line with `label` on top; with `window`, the before
    and after windows shaded (each month-end stands for its month)."""
    if window is not None:
        for months, colour in ((window.before, BEFORE_SHADE), (window.after, AFTER_SHADE)):
            if months:
                figure.add_shape(
                    type="rect",
                    xref="x",
                    yref="paper",
                    x0=months[0].replace(day=1),
                    x1=months[-1],
                    y0=0,
                    y1=1,
                    fillcolor=colour,
                    line_width=0,
                    layer="below",
                )
    figure.add_shape(
        type="line",
        xref="x",
        yref="paper",
        x0=policy_month,
        x1=policy_month,
        y0=0,
        y1=1,
        line={"color": POLICY_COLOUR, "width": 1.5, "dash": "dash"},
    )
    figure.add_annotation(
        x=policy_month,
        y=1,
        xref="x",
        yref="paper",
        text=label,
        showarrow=False,
        xanchor="left",
        yanchor="top",
        xshift=4,
        font={"size": 11, "color": POLICY_COLOUR},
        bgcolor="rgba(255, 255, 255, 0.8)",
    )
    return figure


def _values(frame: pl.DataFrame, column: str, unit: str) -> list[float | None]:
    # Shares are drawn as percentages so axes and hovers read "12.5 %".
    return (frame[column] * 100).to_list() if unit == "share" else frame[column].to_list()


def _axis(figure: go.Figure, unit: str) -> None:
    if unit == "share":
        figure.update_yaxes(ticksuffix=" %", rangemode="tozero")
    elif unit == "money":
        figure.update_yaxes(tickprefix=money_prefix(), rangemode="tozero")
    else:
        figure.update_yaxes(rangemode="tozero")


def _legend_below(figure: go.Figure) -> go.Figure:
    # Several series: the legend goes under the plot, where it cannot run into the title.
    figure.update_layout(
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "xanchor": "left", "x": 0},
        margin={"b": 40},
    )
    return figure


def _hover(unit: str, name: str) -> str:
    value = {"share": "%{y:.2f} %", "money": d3_money("y"), "days": "%{y:.0f}"}.get(unit, "%{y:,}")
    return "%{x|%b %Y}: " + value + "<extra>" + name + "</extra>"


def lines(
    frame: pl.DataFrame,
    series: dict[str, str],
    unit: str,
    title: str,
    policy_month: date,
    policy_label: str,
    window: Windows | None = None,
) -> go.Figure:
    """One line per column of `series` (column -> legend name) over the month-ends."""
    figure = go.Figure()
    for (column, name), colour in zip(series.items(), LINE_COLOURS, strict=False):
        figure.add_trace(
            go.Scatter(
                x=frame["as_of"].to_list(),
                y=_values(frame, column, unit),
                name=name,
                mode="lines+markers",
                marker={"size": 4},
                line={"color": colour, "width": 2},
                hovertemplate=_hover(unit, name),
            )
        )
    figure.update_layout(showlegend=len(series) > 1)
    _axis(figure, unit)
    figure = on_month_periods(figure)
    figure = styled(mark_policy(figure, policy_month, policy_label, window), title, height=370)
    return _legend_below(figure) if len(series) > 1 else figure


def stacked(
    frame: pl.DataFrame,
    series: dict[str, tuple[str, str]],
    unit: str,
    title: str,
    policy_month: date,
    policy_label: str,
    window: Windows | None = None,
) -> go.Figure:
    """Stacked areas, one per column of `series` (column -> (legend name, colour)), bottom first."""
    figure = go.Figure()
    for column, (name, colour) in series.items():
        figure.add_trace(
            go.Scatter(
                x=frame["as_of"].to_list(),
                y=_values(frame, column, unit),
                name=name,
                mode="lines",
                stackgroup="one",
                line={"color": colour, "width": 0.5},
                fillcolor=colour,
                hovertemplate=_hover(unit, name),
            )
        )
    _axis(figure, unit)
    figure = on_month_periods(figure)
    figure = styled(mark_policy(figure, policy_month, policy_label, window), title, height=370)
    figure.update_layout(legend={"traceorder": "normal"})
    return _legend_below(figure)


def bars(
    frame: pl.DataFrame,
    column: str,
    name: str,
    unit: str,
    title: str,
    policy_month: date,
    policy_label: str,
    window: Windows | None = None,
) -> go.Figure:
    """One bar per month-end (each drawn over its month) for an amount such as write-offs."""
    figure = go.Figure(
        go.Bar(
            x=frame["as_of"].to_list(),
            y=_values(frame, column, unit),
            name=name,
            marker_color=GRADE_COLOURS["E"],
            hovertemplate=_hover(unit, name),
        )
    )
    figure.update_layout(showlegend=False, bargap=0.25)
    _axis(figure, unit)
    figure = on_month_periods(figure)
    return styled(mark_policy(figure, policy_month, policy_label, window), title, height=370)


WRITE_OFF_COLOUR = GRADE_COLOURS["E"]
RECOVERY_COLOUR = GRADE_COLOURS["A"]


def amount_bars(
    frame: pl.DataFrame,
    series: dict[str, tuple[str, str]],
    title: str,
    policy_month: date,
    policy_label: str,
    window: Windows | None = None,
) -> go.Figure:
    """Side-by-side money bars per month-end, one per column of `series` (column -> (legend name,
    colour)), such as the amounts written off and recovered in each month."""
    figure = go.Figure()
    for column, (name, colour) in series.items():
        figure.add_trace(
            go.Bar(
                x=frame["as_of"].to_list(),
                y=_values(frame, column, "money"),
                name=name,
                marker_color=colour,
                hovertemplate=_hover("money", name),
            )
        )
    figure.update_layout(barmode="group", bargap=0.2)
    _axis(figure, "money")
    figure = on_month_periods(figure)
    figure = styled(mark_policy(figure, policy_month, policy_label, window), title, height=370)
    return _legend_below(figure)


def display_table(table: pl.DataFrame) -> pl.DataFrame:
    """The before/after rows as the page shows them: formatted text per unit, in the current
    language (metric, before, after, change, relative change, test, verdict, material)."""
    rows = []
    for row in table.iter_rows(named=True):
        unit = row["unit"]
        relative = row["relative_change"]
        if row["test"] == "z":
            test = "—" if row["statistic"] is None else f"z = {row['statistic']:+.2f}"
        else:
            test = t("cases.test_relative")
        verdict = {True: "cases.better", False: "cases.worse"}.get(row["improved"])
        if verdict is None:
            verdict = "cases.unchanged" if row["change"] == 0 else None
        rows.append(
            {
                "metric": t(f"cases.metric_{row['metric']}"),
                "before": value_text(unit, row["before"]),
                "after": value_text(unit, row["after"]),
                "change": change_text(unit, row["change"]),
                "relative_change": "—" if relative is None else f"{relative * 100:+.1f} %",
                "test": test,
                "verdict": t(verdict) if verdict else "—",
                "material": {True: t("cases.yes"), False: t("cases.no")}.get(row["material"], "—"),
            }
        )
    schema = {
        "metric": pl.String,
        "before": pl.String,
        "after": pl.String,
        "change": pl.String,
        "relative_change": pl.String,
        "test": pl.String,
        "verdict": pl.String,
        "material": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)
