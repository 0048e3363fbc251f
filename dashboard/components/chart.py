"""Every chart drawn the same way: the Plotly figure with its toolbar's PNG download, and below it
a "Data (CSV)" button with the numbers behind it (issue 17, item 9).

The CSV is the frame the page built the chart from when it passes one, else the figure's own data,
one row per point (`figure_frame`): only what the chart already sends to the browser, so a page
whose charts hold no customer names exports none either. The file is built when the button is
clicked (a deferred download, no rerun of the page) through `auth.audited`, so the export is
logged like any other, and `export.to_csv` keeps spreadsheet formulas out of it.

The toolbar sits in a strip of its own above the title (`with_toolbar_room`), so it never covers
the title or the legend, on a phone either.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
import polars as pl
import streamlit as st

from dashboard import auth
from dashboard.i18n import t
from data.export import to_csv

# Internal column names of `figure_frame`, in this order; shown under the catalogue's headers.
COLUMNS = ("series", "x", "y", "z", "label", "parent", "source", "target", "value", "text")
TITLE_ROW = 26  # px of a title line (15 px type)
LEGEND_ROW = 30  # px of a legend line under the title
TOOLBAR_ROOM = 34  # px above the title, where Plotly draws its toolbar (about 26 px high)


def _values(values: object) -> list:
    """A trace's array as a list of plain values (numpy scalars and dates made Python)."""
    if values is None:
        return []
    if isinstance(values, np.ndarray):
        return values.tolist()
    if isinstance(values, (str, bytes)):
        return [values]
    return list(values) if isinstance(values, Iterable) else [values]


def _plain(value: object) -> object:
    # Texts in a figure are HTML-escaped once by chart_style (plain_text.chart_text); the file
    # holds the text itself.
    if isinstance(value, str):
        return value.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    if isinstance(value, np.generic):
        return value.item()
    return value


def _column(values: Sequence) -> pl.Series:
    plain = [_plain(v) for v in values]
    try:
        return pl.Series(plain, strict=False)
    except (TypeError, ValueError, pl.exceptions.PolarsError):
        return pl.Series([None if v is None else str(v) for v in plain], dtype=pl.String)


def _frame(columns: Mapping[str, Sequence]) -> pl.DataFrame:
    """Columns of possibly different lengths as one frame: shorter ones padded with nulls (a
    trace's text may be shorter than its points), scalars repeated."""
    kept = {k: list(v) for k, v in columns.items() if v is not None and len(v)}
    height = max((len(v) for v in kept.values()), default=0)
    return pl.DataFrame(
        {
            k: _column(v if len(v) == height else [*v, *[None] * (height - len(v))])
            for k, v in kept.items()
        }
    )


def _customdata(trace: Any, height: int) -> dict[str, list]:
    data = getattr(trace, "customdata", None)
    rows = _values(data)
    if not rows:
        return {}
    if not isinstance(rows[0], (list, tuple)):
        return {"customdata": rows[:height]}
    width = max(len(r) for r in rows)
    return {
        f"customdata_{i + 1}": [r[i] if i < len(r) else None for r in rows][:height]
        for i in range(width)
    }


def _trace_frame(trace: Any) -> pl.DataFrame:
    kind = trace.type
    name = trace.name if getattr(trace, "name", None) is not None else ""
    if kind in ("heatmap", "contour", "histogram2d"):
        z = _values(trace.z)
        xs, ys = _values(trace.x), _values(trace.y)
        rows = [
            (
                xs[j] if j < len(xs) else j,
                ys[i] if i < len(ys) else i,
                cell,
            )
            for i, row in enumerate(z)
            for j, cell in enumerate(_values(row))
        ]
        columns: dict[str, list] = {
            "x": [r[0] for r in rows],
            "y": [r[1] for r in rows],
            "z": [r[2] for r in rows],
        }
        text = _values(getattr(trace, "text", None))
        if text and isinstance(text[0], (list, tuple, np.ndarray)):
            columns["text"] = [cell for row in text for cell in _values(row)]
    elif kind == "sankey":
        labels = _values(trace.node.label)
        link = trace.link
        columns = {
            "source": [labels[i] if i < len(labels) else i for i in _values(link.source)],
            "target": [labels[i] if i < len(labels) else i for i in _values(link.target)],
            "value": _values(link.value),
        }
    elif kind in ("pie", "treemap", "sunburst", "icicle", "funnelarea"):
        columns = {
            "label": _values(trace.labels),
            "parent": _values(getattr(trace, "parents", None)),
            "value": _values(trace.values),
        }
    else:  # bar, scatter, scattergl, waterfall, histogram, box, funnel, ...
        columns = {"x": _values(getattr(trace, "x", None)), "y": _values(getattr(trace, "y", None))}
        text = getattr(trace, "text", None)
        if text is not None and not isinstance(text, str):
            columns["text"] = _values(text)
    height = max((len(v) for v in columns.values()), default=0)
    if not height:
        return pl.DataFrame()
    columns["text"] = columns.get("text", [])[:height]
    columns.update(_customdata(trace, height))
    frame = _frame(columns)
    return frame.select(pl.lit(_plain(name), dtype=pl.String).alias("series"), pl.all())


