"""Concentration charts: Pareto, Lorenz, HHI over time, industry → customer treemap."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from dashboard.components.chart_style import styled
from dashboard.components.formats import ACCENT, GRADE_COLOURS, d3_money, money_prefix
from dashboard.components.month_axis import on_month_periods

DIMENSION_COLOURS = {"customer": ACCENT, "industry": "#fc8d59", "region": "#1a9850"}


def pareto(top: pl.DataFrame, title: str, exposure_label: str, cumulative_label: str) -> go.Figure:
    """Exposure of the largest names (bars, grade colours) and their cumulative share of the
    portfolio's exposure in percent (line, right axis). Beyond 20 bars the axis shows ranks only
    (names stay in the hover) so the labels remain readable."""
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    names = top["name"].to_list()
    ranks = top["rank"].to_list()
    labels = (
        [f"{r}. {n[:20]}" for r, n in zip(ranks, names, strict=True)]
        if top.height <= 20
        else [str(r) for r in ranks]
    )
    figure.add_trace(
        go.Bar(
            x=labels,
            y=top["exposure"].to_list(),
            name=exposure_label,
            marker_color=[GRADE_COLOURS.get(g, "#999") for g in top["grade"]],
            customdata=list(zip(names, top["grade"].to_list(), strict=True)),
            hovertemplate="%{customdata[0]} (%{customdata[1]}): "
            + d3_money("y")
            + "<extra></extra>",
        ),
        secondary_y=False,
    )
    figure.add_trace(
        go.Scatter(
            x=labels,
            y=(top["cumulative_share"] * 100).to_list(),
            name=cumulative_label,
            mode="lines+markers",
            line={"color": "#333"},
            hovertemplate="%{y:.1f} %<extra></extra>",
        ),
        secondary_y=True,
    )
    figure.update_yaxes(tickprefix=money_prefix(), secondary_y=False)
    # 105 keeps the 100 % tick clear of the legend above the plot
    figure.update_yaxes(range=[0, 105], dtick=20, ticksuffix=" %", secondary_y=True, showgrid=False)
    figure.update_xaxes(tickangle=-40 if top.height <= 20 else 0)
    return styled(figure, title, height=420)


def lorenz(
    points: pl.DataFrame, title: str, names_label: str, exposure_label: str, equality_label: str
) -> go.Figure:
    """The Lorenz curve against the line of equality."""
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=[0, 100],
            y=[0, 100],
            mode="lines",
            name=equality_label,
            line={"dash": "dot", "color": "#999"},
        )
    )
    figure.add_trace(
        go.Scatter(
            x=(points["names_share"] * 100).to_list(),
            y=(points["exposure_share"] * 100).to_list(),
            mode="lines",
            name=exposure_label,
            fill="tonexty",
            line={"color": ACCENT, "width": 2},
            fillcolor="rgba(31, 78, 121, 0.12)",
        )
    )
    figure.update_xaxes(title_text=names_label, ticksuffix=" %", range=[0, 100], dtick=20)
    figure.update_yaxes(title_text=exposure_label, ticksuffix=" %", range=[0, 100], dtick=20)
    return styled(figure, title, height=380)


def hhi_trend(trend: pl.DataFrame, title: str, labels: dict[str, str]) -> go.Figure:
    """HHI per grid date, one line per dimension, with the usual 1 500 / 2 500 thresholds."""
    figure = go.Figure()
    for dimension, colour in DIMENSION_COLOURS.items():
        part = trend.filter(pl.col("dimension") == dimension)
        figure.add_trace(
            go.Scatter(
                x=part["as_of"].to_list(),
                y=part["hhi"].to_list(),
                name=labels[dimension],
                mode="lines+markers",
                line={"color": colour},
                # one decimal, as on the HHI card
                hovertemplate="%{x|%b %Y}: %{y:,.1f}<extra>" + labels[dimension] + "</extra>",
            )
        )
    for level in (1500, 2500):
        figure.add_hline(y=level, line_dash="dot", line_color="#bbb", annotation_text=f"{level:,}")
    # log scale: customer HHI (tens) and industry/region HHI (thousands) on one chart; labels at
    # powers of ten only
    figure.update_yaxes(type="log", dtick=1, tickformat=",")
    return styled(on_month_periods(figure), title, height=460)


def treemap(frame: pl.DataFrame, title: str, other_label: str, root_label: str) -> go.Figure:
    """Industry → customer treemap of exposure; the rest of each industry is one 'other' tile."""
    industries = frame.group_by("industry").agg(pl.col("exposure").sum()).sort("industry")
    ids, labels, parents, values, colours = (
        [root_label],
        [root_label],
        [""],
        [float(frame["exposure"].sum())],
        ["#ffffff"],
    )
    for row in industries.iter_rows(named=True):
        ids.append(row["industry"])
        labels.append(row["industry"])
        parents.append(root_label)
        values.append(row["exposure"])
        colours.append("#e8eef4")
    for row in frame.iter_rows(named=True):
        key = row["customer_id"] or "other"
        ids.append(f"{row['industry']}/{key}")
        labels.append(row["name"] or other_label)
        parents.append(row["industry"])
        values.append(row["exposure"])
        colours.append(GRADE_COLOURS.get(row["grade"] or "", "#cccccc"))
    figure = go.Figure(
        go.Treemap(
            ids=ids,
            labels=labels,
            parents=parents,
            values=values,
            branchvalues="total",
            marker={"colors": colours},
            hovertemplate="%{label}: " + d3_money("value") + "<extra></extra>",
            textinfo="label+percent root",
        )
    )
    return styled(figure, title, height=460)
