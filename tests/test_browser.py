"""The whole app in a real headless Chromium (Debian's package, driven by Playwright's sync API).

One server for the session, on the session's demo warehouse, started as the README does
(`uv run streamlit run app.py`, see tests/browser_helpers.server_command), and one browser. Every
page listed in the sidebar navigation is opened and screenshotted into
test-artifacts/screenshots/<page>.png (git-ignored: look at them); any Streamlit exception element
fails the test. The server's output goes to test-artifacts/streamlit.log.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from tests.browser_helpers import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    VIEWPORT,
    dashboard_server,
    exception_text,
    nav_paths,
    settle,
)

SHOTS = ARTIFACTS / "screenshots"
# The pages of the dashboard today; the test opens whatever the navigation lists, so a page added
# later is covered too, and fails if one of these goes missing.
KNOWN_PAGES = {
    "overview",
    "grades",
    "concentration",
    "watchlist",
    "customer",
    "credit-control",
    "collections",
    "data",
    "what-if",
    "model",
}


@pytest.fixture(scope="session")
def server(demo_db):
    with dashboard_server(demo_db, ARTIFACTS / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: apt-get install -y chromium"
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    tab = context.new_page()
    yield tab
    context.close()


def open_page(tab, url: str) -> None:
    tab.goto(url)
    settle(tab)
    error = exception_text(tab)
    if error:
        pytest.fail(f"{url}: {error}")


def test_every_page_in_the_navigation_renders_without_exception(server, page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    open_page(page, server)
    paths = nav_paths(page, server)
    names = {path or "overview" for path in paths}  # the default page (Overview) is the root URL
    assert names >= KNOWN_PAGES, f"missing from the navigation: {KNOWN_PAGES - names}"
    failures = []
    for path in paths:
        name = path or "overview"
        if path:  # the default page is already open
            page.goto(f"{server}/{path}")
            settle(page)
        page.screenshot(path=str(SHOTS / f"{name}.png"))
        error = exception_text(page)
        if error:
            failures.append(f"{name}: {error}")
        elif page.locator('[data-testid="stMain"] h1').count() == 0:
            failures.append(f"{name}: no page title")
    # Every page is opened and screenshotted even when an earlier one fails.
    assert not failures, "\n\n".join(failures)


def test_a_global_filter_goes_into_the_url_and_the_page_rerenders(server, page):
    open_page(page, f"{server}/collections")
    receivables = page.locator('[data-testid="stMetricValue"]').first.inner_text()
    sidebar = page.locator('[data-testid="stSidebar"]')
    segment = sidebar.locator('[data-testid="stMultiSelect"]').first  # Segment: first multiselect
    segment.click()
    # The first option of a multiselect is "Select all"; choose a real segment.
    option = page.get_by_role("option").filter(has_not_text=re.compile("select all", re.I)).first
    chosen = option.inner_text().strip()
    option.click()
    page.keyboard.press("Escape")
    settle(page)
    assert re.search(r"[?&]segment=" + re.escape(chosen) + r"(&|$)", page.url), page.url
    error = exception_text(page)
    assert error is None, error
    # The page ran again on the narrower portfolio.
    assert page.locator('[data-testid="stMetricValue"]').first.inner_text() != receivables
    page.screenshot(path=str(SHOTS / f"collections-segment-{chosen}.png"))
    # The filter stays in the URL on the next page.
    page.locator('[data-testid="stSidebarNav"] a[href$="/watchlist"]').click()
    settle(page)
    assert "/watchlist" in page.url and re.search(r"[?&]segment=", page.url), page.url
    assert exception_text(page) is None


def test_a_watchlist_row_opens_that_customer(server, page):
    open_page(page, f"{server}/watchlist")
    table = page.locator('.st-key-wl_table [data-testid="stDataFrame"]')
    assert table.count() == 1, "the watchlist table (key wl_table) is not on the page"
    # The grid draws on a canvas; its accessible table gives the first row's id and name
    # (row 0 is the header; the selection column has no cell).
    cells = table.locator('[role="row"]').nth(1).locator('[role="gridcell"]')
    customer_id, name = cells.nth(0).inner_text().strip(), cells.nth(1).inner_text().strip()
    assert customer_id and name
    box = table.bounding_box()
    # The selection checkbox column sits left of the first data row (header and rows ≈ 35 px).
    page.mouse.click(box["x"] + 15, box["y"] + 35 + 17)
    page.wait_for_url(
        re.compile(r"/customer\?(.*&)?customer=" + re.escape(customer_id)), timeout=30_000
    )
    settle(page)
    assert exception_text(page) is None
    assert page.locator('[data-testid="stMain"] h2').first.inner_text().strip() == name
    page.mouse.move(0, 0)  # a pointer left over a chart would show its toolbar in the picture
    page.screenshot(path=str(SHOTS / "customer-from-watchlist.png"))


def test_watchlist_csv_export_holds_the_matching_rows(server, page):
    open_page(page, f"{server}/watchlist")
    with page.expect_download() as download:
        # The page's export button, not the table toolbar's "Download as CSV" (shown rows only).
        page.locator('[data-testid="stDownloadButton"]').filter(has_text="CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    text = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:2] == ["customer_id", "name"], rows[0]
    assert len(rows) > 1 and all(len(row) == len(rows[0]) for row in rows)
    # Every matching row, not only the ones shown: as many as the caption says match.
    caption = page.get_by_text(re.compile(r"of [\d,]+ customers shown")).inner_text()
    matching = int(re.search(r"of ([\d,]+) customers shown", caption).group(1).replace(",", ""))
    assert len(rows) - 1 == matching


def test_a_what_if_scenario_runs_and_shows_the_customers_it_moves(server, page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    open_page(page, f"{server}/what-if")
    changes = page.locator('[data-testid="stMetric"]', has_text="Grade changes")
    assert changes.locator('[data-testid="stMetricValue"]').inner_text().strip() == "0"
    cut_off = page.get_by_role("spinbutton", name="E from")
    cut_off.fill("65")
    cut_off.press("Tab")
    page.get_by_role("button", name="Run scenario").click()
    settle(page)
    assert exception_text(page) is None
    moved = changes.locator('[data-testid="stMetricValue"]').inner_text().strip()
    assert moved != "0"
    assert page.get_by_role("heading", name="Customers whose grade changes").count() == 1
    assert page.locator('[data-testid="stDataFrame"]').count() >= 1
    page.screenshot(path=str(SHOTS / "what-if-scenario.png"))