def figure_frame(figure: go.Figure) -> pl.DataFrame:
    """The figure's data as a table, one row per point: the trace's name (`series`), then the
    columns its type has (x, y; x, y, z for a heatmap's cells; label, parent, value for a treemap
    or pie; source, target, value for a Sankey's links), its per-point texts (`text`) and its
    custom data (`customdata`, or `customdata_1`, `customdata_2`, … for several per point).
    Columns no trace has are left out; a column whose traces disagree on the type is text."""
    frames = [f for f in (_trace_frame(trace) for trace in figure.data) if f.height]
    if not frames:
        return pl.DataFrame({"series": []}, schema={"series": pl.String})
    try:
        frame = pl.concat(frames, how="diagonal_relaxed")
    except pl.exceptions.PolarsError:  # e.g. dates in one trace, numbers in another
        frame = pl.concat(
            [f.with_columns(pl.all().cast(pl.String)) for f in frames], how="diagonal_relaxed"
        )
    order = [c for c in COLUMNS if c in frame.columns]
    return frame.select(*order, *[c for c in frame.columns if c not in order])


def headers() -> dict[str, str]:
    """The CSV's column headers in the reader's language."""
    return {c: t(f"chart.col_{c}") for c in COLUMNS} | {"customdata": t("chart.col_customdata")}


def _headed(frame: pl.DataFrame, names: Mapping[str, str]) -> pl.DataFrame:
    renamed = {}
    for column in frame.columns:
        if column in names:
            renamed[column] = names[column]
        elif column.startswith("customdata_"):
            renamed[column] = f"{names['customdata']} {column.removeprefix('customdata_')}"
    return frame.rename(renamed)


def with_toolbar_room(figure: go.Figure) -> go.Figure:
    """The figure with a strip above its title for Plotly's toolbar (which is drawn in
    the figure's top right corner, over whatever is there), and a legend at the top in a row of
    its own under the title."""
    layout = figure.layout
    if layout.title.yref == "container" and layout.title.pad.t == TOOLBAR_ROOM:
        return figure  # made room already (a figure drawn twice, or kept between runs)
    room = figure  # in place: a copy of a figure with many points costs a tenth of a second
    top = layout.margin.t if layout.margin.t is not None else 48
    room.update_layout(
        margin_t=top + TOOLBAR_ROOM,
        title_y=1,
        title_yref="container",
        title_yanchor="top",
        title_pad_t=TOOLBAR_ROOM,
    )
    height = layout.height + TOOLBAR_ROOM if layout.height else None
    if height and _legend_on_top(room):
        # chart_style puts the legend just above the plot, right-aligned: on a phone it grows
        # into the title. Its own row under the title instead, from the left.
        room.update_layout(
            margin_t=top + TOOLBAR_ROOM + LEGEND_ROW,
            legend={
                "yref": "container",
                "y": 1 - (TOOLBAR_ROOM + TITLE_ROW) / (height + LEGEND_ROW),
                "yanchor": "top",
                "x": 0,
                "xanchor": "left",
            },
        )
        height += LEGEND_ROW
    if height:
        room.update_layout(height=height)
    return room


def _legend_on_top(figure: go.Figure) -> bool:
    layout = figure.layout
    shown = layout.showlegend
    if shown is None:  # Plotly's default: a legend once two traces would have an entry
        # (a treemap or a Sankey has no legend entries: no showlegend either)
        entries = [getattr(trace, "showlegend", False) for trace in figure.data]
        shown = sum(1 for entry in entries if entry is not False) > 1
    legend = layout.legend
    return bool(shown) and legend.y == 1.0 and legend.yanchor == "bottom"


def show(
    figure: go.Figure,
    *,
    name: str,
    key: str | None = None,
    data: pl.DataFrame | None = None,
    where: Any = None,
    on_select: str = "ignore",
    selection_mode: str | Sequence[str] = ("points", "box", "lasso"),
) -> Any:
    """Draw `figure` in `where` (a column or container; the main area by default) and a CSV
    download of its data below it; returns what st.plotly_chart returns (the selection with
    `on_select="rerun"`). `name` names the files (`name.png`, `name.csv`) and keys the button, so
    it is unique on a page; `key` is the chart's own key, as st.plotly_chart takes it."""
    where = where if where is not None else st
    config = {
        "displaylogo": False,
        # the image, zoom, pan and reset: a short toolbar, which fits beside a phone's title
        "modeBarButtonsToRemove": ["select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d"],
        "toImageButtonOptions": {"format": "png", "filename": name, "scale": 2},
    }
    options: dict[str, Any] = {"width": "stretch", "config": config}
    if key is not None:
        options["key"] = key
    if on_select != "ignore":
        options |= {"on_select": on_select, "selection_mode": selection_mode}
    event = where.plotly_chart(with_toolbar_room(figure), **options)
    names = headers()

    def rows() -> pl.DataFrame:
        auth.query_scope()  # as any export: a user removed since the page was drawn gets nothing
        return data if data is not None else _headed(figure_frame(figure), names)

    where.download_button(
        t("chart.data_csv"),
        data=auth.audited(f"chart {name}", "csv", rows, to_csv),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"chart_csv_{name}",
        on_click="ignore",
        type="tertiary",
        icon=":material/download:",
    )
    return event
