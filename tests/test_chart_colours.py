"""Colours that say what they mean (issue 17, item 5): grade flows by direction with a legend,
triggers in a palette of their own (never a grade colour), a legend for the outflow shading, and a
migration heatmap whose title sits clear of its top axis."""

from __future__ import annotations

from datetime import date

import polars as pl

from dashboard.components import grades_charts, watchlist_charts
from dashboard.components.chart_style import TRIGGER_COLOURS
from dashboard.components.formats import GRADE_COLOURS
from queries import watchlist

DIRECTIONS = {"up": "Upgraded", "down": "Downgraded", "kept": "Same"}


def test_flow_direction_follows_the_grade_order():
    assert grades_charts.flow_direction("C", "A") == "up"  # to a better grade
    assert grades_charts.flow_direction("A", "B") == "down"
    assert grades_charts.flow_direction("E", "E") == "kept"


def test_grade_flow_colours_each_link_by_direction_and_has_a_legend():
    counts = pl.DataFrame(
        {
            "from_grade": ["A", "A", "B", "C"],
            "to_grade": ["A", "C", "A", "C"],
            "customers": [10, 2, 3, 4],
        }
    )
    figure = grades_charts.grade_flow(counts, "Flow", "Jan", "Feb", DIRECTIONS)
    sankey = figure.data[0]
    up, down, kept = (grades_charts.FLOW_COLOURS[w] for w in ("up", "down", "kept"))
    # A→A same, A→C down, B→A up, C→C same
    assert list(sankey.link.color) == [kept, down, up, kept]
    assert list(sankey.link.source) == [0, 0, 1, 2]
    assert list(sankey.link.target) == [5, 7, 5, 7]
    legend = [(trace.name, trace.marker.color) for trace in figure.data[1:]]
    assert legend == [("Upgraded", up), ("Downgraded", down), ("Same", kept)]
    assert figure.layout.showlegend is True


def test_grade_flow_lists_only_the_directions_present():
    counts = pl.DataFrame({"from_grade": ["B"], "to_grade": ["B"], "customers": [5]})
    figure = grades_charts.grade_flow(counts, "Flow", "Jan", "Feb", DIRECTIONS)
    assert [trace.name for trace in figure.data[1:]] == ["Same"]


def test_every_trigger_has_a_colour_and_none_is_a_grade_colour():
    assert set(TRIGGER_COLOURS) == set(watchlist.TRIGGERS)
    grade_colours = {c.lower() for c in GRADE_COLOURS.values()}
    assert not {c.lower() for c in TRIGGER_COLOURS.values()} & grade_colours
    assert len(set(TRIGGER_COLOURS.values())) == len(TRIGGER_COLOURS)  # one each
    assert watchlist_charts.TRIGGER_COLOURS is TRIGGER_COLOURS  # the chart uses this palette


def test_watchlist_flows_legend_says_what_solid_and_light_bars_are():
    trend = pl.DataFrame(
        {
            "as_of": [date(2026, 1, 31)] * 2,
            "trigger": ["any", "overdue"],
            "members": [3, 3],
            "inflow": [0, 2],
            "outflow": [0, 1],
        }
    )
    figure = watchlist_charts.flows(trend, "Flows", {"overdue": "Overdue"}, "On", "In", "Out")
    inflow, outflow = figure.data[1], figure.data[2]
    assert list(inflow.y) == [2] and list(outflow.y) == [-1]
    assert outflow.opacity == watchlist_charts.OUTFLOW_OPACITY < 1
    keys = [t for t in figure.data if t.legendgroup == "direction"]
    assert [(k.name, k.opacity) for k in keys] == [
        ("In", 1.0),
        ("Out", watchlist_charts.OUTFLOW_OPACITY),
    ]
    assert all(list(k.y) == [0] for k in keys)  # legend entries only: zero-height bars
    # without the labels, no such entries (the chart as before)
    plain = watchlist_charts.flows(trend, "Flows", {"overdue": "Overdue"}, "On")
    assert not [t for t in plain.data if t.legendgroup == "direction"]


def test_migration_heatmap_title_sits_above_the_top_axis():
    rates = pl.DataFrame({"from_grade": ["A"], **{g: [0.5 if g in "AB" else 0.0] for g in "ABCDE"}})
    counts = pl.DataFrame({"from_grade": ["A", "A"], "to_grade": ["A", "B"], "customers": [1, 1]})
    figure = grades_charts.migration_heatmap(rates, counts, "Migration", "From", "To")
    assert figure.layout.xaxis.side == "top" and figure.layout.xaxis.title.text == "To"
    # the title is anchored to the top of the figure, and the margin leaves room for the
    # axis title and the grade letters under it
    assert figure.layout.title.yref == "container" and figure.layout.title.y == 1
    assert figure.layout.title.yanchor == "top"
    assert figure.layout.margin.t >= 90
