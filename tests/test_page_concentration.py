"""Concentration page on the demo warehouse, and its chart builders on tiny frames."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.components import concentration_charts
from tests.conftest import page_path


def _value(metric) -> float:
    return float(metric.value.replace(",", ""))


def _latest(con) -> date:
    return con.sql("select max(as_of) from month_grid").fetchall()[0][0]


def test_page_renders_whole_portfolio_from_concentration_month(demo_db, demo_con):
    at = AppTest.from_file(page_path("concentration"), default_timeout=60).run()
    assert not at.exception
    names, hhi = demo_con.sql(
        "select names, hhi from concentration_month where as_of = $d and dimension = 'customer'",
        params={"d": _latest(demo_con)},
    ).fetchall()[0]
    assert at.metric[0].value == f"{names:,}"
    assert _value(at.metric[2]) == pytest.approx(hhi, abs=0.5)
    assert any("whole portfolio" in c.value for c in at.caption)
    assert at.dataframe[0].value.shape[0] == 10  # top 10 by default


def test_top_n_choice_changes_the_table(demo_db):
    at = AppTest.from_file(page_path("concentration"), default_timeout=60).run()
    at.segmented_control(key="conc_n").set_value(50).run()
    assert not at.exception
    assert at.dataframe[0].value.shape[0] == 50


def test_filter_recomputes_shares_within_the_filtered_customers(demo_db, demo_con):
    at = AppTest.from_file(page_path("concentration"), default_timeout=60).run()
    at.session_state["f_region"] = ["East"]
    at.run()
    assert not at.exception
    names, hhi = demo_con.sql(
        "with east as (select exposure from customer_month "
        "where as_of = $d and region = 'East' and exposure > 0) "
        "select count(*), sum(power(100 * exposure / (select sum(exposure) from east), 2)) from east",
        params={"d": _latest(demo_con)},
    ).fetchall()[0]
    assert at.metric[0].value == f"{names:,}"
    assert _value(at.metric[2]) == pytest.approx(hhi, abs=0.5)
    assert any("filtered portfolio only" in c.value for c in at.caption)


def test_impossible_filter_shows_the_empty_state(demo_db):
    at = AppTest.from_file(page_path("concentration"), default_timeout=60)
    at.session_state["f_region"] = ["Atlantis"]
    at.run()
    assert not at.exception
    assert "No customer with exposure" in at.info[0].value


TOP = pl.DataFrame(
    {
        "rank": [1, 2],
        "name": ["Gamma", "Beta"],
        "grade": ["C", "E"],
        "exposure": [70.0, 20.0],
        "cumulative_share": [0.7, 0.9],
    }
)


def test_pareto_bars_in_grade_colours_and_cumulative_line():
    figure = concentration_charts.pareto(TOP, "Top 2", "Exposure", "Cumulative")
    bars, line = figure.data
    assert isinstance(bars, go.Bar) and isinstance(line, go.Scatter)
    assert list(bars.y) == [70.0, 20.0]
    assert list(bars.marker.color) == ["#fee08b", "#d73027"]  # C, E
    assert list(line.y) == pytest.approx([70.0, 90.0])
    assert line.yaxis == "y2"
    assert figure.layout.title.text == "Top 2"


def test_pareto_shows_ranks_only_for_long_lists():
    many = pl.DataFrame(
        {
            "rank": list(range(1, 51)),
            "name": [f"Customer {i}" for i in range(1, 51)],
            "grade": ["A"] * 50,
            "exposure": [float(100 - i) for i in range(50)],
            "cumulative_share": [(i + 1) / 50 for i in range(50)],
        }
    )
    bars = concentration_charts.pareto(many, "Top 50", "E", "C").data[0]
    assert list(bars.x[:2]) == ["1", "2"]
    assert bars.customdata[0][0] == "Customer 1"


def test_lorenz_against_equality():
    points = pl.DataFrame({"names_share": [0.0, 0.5, 1.0], "exposure_share": [0.0, 0.2, 1.0]})
    figure = concentration_charts.lorenz(points, "Lorenz (Gini 0.30)", "n", "e", "equal")
    equality, curve = figure.data
    assert list(equality.y) == [0, 100]
    assert list(curve.x) == [0.0, 50.0, 100.0]
    assert list(curve.y) == [0.0, 20.0, 100.0]


def test_hhi_trend_one_line_per_dimension_on_a_log_axis():
    trend = pl.DataFrame(
        {
            "as_of": [date(2026, 1, 31), date(2026, 2, 28)] * 3,
            "dimension": ["customer"] * 2 + ["industry"] * 2 + ["region"] * 2,
            "hhi": [100.0, 120.0, 1800.0, 1700.0, 2100.0, 2000.0],
        }
    )
    labels = {"customer": "By customer", "industry": "By industry", "region": "By region"}
    figure = concentration_charts.hhi_trend(trend, "HHI", labels)
    assert [t.name for t in figure.data] == list(labels.values())
    assert list(figure.data[1].y) == [1800.0, 1700.0]
    assert figure.layout.yaxis.type == "log"
    assert [s.y0 for s in figure.layout.shapes] == [1500, 2500]


def test_treemap_industry_to_customer_with_other_tile():
    frame = pl.DataFrame(
        {
            "industry": ["Energy", "Retail", "Retail"],
            "customer_id": ["c", "b", None],
            "name": ["Gamma", "Beta", None],
            "grade": ["C", "B", None],
            "exposure": [70.0, 20.0, 10.0],
        }
    )
    tree = concentration_charts.treemap(frame, "Map", "Other", "Portfolio").data[0]
    assert isinstance(tree, go.Treemap)
    assert list(tree.ids) == [
        "Portfolio",
        "Energy",
        "Retail",
        "Energy/c",
        "Retail/b",
        "Retail/other",
    ]
    assert list(tree.parents) == ["", "Portfolio", "Portfolio", "Energy", "Retail", "Retail"]
    assert list(tree.values) == [100.0, 70.0, 30.0, 70.0, 20.0, 10.0]
    assert list(tree.labels)[-1] == "Other"
