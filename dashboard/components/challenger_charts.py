"""Champion / challenger charts: ROC curves of both, AUC and KS with their intervals, calibration by
grade, stability per characteristic, grade migration. Pure functions frame -> go.Figure; every
label comes in as an argument (already translated)."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.components.chart_style import styled
from dashboard.components.formats import ACCENT, number
from queries.model_metrics import PSI_ACTION, PSI_WATCH

GRADES = ("A", "B", "C", "D", "E")
CHAMPION_COLOUR = "#8c8c8c"
CHALLENGER_COLOUR = ACCENT
COLOURS = {"champion": CHAMPION_COLOUR, "challenger": CHALLENGER_COLOUR}
# Below the plot: in a third or half of the page a legend on top runs into the title.
LEGEND_BELOW = {"orientation": "h", "yanchor": "top", "y": -0.18, "xanchor": "left", "x": 0}


def roc_pair(
    curves: pl.DataFrame,
    title: str,
    labels: dict[str, str],
    random_label: str,
    fpr_label: str,
    tpr_label: str,
) -> go.Figure:
    """ROC curves (percent) of champion and challenger on one sample, with the diagonal.
    `curves` has model, false_positive_rate, true_positive_rate; `labels` model -> legend name."""
    figure = go.Figure(
        go.Scatter(
            x=[0, 100],
            y=[0, 100],
            mode="lines",
            line={"color": "#bbb", "dash": "dash"},
            name=random_label,
            hoverinfo="skip",
        )
    )
    for model in ("champion", "challenger"):
        part = curves.filter(pl.col("model") == model)
        figure.add_trace(
            go.Scatter(
                x=(part["false_positive_rate"] * 100).to_list(),
                y=(part["true_positive_rate"] * 100).to_list(),
                mode="lines",
                line={"color": COLOURS[model], "width": 2.5 if model == "challenger" else 2},
                name=labels[model],
                hovertemplate=f"{labels[model]}<br>{fpr_label}: %{{x:.1f}} %<br>"
                f"{tpr_label}: %{{y:.1f}} %<extra></extra>",
            )
        )
    figure.update_xaxes(title_text=fpr_label, ticksuffix=" %", range=[0, 100])
    figure.update_yaxes(title_text=tpr_label, ticksuffix=" %", range=[0, 101])
    return styled(figure, title, height=340)


def metric_intervals(
    metrics: pl.DataFrame,
    title: str,
    labels: dict[str, str],
    categories: dict[tuple[str, str], str],
) -> go.Figure:
    """AUC and KS of both models in and out of time as dots with their 95 % intervals.
    `categories` (metric, sample) -> axis label, in display order."""
    figure = go.Figure()
    for model in ("champion", "challenger"):
        rows = {
            r["sample"]: r for r in metrics.filter(pl.col("model") == model).iter_rows(named=True)
        }
        xs, ys, lows, highs = [], [], [], []
        for (metric, sample), label in categories.items():
            row = rows.get(sample)
            value = row[metric] if row else None
            if value is None:
                continue
            xs.append(label)
            ys.append(value)
            lows.append(value - row[f"{metric}_low"])
            highs.append(row[f"{metric}_high"] - value)
        figure.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="markers",
                marker={"size": 11, "color": COLOURS[model]},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": highs,
                    "arrayminus": lows,
                    "color": COLOURS[model],
                    "thickness": 1.5,
                    "width": 6,
                },
                name=labels[model],
                hovertemplate=f"{labels[model]}<br>%{{x}}: %{{y:.3f}}<extra></extra>",
            )
        )
    figure.update_layout(scattermode="group")
    figure.update_xaxes(
        type="category", categoryorder="array", categoryarray=list(categories.values())
    )
    figure.update_xaxes(tickangle=0)
    figure.update_yaxes(rangemode="tozero", tickformat=".2f")
    return styled(figure, title, height=340).update_layout(legend=LEGEND_BELOW)


def calibration_pair(
    calibration: pl.DataFrame,
    title: str,
    labels: dict[str, str],
    pd_label: str,
    interval_label: str,
) -> go.Figure:
    """Observed 12-month default rate per grade (grouped bars, percent) of both models with exact
    95 % intervals, and each model's PD (diamonds)."""
    figure = go.Figure()
    for model in ("champion", "challenger"):
        part = calibration.filter(pl.col("model") == model).sort("grade")
        rate = part["observed_rate"].fill_null(float("nan")) * 100
        low = part["ci_low"].fill_null(float("nan")) * 100
        high = part["ci_high"].fill_null(float("nan")) * 100
        figure.add_trace(
            go.Bar(
                x=part["grade"].to_list(),
                y=rate.to_list(),
                marker_color=COLOURS[model],
                opacity=0.85,
                name=labels[model],
                offsetgroup=model,
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": (high - rate).to_list(),
                    "arrayminus": (rate - low).to_list(),
                    "color": "#444",
                    "thickness": 1.2,
                    "width": 4,
                },
                customdata=part.select("defaults", "observations").rows(),
                hovertemplate=f"{labels[model]} %{{x}}: %{{y:.2f}} % "
                f"(%{{customdata[0]:,}} / %{{customdata[1]:,}})<extra>{interval_label}</extra>",
            )
        )
        figure.add_trace(
            go.Scatter(
                x=part["grade"].to_list(),
                y=(part["pd"].fill_null(float("nan")) * 100).to_list(),
                mode="markers",
                marker={"size": 11, "color": COLOURS[model], "symbol": "diamond",
                        "line": {"color": "white", "width": 1}},
                name=f"{pd_label} · {labels[model]}",
                offsetgroup=model,
                hovertemplate=f"{pd_label} · {labels[model]} %{{x}}: %{{y:.2f}} %<extra></extra>",
            )
        )  # fmt: skip
    figure.update_layout(barmode="group", scattermode="group")
    figure.update_xaxes(type="category")
    figure.update_yaxes(ticksuffix=" %", rangemode="tozero")
    return styled(figure, title, height=400).update_layout(legend=LEGEND_BELOW)


