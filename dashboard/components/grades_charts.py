"""Risk grades charts: grades by dimension, score histogram, migration heatmap, grade flow, PD by grade."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.components.chart_style import styled
from dashboard.components.formats import (
    ACCENT,
    GRADE_COLOURS,
    GRADES,
    NO_EXPOSURE_COLOUR,
    d3_money,
    money_prefix,
    percent_tick,
)


def by_dimension(
    frame: pl.DataFrame, title: str, value: str, no_exposure_label: str | None = None
) -> go.Figure:
    """Stacked horizontal bars: one bar per group, one segment per grade (customers with exposure,
    or exposure). Counting customers with `no_exposure_label`, each bar ends with a grey segment of
    the group's customers without exposure (column customers_no_exposure), so it counts everyone.
    With a column `code` (the group's stored value), each segment carries it as customdata, so a
    click on the bar can filter to the group."""
    codes = "code" in frame.columns
    figure = go.Figure()
    for grade in GRADES:
        part = frame.filter(pl.col("grade") == grade)
        figure.add_trace(
            go.Bar(
                y=part["grp"].to_list(),
                x=part[value].to_list(),
                name=grade,
                orientation="h",
                marker_color=GRADE_COLOURS[grade],
                customdata=part["code"].to_list() if codes else None,
                hovertemplate="%{y}: "
                + ("%{x:,}" if value == "customers" else d3_money("x"))
                + "<extra>"
                + grade
                + "</extra>",
            )
        )
    if value == "customers" and no_exposure_label is not None:
        keys = ["grp", "code"] if codes else ["grp"]
        idle = frame.group_by(keys).agg(pl.col("customers_no_exposure").sum()).sort("grp")
        figure.add_trace(
            go.Bar(
                y=idle["grp"].to_list(),
                x=idle["customers_no_exposure"].to_list(),
                name=no_exposure_label,
                orientation="h",
                marker_color=NO_EXPOSURE_COLOUR,
                customdata=idle["code"].to_list() if codes else None,
            )
        )
    figure.update_layout(barmode="stack", yaxis={"categoryorder": "total ascending"})
    if value != "customers":  # a money axis: round ticks in the product's format (chart_locale)
        figure.update_xaxes(tickprefix=money_prefix())
    return styled(figure, title, height=max(280, 40 * frame["grp"].n_unique() + 120))


def score_histogram(
    frame: pl.DataFrame,
    title: str,
    cut_offs: dict[str, float],
    label: str,
    no_exposure_label: str | None = None,
) -> go.Figure:
    """Customers with exposure per 5-point score bin, bars coloured by the grade the bin falls in,
    cut-offs marked; with `no_exposure_label`, the bin's customers without exposure stacked on top
    in grey (column customers_no_exposure)."""

    def grade_of(score: float) -> str:
        grade = "A"
        for name, edge in sorted(cut_offs.items(), key=lambda kv: kv[1]):
            if score >= edge:
                grade = name
        return grade

    figure = go.Figure(
        go.Bar(
            x=[b + 2.5 for b in frame["bin"]],
            y=frame["customers"].to_list(),
            width=4.6,
            marker_color=[GRADE_COLOURS[grade_of(b)] for b in frame["bin"]],
            name=label,
            hovertemplate="%{x:.0f} ± 2.5: %{y:,}<extra></extra>",
        )
    )
    if no_exposure_label is not None:
        figure.add_trace(
            go.Bar(
                x=[b + 2.5 for b in frame["bin"]],
                y=frame["customers_no_exposure"].to_list(),
                width=4.6,
                marker_color=NO_EXPOSURE_COLOUR,
                name=no_exposure_label,
                hovertemplate="%{x:.0f} ± 2.5: %{y:,}<extra>" + no_exposure_label + "</extra>",
            )
        )
        figure.update_layout(barmode="stack")
    for name, edge in cut_offs.items():
        figure.add_vline(
            x=edge,
            line_dash="dot",
            line_color="#666",
            annotation_text=name,
            annotation_position="top",
        )
    figure.update_xaxes(range=[0, 100])
    figure = styled(figure, title, height=320)
    if no_exposure_label is not None:
        # two legend entries: under the plot, clear of the cut-off letters on top
        figure.update_layout(
            legend={"orientation": "h", "yanchor": "top", "y": -0.12, "xanchor": "left", "x": 0},
            margin={"b": 40},
        )
    return figure


def migration_heatmap(
    rates: pl.DataFrame, counts: pl.DataFrame, title: str, from_label: str, to_label: str
) -> go.Figure:
    """Row-normalised transition matrix (from grade rows, to grade columns) with counts on hover."""
    grades = list(GRADES)
    z = [
        [
            (
                rates.filter(pl.col("from_grade") == g)[t][0]
                if rates.filter(pl.col("from_grade") == g).height
                else None
            )
            for t in grades
        ]
        for g in grades
    ]
    lookup = {
        (r["from_grade"], r["to_grade"]): r["customers"] for r in counts.iter_rows(named=True)
    }
    text = [[f"{(v or 0) * 100:.0f} %" if v is not None else "" for v in row] for row in z]
    custom = [[lookup.get((g, t), 0) for t in grades] for g in grades]
    figure = go.Figure(
        go.Heatmap(
            z=[[(v * 100 if v is not None else None) for v in row] for row in z],
            x=grades,
            y=grades,
            text=text,
            texttemplate="%{text}",
            customdata=custom,
            colorscale="Blues",
            zmin=0,
            zmax=100,
            hovertemplate=from_label
            + " %{y} → "
            + to_label
            + " %{x}: %{text} (%{customdata:,})<extra></extra>",
            colorbar={"ticksuffix": " %"},
        )
    )
    figure.update_yaxes(autorange="reversed", title_text=from_label)
    # the "to" grades sit on top: their axis title and letters need the room above the plot, and
    # the chart's title goes to the very top of the figure, clear of them
    figure.update_xaxes(side="top", title_text=to_label, title_standoff=4)
    figure = styled(figure, title, height=400)
    figure.update_layout(
        title={"y": 1, "yref": "container", "yanchor": "top", "pad": {"t": 8}},
        margin={"t": 96},
    )
    return figure


# Flows between grades by direction: to a better grade, to a worse one, or staying.
FLOW_COLOURS = {
    "up": "rgba(26, 152, 80, 0.45)",  # green: upgraded (lower risk)
    "down": "rgba(215, 48, 39, 0.45)",  # red: downgraded (higher risk)
    "kept": "rgba(150, 150, 150, 0.25)",  # grey: same grade
}


def flow_direction(from_grade: str, to_grade: str) -> str:
    """'up' to a better grade (towards A), 'down' to a worse one (towards E), else 'kept'."""
    step = GRADES.index(to_grade) - GRADES.index(from_grade)
    return "down" if step > 0 else "up" if step < 0 else "kept"


def grade_flow(
    counts: pl.DataFrame, title: str, start: str, end: str, directions: dict[str, str]
) -> go.Figure:
    """Sankey of customers from grades at the start date (left) to grades at the end date (right),
    each flow coloured by its direction, with a legend (`directions`: 'up', 'down', 'kept' -> label)
    of the directions present."""
    grades = list(GRADES)
    labels = [f"{g} · {start}" for g in grades] + [f"{g} · {end}" for g in grades]
    ways = [
        flow_direction(a, b) for a, b in zip(counts["from_grade"], counts["to_grade"], strict=True)
    ]
    figure = go.Figure(
        go.Sankey(
            node={"label": labels, "color": [GRADE_COLOURS[g] for g in grades] * 2, "pad": 14},
            link={
                "source": [grades.index(g) for g in counts["from_grade"]],
                "target": [5 + grades.index(g) for g in counts["to_grade"]],
                "value": counts["customers"].to_list(),
                "color": [FLOW_COLOURS[way] for way in ways],
            },
        )
    )
    # A Sankey has no legend of its own: one empty marker trace per direction gives it one.
    for way in ("up", "down", "kept"):
        if way in ways:
            figure.add_trace(
                go.Scatter(
                    x=[None],
                    y=[None],
                    mode="markers",
                    marker={"size": 12, "symbol": "square", "color": FLOW_COLOURS[way]},
                    name=directions[way],
                    hoverinfo="skip",
                )
            )
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    figure = styled(figure, title, height=440)
    figure.update_layout(
        showlegend=True,
        legend={"orientation": "h", "yanchor": "top", "y": -0.02, "xanchor": "left", "x": 0},
        margin={"b": 40},
    )
    return figure


def pd_by_grade(
    calibration: pl.DataFrame, title: str, observed_label: str, used_label: str, counts: str
) -> go.Figure:
    """Observed 12-month default rate (bars) and the PD in use (markers) per grade, log scale.

    `counts` is the hover text of the counts behind a rate, with {defaults} and {observations}."""
    figure = go.Figure()
    figure.add_trace(
        go.Bar(
            x=calibration["grade"].to_list(),
            y=(calibration["observed_rate"] * 100).to_list(),
            marker_color=[GRADE_COLOURS[g] for g in calibration["grade"]],
            name=observed_label,
            customdata=calibration.select("defaults_12m", "observations").rows(),
            hovertemplate="%{x}: %{y:.2f} % ("
            + counts.format(defaults="%{customdata[0]:,}", observations="%{customdata[1]:,}")
            + ")<extra></extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=calibration["grade"].to_list(),
            y=(calibration["pd_used"] * 100).to_list(),
            mode="markers+lines",
            marker={"size": 11, "color": ACCENT, "symbol": "diamond"},
            name=used_label,
            hovertemplate="%{x}: %{y:.2f} %<extra></extra>",
        )
    )
    # round ticks only (1-2-5 per decade), not Plotly's 2, 3, 4, ... 9 between the powers of ten
    # (written here: Plotly leaves the suffix off log-axis ticks)
    ticks = [m * 10.0**k for k in range(-2, 3) for m in (1, 2, 5)]
    figure.update_yaxes(
        type="log",
        tickmode="array",
        tickvals=ticks,
        ticktext=[percent_tick(v / 100) for v in ticks],
    )
    return styled(figure, title, height=340)
