"""Model page charts: factor weights, KS and ROC curves, calibration by grade, PSI over time, lead
times. Pure functions frame -> go.Figure; every label comes in as an argument (already translated)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import plotly.graph_objects as go
import polars as pl

from dashboard.components.chart_style import styled
from dashboard.components.formats import ACCENT, GRADE_COLOURS, month, percent
from dashboard.components.month_axis import month_middle, on_month_periods
from queries.model_metrics import (
    MAX_CURVE_POINTS,
    PSI_ACTION,
    PSI_WATCH,
    KolmogorovSmirnov,
    downsample,
)

BAD_COLOUR = "#d73027"
GOOD_COLOUR = "#1a9850"
WATCH_COLOUR = "rgba(254, 224, 139, 0.35)"
ACTION_COLOUR = "rgba(215, 48, 39, 0.12)"


def factor_weights(frame: pl.DataFrame, title: str, labels: dict[str, str]) -> go.Figure:
    """Horizontal bars of the score's factor weights (percent), heaviest on top."""
    ordered = frame.sort("weight")
    figure = go.Figure(
        go.Bar(
            y=[labels.get(f, f) for f in ordered["factor"]],
            x=(ordered["weight"] * 100).to_list(),
            orientation="h",
            marker_color=ACCENT,
            text=[percent(w, 0) for w in ordered["weight"]],
            textposition="outside",
            hovertemplate="%{y}: %{x:.1f} %<extra></extra>",
        )
    )
    figure.update_xaxes(ticksuffix=" %", range=[0, max(50.0, float(frame["weight"].max()) * 115)])
    return styled(figure, title, height=300)


def ks_chart(
    curves: pl.DataFrame,
    ks: KolmogorovSmirnov,
    title: str,
    bad_label: str,
    good_label: str,
    gap_label: str,
    score_label: str,
) -> go.Figure:
    """Cumulative score distributions of bads and goods (percent, step lines) with the KS gap drawn
    as a vertical segment at the score where it is widest. At most ~MAX_CURVE_POINTS points each."""
    at = curves["score"].to_list().index(ks.score)
    shown = downsample(curves, MAX_CURVE_POINTS, keep=[at])
    figure = go.Figure()
    for column, label, colour in (
        ("cum_bad", bad_label, BAD_COLOUR),
        ("cum_good", good_label, GOOD_COLOUR),
    ):
        figure.add_trace(
            go.Scatter(
                x=shown["score"].to_list(),
                y=(shown[column] * 100).to_list(),
                mode="lines",
                line={"shape": "hv", "color": colour, "width": 2},
                name=label,
                hovertemplate=f"{score_label} ≤ %{{x:.2f}}: %{{y:.1f}} %<extra>{label}</extra>",
            )
        )
    figure.add_trace(
        go.Scatter(
            x=[ks.score, ks.score],
            y=[ks.cum_bad * 100, ks.cum_good * 100],
            mode="lines+markers",
            line={"color": ACCENT, "dash": "dot", "width": 2},
            marker={"size": 7, "color": ACCENT},
            name=gap_label,
            hoverinfo="skip",
        )
    )
    figure.add_annotation(
        x=ks.score,
        y=(ks.cum_bad + ks.cum_good) * 50,
        text=f"{gap_label} = {ks.statistic:.2f}",
        showarrow=False,
        xanchor="left",
        xshift=8,
        font={"color": ACCENT},
    )
    figure.update_xaxes(title_text=score_label, range=[0, 100])
    figure.update_yaxes(ticksuffix=" %", range=[0, 101])
    return styled(figure, title, height=360)


def roc_chart(
    points: pl.DataFrame,
    title: str,
    curve_label: str,
    random_label: str,
    fpr_label: str,
    tpr_label: str,
) -> go.Figure:
    """ROC curve (share of bads caught against share of goods flagged, percent) with the diagonal
    of a random score. At most ~MAX_CURVE_POINTS points."""
    shown = downsample(points, MAX_CURVE_POINTS)
    figure = go.Figure(
        [
            go.Scatter(
                x=[0, 100],
                y=[0, 100],
                mode="lines",
                line={"color": "#999", "dash": "dash"},
                name=random_label,
                hoverinfo="skip",
            ),
            go.Scatter(
                x=(shown["false_positive_rate"] * 100).to_list(),
                y=(shown["true_positive_rate"] * 100).to_list(),
                mode="lines",
                line={"color": ACCENT, "width": 2},
                fill="tozeroy",
                fillcolor="rgba(31, 78, 121, 0.08)",
                name=curve_label,
                hovertemplate=f"{fpr_label}: %{{x:.1f}} %<br>{tpr_label}: %{{y:.1f}} %<extra></extra>",
            ),
        ]
    )
    figure.update_xaxes(title_text=fpr_label, ticksuffix=" %", range=[0, 100])
    figure.update_yaxes(title_text=tpr_label, ticksuffix=" %", range=[0, 101])
    return styled(figure, title, height=360)


