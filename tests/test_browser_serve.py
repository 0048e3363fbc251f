"""The README's start command, `streamlit run app.py`, in headless Chromium: the server's start
hook warms the first page (dashboard/warm.py) and serves the dashboard main.py draws."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from dashboard.warm import DONE, FIRST_DONE
from tests.browser_helpers import ARTIFACTS, VIEWPORT, dashboard_server, exception_text, settle


def _wait_for_line(log, text: str, limit: float = 120) -> str:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        for line in log.read_text(errors="replace").splitlines():
            if text in line:
                return line
        time.sleep(0.2)
    raise AssertionError(f"no '{text}' in {log}")


def test_app_py_warms_the_first_page_at_start_and_serves_the_dashboard(demo_db, browser):
    log = ARTIFACTS / "streamlit-serve.log"
    with dashboard_server(demo_db, log) as url:
        # before any browser has connected: the first page's imports and its 13 queries are done
        assert "13 queries" in _wait_for_line(log, FIRST_DONE)
        assert DONE not in log.read_text(errors="replace")  # the rest waits for a first page
        tab = browser.new_context(viewport=VIEWPORT).new_page()
        tab.goto(url)
        expect(tab.locator('[data-testid="stMain"] h1')).to_have_text(
            "Portfolio overview", timeout=60_000
        )
        settle(tab)
        assert exception_text(tab) is None
        assert tab.locator('[data-testid="stSidebarNav"] a').count() >= 12
        _wait_for_line(log, DONE)  # after the first page: every page's imports
        tab.locator('[data-testid="stSidebarNav"] a[href$="/model"]').click()
        expect(tab.locator('[data-testid="stMain"] h1')).not_to_have_text(
            "Portfolio overview", timeout=60_000
        )
        settle(tab)
        assert exception_text(tab) is None
        tab.context.close()
    assert "Traceback" not in log.read_text(errors="replace")
