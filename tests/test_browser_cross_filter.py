"""Cross-filtering in a real Chromium: a click on a bar of the Grades page's chart by industry
narrows the sidebar's industry filter to it, the URL carries it, and the chart redraws with that
one industry. Waits are for the state asserted (the URL, the chart's bars), never for a time.
The server's output goes to test-artifacts/streamlit-cross-filter.log."""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

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