def calibration_chart(
    frame: pl.DataFrame, title: str, observed_label: str, pd_label: str, interval_label: str
) -> go.Figure:
    """Observed 12-month default rate per grade (bars, percent) with its exact 95 % interval as error
    bars, and the PD in use (diamonds). Grades without observations have no bar."""
    rate = frame["observed_rate"].fill_null(float("nan")) * 100
    low = frame["ci_low"].fill_null(float("nan")) * 100
    high = frame["ci_high"].fill_null(float("nan")) * 100
    figure = go.Figure()
    figure.add_trace(
        go.Bar(
            x=frame["grade"].to_list(),
            y=rate.to_list(),
            marker_color=[GRADE_COLOURS[g] for g in frame["grade"]],
            name=observed_label,
            error_y={
                "type": "data",
                "symmetric": False,
                "array": (high - rate).to_list(),
                "arrayminus": (rate - low).to_list(),
                "color": "#444",
                "thickness": 1.5,
                "width": 6,
            },
            customdata=frame.select(
                "defaults", "observations", pl.col("ci_low") * 100, pl.col("ci_high") * 100
            ).rows(),
            hovertemplate="%{x}: %{y:.2f} % (%{customdata[0]:,} / %{customdata[1]:,})<br>"
            + interval_label
            + ": %{customdata[2]:.2f} – %{customdata[3]:.2f} %<extra></extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=frame["grade"].to_list(),
            y=(frame["pd_used"] * 100).to_list(),
            mode="markers",
            marker={"size": 12, "color": ACCENT, "symbol": "diamond"},
            name=pd_label,
            hovertemplate="%{x}: %{y:.2f} %<extra>" + pd_label + "</extra>",
        )
    )
    figure.update_yaxes(ticksuffix=" %", rangemode="tozero")
    return styled(figure, title, height=360)


# The PSI chart shows the last two years by default, and its axis stops at four times the action
# threshold: the first months of a young book (few customers, far from the reference) can reach a
# PSI of 3 or more and would flatten everything else, the bands included, to the bottom.
PSI_WINDOW_MONTHS = 24
PSI_AXIS_CAP = PSI_ACTION * 4


@dataclass(frozen=True)
class PsiView:
    """What the PSI chart shows: the months in the window, the axis top, and what was left out."""

    shown: pl.DataFrame  # as_of, rows, psi of the months drawn, oldest first
    earlier: int  # months before the window, not drawn
    top: float  # the y axis runs from 0 to here
    above: pl.DataFrame  # as_of, psi of drawn months above `top` (marked at the top edge)


def psi_view(
    frame: pl.DataFrame, months: int | None = PSI_WINDOW_MONTHS, cap: float = PSI_AXIS_CAP
) -> PsiView:
    """The last `months` months of `frame` (as_of, rows, psi; all of them with None) and an axis
    top of 1.6 × the action threshold or 8 % above the highest PSI shown, at most `cap`."""
    ordered = frame.sort("as_of")
    shown = ordered if months is None else ordered.tail(months)
    highest = float(shown["psi"].max() or 0)
    top = max(PSI_ACTION * 1.6, min(cap, highest * 1.08))
    above = shown.filter(pl.col("psi") > top).select("as_of", "psi")
    return PsiView(shown=shown, earlier=ordered.height - shown.height, top=top, above=above)


def psi_chart(
    view: PsiView,
    reference: date,
    title: str,
    psi_label: str,
    watch_label: str,
    action_label: str,
    reference_label: str,
) -> go.Figure:
    """PSI of each month shown against the reference month (line), with the 0.1-0.25 band (watch)
    and the band above 0.25 (act) shaded, and the reference month marked. A month above the axis
    top is drawn on the top edge as a triangle; its hover gives the real value."""
    frame, top = view.shown, view.top
    clipped = [value is not None and value > top for value in frame["psi"]]
    figure = go.Figure(
        go.Scatter(
            x=frame["as_of"].to_list(),
            y=[top if over else value for value, over in zip(frame["psi"], clipped, strict=True)],
            mode="lines+markers",
            line={"color": ACCENT, "width": 2},
            marker={
                "size": [11 if over else 5 for over in clipped],
                "symbol": ["triangle-up" if over else "circle" for over in clipped],
            },
            name=psi_label,
            customdata=frame.select("rows", "psi").rows(),
            hovertemplate="%{x|%b %Y}: %{customdata[1]:.3f} (n = %{customdata[0]:,})<extra></extra>",
            cliponaxis=False,
        )
    )
    figure.add_hrect(
        y0=PSI_WATCH, y1=PSI_ACTION, fillcolor=WATCH_COLOUR, line_width=0, layer="below"
    )
    figure.add_hrect(y0=PSI_ACTION, y1=top, fillcolor=ACTION_COLOUR, line_width=0, layer="below")
    # One label under its line and one above, so they stay apart when the axis reaches far up.
    for level, label, position in (
        (PSI_WATCH, watch_label, "bottom right"),
        (PSI_ACTION, action_label, "top right"),
    ):
        figure.add_hline(
            y=level,
            line_dash="dot",
            line_color="#888",
            annotation_text=label,
            annotation_position=position,
        )
    # the reference month's value sits mid-month on the monthly period axis; a reference before
    # the months shown is named in the title only (a line there would stretch the axis back)
    if frame.height and reference >= frame["as_of"].min():
        figure.add_vline(x=month_middle(reference), line_dash="dash", line_color="#666")
        figure.add_annotation(
            x=month_middle(reference),
            y=top,
            text=f"{reference_label} {month(reference)}",
            showarrow=False,
            xanchor="left",
            yanchor="top",
            xshift=4,
        )
    figure.update_yaxes(range=[0, top], title_text=psi_label)
    return styled(on_month_periods(figure), title, height=360)


def lead_time_chart(
    counts: pl.DataFrame, title: str, months_label: str, defaults_label: str
) -> go.Figure:
    """Flagged defaults per lead time (bars, months from watchlist entry to default)."""
    figure = go.Figure(
        go.Bar(
            x=counts["lead_months"].to_list(),
            y=counts["defaults"].to_list(),
            marker_color=ACCENT,
            name=defaults_label,
            hovertemplate=f"%{{x}} {months_label}: %{{y:,}}<extra></extra>",
        )
    )
    figure.update_xaxes(title_text=months_label, dtick=3)
    figure.update_yaxes(title_text=defaults_label)
    return styled(figure, title, height=320)
