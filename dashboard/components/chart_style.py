"""One look for every Plotly figure: fonts, margins, hover, titles that say what is shown."""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard.components.chart_locale import localise

FONT = "Inter, 'Source Sans Pro', 'Noto Sans SC', 'Noto Sans CJK SC', sans-serif"


def styled(figure: go.Figure, title: str, height: int = 360) -> go.Figure:
    """The figure with the product's layout: title, white background, compact margins, and dates
    and money in the current language."""
    figure.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}},
        template="plotly_white",
        font={"family": FONT, "size": 12},
        height=height,
        margin={"l": 10, "r": 10, "t": 48, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
        hoverlabel={"font_family": FONT},
    )
    return localise(figure)
