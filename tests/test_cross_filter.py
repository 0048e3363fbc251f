"""Cross-filtering from the Grades page's bars (issue 17, item 9): a click's code read from the
selection event, the request applied by the sidebar before its filters are drawn (and written to
the URL), and the chart's bars carrying the stored code even when the labels are translated."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from dashboard.components.cross_filter import clicked_code, clicked_x
from tests.conftest import ROOT, page_path


def test_the_clicked_code_comes_from_the_first_point_with_one():
    event = {"selection": {"points": [{"customdata": "Retail", "y": "零售"}]}}
    assert clicked_code(event) == "Retail"
    assert clicked_code({"selection": {"points": [{"customdata": ["North", 3]}]}}) == "North"
    # a point without codes (another trace) is skipped, not taken for an empty filter
    assert clicked_code({"selection": {"points": [{"y": "x"}, {"customdata": "East"}]}}) == "East"
    assert clicked_code({"selection": {"points": []}}) is None
    assert clicked_code({"selection": {"points": [{"customdata": ""}]}}) is None
    assert clicked_code(None) is None

    class Event:  # the attribute form of Streamlit's event
        selection = {"points": [{"customdata": "Large"}]}

    assert clicked_code(Event()) == "Large"


def test_a_request_narrows_the_sidebar_filter_and_the_url(demo_db, demo_con):
    industry = demo_con.sql("select max(industry) from customers").fetchall()[0][0]
    at = AppTest.from_file(str(ROOT / "main.py"), default_timeout=90)
    at.switch_page("dashboard/pages/grades.py")
    at.session_state["_cross_filter"] = ("industry", industry)
    at.run()
    assert not at.exception
    assert at.session_state["f_industry"] == [industry]
    assert at.query_params["industry"] in (industry, [industry])
    assert "_cross_filter" not in at.session_state  # applied once, then gone
    # the chart now shows that one industry
    bars = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
    assert {code for bar in bars for code in bar.get("customdata") or []} == {industry}


def test_a_request_for_a_value_the_sidebar_does_not_offer_is_dropped(demo_db):
    at = AppTest.from_file(str(ROOT / "main.py"), default_timeout=90)
    at.session_state["_cross_filter"] = ("industry", "no such industry")
    at.run()
    assert not at.exception
    assert not at.session_state["f_industry"]
    assert "industry" not in at.query_params


def test_the_bars_carry_the_stored_code_under_a_translated_label(demo_db, demo_con):
    at = AppTest.from_file(page_path("grades"), default_timeout=90)
    at.query_params["lang"] = "zh"
    at.run()
    assert not at.exception
    bars = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
    stored = {row[0] for row in demo_con.sql("select distinct industry from customers").fetchall()}
    pairs = {
        (label, code)
        for bar in bars
        for label, code in zip(bar["y"], bar["customdata"], strict=True)
    }
    assert {code for _, code in pairs} <= stored
    assert "Manufacturing" in {code for _, code in pairs}
    assert ("制造业", "Manufacturing") in pairs


def test_a_grade_bar_click_is_read_from_its_x_and_the_grey_bar_is_none():
    grades = ("A", "B", "C", "D", "E")
    assert clicked_x({"selection": {"points": [{"x": "D", "y": 12}]}}, grades) == "D"
    assert clicked_x({"selection": {"points": [{"x": "No exposure"}]}}, grades) is None
    assert clicked_x({"selection": {"points": [{"x": "No exposure"}, {"x": "E"}]}}, grades) == "E"
    assert clicked_x({"selection": {"points": []}}, grades) is None
    assert clicked_x(None, grades) is None


def test_the_overview_grade_chart_is_clickable_and_says_so(demo_db):
    at = AppTest.from_file(page_path("overview"), default_timeout=90)
    at.run()
    assert not at.exception
    grades_chart = at.get("plotly_chart")[0]
    assert json.loads(grades_chart.proto.spec)["data"][0]["x"][:5] == ["A", "B", "C", "D", "E"]
    assert grades_chart.proto.selection_mode  # drawn with on_select: a click reruns the page
    assert "open the Watchlist at that grade" in " ".join(c.value for c in at.caption)


def test_a_grade_request_opens_the_watchlist_at_that_grade_with_the_filters_kept(demo_db, demo_con):
    region = demo_con.sql("select min(region) from customers").fetchall()[0][0]
    at = AppTest.from_file(str(ROOT / "main.py"), default_timeout=90)
    at.query_params["region"] = region
    at.run()  # the Overview, with the region filter from the URL
    assert not at.exception
    assert at.title[0].value == "Portfolio overview"
    at.session_state["wl_grades"] = ["A"]  # left from an earlier visit: the click wins
    at.session_state["_cross_filter_watchlist"] = "D"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Watchlist"
    assert at.multiselect(key="wl_grades").value == ["D"]
    assert at.query_params["wl_grade"] in ("D", ["D"])
    assert at.query_params["region"] in (region, [region])
    assert at.session_state["f_region"] == [region]
    assert "_cross_filter_watchlist" not in at.session_state
