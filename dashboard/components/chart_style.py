"""One look for every Plotly figure: fonts, margins, hover, titles that say what is shown."""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard.components.chart_locale import localise
from dashboard.components.plain_text import plain_figure

FONT = "Inter, 'Source Sans Pro', 'Noto Sans SC', 'Noto Sans CJK SC', sans-serif"

# One colour per early-warning trigger on every chart, from a palette of its own: no green, yellow,
# orange or red, which mean grades (formats.GRADE_COLOURS), so a trigger never reads as a grade.
TRIGGER_COLOURS = {
    "overdue": "#6a3d9a",  # purple
    "downgrade": "#1f78b4",  # blue
    "limit_breach": "#a6cee3",  # light blue
    "legal": "#8c510a",  # brown
    "operational": "#35978f",  # teal
    "rating_downgrade": "#de77ae",  # pink
    "concentration": "#636363",  # grey
}


def styled(figure: go.Figure, title: str, height: int = 360) -> go.Figure:
    """The figure with the product's layout: title, white background, compact margins, dates
    and money in the current language, and every text from data shown literally (Plotly reads
    an HTML subset in labels: a customer named `<a href=…>` would become a link)."""
    figure.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}},
        template="plotly_white",
        font={"family": FONT, "size": 12},
        height=height,
        margin={"l": 10, "r": 10, "t": 48, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
        hoverlabel={"font_family": FONT},
    )
    # Escaped once, here: builders hand over raw values (escaping twice would show `&amp;`).
    return localise(plain_figure(figure))
