"""What-if charts: the portfolio by band under both policies, and where customers' grades move."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from dashboard.components.chart_style import styled
from dashboard.components.formats import ACCENT, GRADES, money, money_prefix, number

CURRENT_COLOUR = "#9aa7b4"  # the policy in force: muted, the scenario is the news


def bands_figure(
    bands: pl.DataFrame,
    title: str,
    band_labels: dict[str, str],
    series: tuple[str, str],
    panels: tuple[str, str],
) -> go.Figure:
    """Two panels, customers and exposure by band, current policy beside the scenario.

    bands: one row per band with customers, customers_new, exposure, exposure_new (money).
    series: legend names (current, scenario); panels: panel titles (customers, exposure).
    """
    figure = make_subplots(rows=1, cols=2, subplot_titles=panels, horizontal_spacing=0.16)
    labels = [band_labels.get(b, b) for b in bands["band"]]
    for column, (count, amount) in enumerate(
        (("customers", "exposure"), ("customers_new", "exposure_new"))
    ):
        name = series[column]
        colour = CURRENT_COLOUR if column == 0 else ACCENT
        figure.add_trace(
            go.Bar(
                x=labels,
                y=bands[count].to_list(),
                name=name,
                marker_color=colour,
                legendgroup=name,
                hovertemplate="%{x}: %{y:,}<extra>" + name + "</extra>",
            ),
            row=1,
            col=1,
        )
        figure.add_trace(
            go.Bar(
                x=labels,
                y=bands[amount].to_list(),
                name=name,
                marker_color=colour,
                legendgroup=name,
                showlegend=False,
                customdata=[money(v) for v in bands[amount]],
                hovertemplate="%{x}: %{customdata}<extra>" + name + "</extra>",
            ),
            row=1,
            col=2,
        )
    figure.update_layout(
        barmode="group",
        bargap=0.25,
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "xanchor": "center", "x": 0.5},
    )
    # a money axis: styled gives it round ticks in the product's format (chart_locale)
    figure.update_yaxes(tickprefix=money_prefix(), row=1, col=2)
    figure.update_yaxes(tickformat=",d", row=1, col=1)
    figure = styled(figure, title, height=360)
    # the legend goes under the panels, out of the way of the panel titles
    figure.update_layout(
        legend={"orientation": "h", "yanchor": "top", "y": -0.1, "xanchor": "center", "x": 0.5},
        margin={"t": 70, "b": 40},
    )
    return figure


def transitions_figure(
    transitions: pl.DataFrame, title: str, from_label: str, to_label: str, hover: str
) -> go.Figure:
    """Customers by current grade (rows) and scenario grade (columns); the diagonal is unchanged.

    transitions: grade, grade_new, customers. `hover` has {before}, {after} and {customers}.
    """
    counts = {
        (row["grade"], row["grade_new"]): row["customers"]
        for row in transitions.iter_rows(named=True)
    }
    z = [[counts.get((before, after), 0) for after in GRADES] for before in GRADES]
    text = [[number(v) if v else "" for v in row] for row in z]
    hovers = [
        [hover.format(before=b, after=a, customers=number(counts.get((b, a), 0))) for a in GRADES]
        for b in GRADES
    ]
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=list(GRADES),
            y=list(GRADES),
            text=text,
            texttemplate="%{text}",
            customdata=hovers,
            hovertemplate="%{customdata}<extra></extra>",
            colorscale=[[0, "#f7f9fb"], [1, ACCENT]],
            showscale=False,
            xgap=2,
            ygap=2,
        )
    )
    figure.update_xaxes(title_text=to_label, type="category")
    figure.update_yaxes(title_text=from_label, autorange="reversed", type="category")
    return styled(figure, title, height=360)
