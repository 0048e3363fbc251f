"""Charts with their data (issue 17, item 9): the figure's data as a table, checked by hand on tiny
figures; the chart drawn with a PNG toolbar that keeps clear of the title and a "Data (CSV)" button
whose file holds the chart's numbers, neutralised against spreadsheet formulas."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import polars as pl
import pytest
import streamlit as st
from polars.testing import assert_frame_equal
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from dashboard.components.chart import (
    LEGEND_ROW,
    TITLE_ROW,
    TOOLBAR_ROOM,
    figure_frame,
    with_toolbar_room,
)
from dashboard.components.chart_style import styled


def test_bars_and_lines_give_one_row_per_point_with_their_series_and_custom_data():
    figure = go.Figure(
        [
            go.Bar(x=["A", "B"], y=[3, 5], name="Customers", customdata=["a", "b"]),
            go.Scatter(x=["A", "B", "C"], y=[1.5, 2.5, 4.0], name="Rate"),
        ]
    )
    expected = pl.DataFrame(
        {
            "series": ["Customers", "Customers", "Rate", "Rate", "Rate"],
            "x": ["A", "B", "A", "B", "C"],
            "y": [3.0, 5.0, 1.5, 2.5, 4.0],
            "customdata": ["a", "b", None, None, None],
        }
    )
    assert_frame_equal(figure_frame(figure), expected)


def test_several_custom_values_per_point_become_numbered_columns_and_texts_are_kept():
    figure = go.Figure(
        go.Bar(
            y=["North", "South"],
            x=[10, 20],
            orientation="h",
            text=["10 k", "20 k"],
            customdata=[["N", 1], ["S", 2]],
        )
    )
    expected = pl.DataFrame(
        {
            "series": ["", ""],
            "x": [10, 20],
            "y": ["North", "South"],
            "text": ["10 k", "20 k"],
            "customdata_1": ["N", "S"],
            "customdata_2": [1, 2],
        }
    )
    assert_frame_equal(figure_frame(figure), expected)


def test_a_heatmap_gives_one_row_per_cell():
    figure = go.Figure(go.Heatmap(z=[[1, 2], [3, 4]], x=["to A", "to B"], y=["from A", "from B"]))
    expected = pl.DataFrame(
        {
            "series": [""] * 4,
            "x": ["to A", "to B", "to A", "to B"],
            "y": ["from A", "from A", "from B", "from B"],
            "z": [1, 2, 3, 4],
        }
    )
    assert_frame_equal(figure_frame(figure), expected)


def test_a_sankey_gives_its_links_by_node_label_and_a_treemap_its_boxes():
    sankey = go.Figure(
        go.Sankey(
            node={"label": ["A 2025", "B 2026", "C 2026"]},
            link={"source": [0, 0], "target": [1, 2], "value": [7, 3]},
        )
    )
    assert_frame_equal(
        figure_frame(sankey),
        pl.DataFrame(
            {
                "series": ["", ""],
                "source": ["A 2025", "A 2025"],
                "target": ["B 2026", "C 2026"],
                "value": [7, 3],
            }
        ),
    )
    treemap = go.Figure(
        go.Treemap(labels=["All", "Retail"], parents=["", "All"], values=[10, 4], name="Book")
    )
    assert_frame_equal(
        figure_frame(treemap),
        pl.DataFrame(
            {
                "series": ["Book", "Book"],
                "label": ["All", "Retail"],
                "parent": ["", "All"],
                "value": [10, 4],
            }
        ),
    )


def test_dates_stay_dates_and_escaped_labels_are_written_as_they_are():
    # chart_style escapes markup for Plotly; the file holds the name itself
    figure = styled(
        go.Figure(
            go.Scatter(
                x=np.array(["2026-01-31", "2026-02-28"], dtype="datetime64[D]"),
                y=np.array([1.0, 2.0]),
                name="A & B <Ltd>",
            )
        ),
        "Trend",
    )
    frame = figure_frame(figure)
    assert frame.schema["x"] == pl.Date
    assert frame["x"].dt.to_string().to_list() == ["2026-01-31", "2026-02-28"]
    assert frame["series"].to_list() == ["A & B <Ltd>"] * 2


def test_an_empty_figure_gives_an_empty_table():
    assert figure_frame(go.Figure()).height == 0


def test_the_toolbar_gets_a_strip_above_the_title():
    figure = styled(go.Figure(go.Bar(x=["A"], y=[1])), "Title", height=300)
    room = with_toolbar_room(figure)
    assert room.layout.margin.t == 48 + TOOLBAR_ROOM
    assert room.layout.height == 300 + TOOLBAR_ROOM
    assert room.layout.title.yref == "container" and room.layout.title.yanchor == "top"
    assert room.layout.title.pad.t == TOOLBAR_ROOM
    assert room.layout.legend.yref is None  # one trace: no legend to move
    # a figure drawn again (or kept between runs) gets the room once
    again = with_toolbar_room(room)
    assert again.layout.margin.t == 48 + TOOLBAR_ROOM and again.layout.height == 300 + TOOLBAR_ROOM


def test_a_legend_at_the_top_gets_its_own_row_under_the_title():
    lines = [go.Scatter(x=[1, 2], y=[1, 2], name="Exposure"), go.Scatter(x=[1, 2], y=[2, 1])]
    figure = styled(go.Figure(lines), "Exposure and expected loss", height=300)
    room = with_toolbar_room(figure)
    height = 300 + TOOLBAR_ROOM + LEGEND_ROW
    assert room.layout.height == height
    assert room.layout.margin.t == 48 + TOOLBAR_ROOM + LEGEND_ROW
    legend = room.layout.legend
    assert (legend.yref, legend.yanchor, legend.x, legend.xanchor) == (
        "container",
        "top",
        0,
        "left",
    )
    # its top edge in pixels from the figure's top: below the toolbar's strip and the title
    assert round((1 - legend.y) * height) == TOOLBAR_ROOM + TITLE_ROW
    # a figure without a legend, or with one placed elsewhere, keeps it
    hidden = styled(go.Figure(lines), "T", height=300).update_layout(showlegend=False)
    assert with_toolbar_room(hidden).layout.legend.yref is None
    below = styled(go.Figure(lines), "T", height=300).update_layout(legend_y=-0.2)
    assert with_toolbar_room(below).layout.legend.y == -0.2
    # traces without legend entries (a treemap, a Sankey) have none to move
    boxes = [go.Treemap(labels=["a"], parents=[""], values=[1]), go.Sankey()]
    assert with_toolbar_room(styled(go.Figure(boxes), "T")).layout.legend.yref is None


@pytest.fixture
def downloads(monkeypatch) -> list[tuple[str, object, dict]]:
    """(label, data, options) of every download button drawn."""
    captured: list[tuple[str, object, dict]] = []
    original = DeltaGenerator.download_button

    def spy(self, label, data, *args, **kwargs):
        captured.append((label, data, kwargs))
        return original(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", spy)
    monkeypatch.setattr(st, "download_button", lambda *a, **k: spy(st._main, *a, **k))  # noqa: SLF001
    return captured


def _tiny_app() -> None:
    import plotly.graph_objects as go

    from dashboard.components import chart

    figure = go.Figure(
        [
            go.Bar(x=["A", "B"], y=[3, 5], name="Customers"),
            go.Bar(x=["A", "B"], y=[1, 0], name="=cmd|' /C calc'!A0"),
        ]
    )
    chart.show(figure, name="tiny_chart")


def test_the_csv_button_under_a_chart_holds_its_data(downloads):
    at = AppTest.from_function(_tiny_app, default_timeout=30)
    at.run()
    assert not at.exception
    [plot] = at.get("plotly_chart")
    config = json.loads(plot.proto.config)
    assert config["toImageButtonOptions"] == {"format": "png", "filename": "tiny_chart", "scale": 2}
    [button] = at.get("download_button")
    assert button.proto.label == "Data (CSV)"
    # below the chart, in the same container
    kinds = [getattr(node, "type", None) for node in at.main.children.values()]
    assert kinds.index("plotly_chart") < kinds.index("download_button")
    [(label, data, options)] = downloads
    assert options["file_name"] == "tiny_chart.csv" and options["on_click"] == "ignore"
    content = data() if callable(data) else data
    assert content.startswith(b"\xef\xbb\xbf")
    lines = content.decode("utf-8-sig").splitlines()
    assert lines == [
        "Series,X,Y",
        "Customers,A,3",
        "Customers,B,5",
        # a series name that a spreadsheet would run is written as text
        "'=cmd|' /C calc'!A0,A,1",
        "'=cmd|' /C calc'!A0,B,0",
    ]


def test_the_button_and_the_headers_follow_the_language(downloads):
    at = AppTest.from_function(_tiny_app, default_timeout=30)
    at.query_params["lang"] = "zh"
    at.run()
    assert not at.exception
    assert at.get("download_button")[0].proto.label == "数据 (CSV)"
    content = downloads[0][1]()
    assert content.decode("utf-8-sig").splitlines()[0] == "系列,X,Y"
