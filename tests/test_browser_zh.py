"""The dashboard in Simplified Chinese in a real headless Chromium.

Its own server on the session's demo warehouse (see tests/test_browser.py for the set-up this
shares through tests/browser_helpers). Screenshots go to test-artifacts/screenshots/*-zh.png:
look at them — Chinese in the charts needs a CJK font on the machine (fonts-noto-cjk, which
.ci/run installs), else it shows as empty boxes.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.browser_helpers import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    VIEWPORT,
    dashboard_server,
    exception_text,
    settle,
)

SHOTS = ARTIFACTS / "screenshots"


@pytest.fixture(scope="module")
def server(demo_db):
    with dashboard_server(demo_db, ARTIFACTS / "streamlit-zh.log") as url:
        yield url


def in_own_browser(check, *args) -> None:
    """Run `check(browser, *args)` with a Chromium of its own, in a thread of its own.

    Playwright's sync API refuses to start while another test module's browser is open in this
    thread; a worker thread has no such browser, and any assertion error comes back here.
    """

    def run() -> None:
        from playwright.sync_api import sync_playwright

        assert Path(CHROMIUM).exists(), "Debian's chromium is needed: apt-get install -y chromium"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                check(browser, *args)
            finally:
                browser.close()

    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(run).result()


def _open(browser, url: str, locale: str = "en-US"):
    context = browser.new_context(viewport=VIEWPORT, locale=locale)
    tab = context.new_page()
    tab.goto(url)
    settle(tab)
    error = exception_text(tab)
    if error:
        context.close()
        pytest.fail(f"{url}: {error}")
    return context, tab


def test_overview_in_chinese(server):
    in_own_browser(_overview_in_chinese, server)


def test_a_chinese_browser_opens_in_chinese_and_keeps_it_across_pages(server):
    in_own_browser(_chinese_browser, server)


def _overview_in_chinese(browser, server: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    context, tab = _open(browser, f"{server}/?lang=zh")
    try:
        # Pointer off the charts, so no hover label covers them in the screenshot.
        tab.mouse.move(0, 0)
        tab.screenshot(path=str(SHOTS / "overview-zh.png"))
        assert tab.locator("h1", has_text="组合总览").count() == 1
        for label in ("风险敞口", "预期损失", "观察名单", "回收率"):
            assert tab.locator('[data-testid="stMetricLabel"]', has_text=label).count() >= 1
        # Money in 万 / 亿 on the cards, and the chart axes in Chinese units.
        values = tab.locator('[data-testid="stMetricValue"]').all_inner_texts()
        assert any(re.search(r"¥[\d,.]+(万|亿)", v) for v in values), values
        ticks = " ".join(tab.locator(".main-svg .ytick text").all_text_contents())
        assert "亿" in ticks or "万" in ticks, ticks
        # The sidebar navigation and the language switch are Chinese too, and lang stays in the URL.
        assert tab.locator('[data-testid="stSidebarNav"]', has_text="观察名单").count() == 1
        assert "lang=zh" in tab.url
    finally:
        context.close()


def _chinese_browser(browser, server: str) -> None:
    context, tab = _open(browser, f"{server}/", locale="zh-CN")
    try:
        assert tab.locator("h1", has_text="组合总览").count() == 1
        assert "lang=zh" in tab.url
        tab.locator('[data-testid="stSidebarNav"] a', has_text="观察名单").click()
        settle(tab)
        assert exception_text(tab) is None
        assert "lang=zh" in tab.url
        assert tab.locator("h1", has_text="观察名单").count() == 1
        tab.mouse.move(0, 0)
        tab.screenshot(path=str(SHOTS / "watchlist-zh.png"))
    finally:
        context.close()