def stability_bars(
    stability: pl.DataFrame,
    title: str,
    labels: dict[str, str],
    names: dict[str, str],
    watch_label: str,
    action_label: str,
) -> go.Figure:
    """PSI out of time against in time per characteristic (horizontal bars, both models) with the
    0.10 and 0.25 reading lines. `names` characteristic -> label."""
    order = [c for c in stability["characteristic"].unique(maintain_order=True)]
    figure = go.Figure()
    for model in ("champion", "challenger"):
        part = {r["characteristic"]: r["psi"] for r in stability.filter(pl.col("model") == model).iter_rows(named=True)}  # fmt: skip
        figure.add_trace(
            go.Bar(
                y=[names.get(c, c) for c in order],
                x=[part.get(c) for c in order],
                orientation="h",
                marker_color=COLOURS[model],
                name=labels[model],
                hovertemplate=f"{labels[model]}<br>%{{y}}: %{{x:.3f}}<extra></extra>",
            )
        )
    for value, label in ((PSI_WATCH, watch_label), (PSI_ACTION, action_label)):
        figure.add_vline(
            x=value, line={"color": "#d73027" if value == PSI_ACTION else "#fdae61", "dash": "dot"},
            annotation_text=label, annotation_position="top",
        )  # fmt: skip
    top = max([PSI_ACTION * 1.2, *(v for v in stability["psi"].drop_nulls().to_list())])
    figure.update_layout(barmode="group")
    figure.update_xaxes(range=[0, top * 1.1], tickformat=".2f")
    figure.update_yaxes(autorange="reversed", type="category")
    height = max(300, 40 * len(order) + 110)
    return styled(figure, title, height=height).update_layout(legend=LEGEND_BELOW)


def migration_heatmap(
    migration: pl.DataFrame, title: str, from_label: str, to_label: str, hover: str
) -> go.Figure:
    """Customers today per champion grade (rows) x challenger grade (columns); the diagonal holds
    those the challenger grades the same. `hover` has {before}, {after}, {customers}."""
    counts = {
        (r["champion_grade"], r["challenger_grade"]): r["customers"]
        for r in migration.iter_rows(named=True)
    }
    z = [[counts.get((b, a), 0) for a in GRADES] for b in GRADES]
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=list(GRADES),
            y=list(GRADES),
            text=[[number(v) if v else "" for v in row] for row in z],
            texttemplate="%{text}",
            customdata=[
                [hover.format(before=b, after=a, customers=number(counts.get((b, a), 0))) for a in GRADES]
                for b in GRADES
            ],
            hovertemplate="%{customdata}<extra></extra>",
            colorscale=[[0, "#f7f9fb"], [1, ACCENT]],
            showscale=False,
            xgap=2,
            ygap=2,
        )
    )  # fmt: skip
    figure.update_xaxes(title_text=to_label, type="category")
    figure.update_yaxes(title_text=from_label, autorange="reversed", type="category")
    return styled(figure, title, height=400)
