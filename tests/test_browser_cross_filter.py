"""Cross-filtering in a real Chromium: a click on a bar of the Grades page's chart by industry
narrows the sidebar's industry filter to it, the URL carries it, and the chart redraws with that
one industry; a click on a grade's bar on the Overview opens the Watchlist at that grade, the
global filters kept. Waits are for the state asserted (the URL, the chart's bars), never for a time.
The server's output goes to test-artifacts/streamlit-cross-filter.log."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote_plus, urlparse

import pytest

from tests.browser_helpers import ARTIFACTS, VIEWPORT, dashboard_server, exception_text, settle

SHOTS = ARTIFACTS / "screenshots"
WAIT = 90_000  # ms


@pytest.fixture(scope="module")
def server(demo_db):
    with dashboard_server(demo_db, ARTIFACTS / "streamlit-cross-filter.log") as url:
        yield url


def test_a_click_on_an_industry_bar_filters_to_that_industry(server, browser, demo_con):
    industries = {
        row[0] for row in demo_con.sql("select distinct industry from customers").fetchall()
    }
    assert len(industries) > 1  # so one bar left after the click means the filter was applied
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    try:
        tab.goto(f"{server}/grades?lang=en")
        settle(tab)
        chart = tab.locator('[data-testid="stPlotlyChart"]').first
        bars = chart.locator(".barlayer .point path")
        assert bars.count() > 1
        bars.first.click(force=True)
        tab.wait_for_url(re.compile(r"[?&]industry=[^&]+"), timeout=WAIT)
        chosen = unquote_plus(re.search(r"[?&]industry=([^&]+)", tab.url).group(1))
        assert chosen in industries, tab.url
        # the state: the chart redrawn with the one industry on its axis
        chart.locator(".yaxislayer-above text").filter(has_text=chosen).wait_for(timeout=WAIT)
        tab.wait_for_function(
            """() => document.querySelector('[data-testid="stPlotlyChart"] .yaxislayer-above')
                     ?.querySelectorAll('text').length === 1""",
            timeout=WAIT,
        )
        assert exception_text(tab) is None
        sidebar = tab.locator('[data-testid="stSidebar"]')
        assert sidebar.get_by_text(chosen, exact=True).count() >= 1  # the chip in the filter
        SHOTS.mkdir(parents=True, exist_ok=True)
        tab.mouse.move(0, 0)
        tab.screenshot(path=str(SHOTS / "grades-cross-filter.png"))
    finally:
        context.close()


def test_a_click_on_a_grade_bar_opens_the_watchlist_at_that_grade(server, browser, demo_con):
    region = demo_con.sql("select min(region) from customers").fetchall()[0][0]
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    try:
        tab.goto(f"{server}/?lang=en&region={region}")
        settle(tab)
        grades_chart = tab.locator('[data-testid="stPlotlyChart"]').first
        bars = grades_chart.locator(".barlayer .point path")
        assert bars.count() >= 5
        bars.nth(3).click(force=True)  # grade D of the customers panel
        tab.wait_for_url(re.compile(r"/watchlist\?.*wl_grade=D"), timeout=WAIT)
        settle(tab)
        assert exception_text(tab) is None
        query = parse_qs(urlparse(tab.url).query)
        assert query["wl_grade"] == ["D"] and query["region"] == [region], tab.url
        main = tab.locator('[data-testid="stMain"]')
        main.get_by_role("heading", name="Watchlist").wait_for(timeout=WAIT)
        # the grade filter shows the chip, the sidebar keeps the region
        main.locator('[data-testid="stMultiSelect"]').first.get_by_text("D", exact=True).wait_for(
            timeout=WAIT
        )
        sidebar = tab.locator('[data-testid="stSidebar"]')
        assert sidebar.get_by_text(region, exact=True).count() >= 1
        tab.mouse.move(0, 0)
        SHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SHOTS / "overview-grade-click.png"))
    finally:
        context.close()
