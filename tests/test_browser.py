"""The whole app in a real headless Chromium (Debian's package, driven by Playwright's sync API).

One server for the session, on the session's demo warehouse, started as the README does
(`uv run streamlit run app.py`, see tests/browser_helpers.server_command), and one browser. Every
page listed in the sidebar navigation is opened and screenshotted into
test-artifacts/screenshots/<page>.png (git-ignored: look at them); any Streamlit exception element
fails the test. The server's output goes to test-artifacts/streamlit.log.

Access control runs on a second server started with an access file (its output in
test-artifacts/streamlit-access.log): each role signs in once, in the same browser.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.auth_helpers import PASSWORD, REGION_A
from tests.browser_helpers import (
    ARTIFACTS,
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
    "provisions",
    "work",
    "data",
    "what-if",
    "model",
}


@pytest.fixture(scope="session")
def server(demo_db):
    with dashboard_server(demo_db, ARTIFACTS / "streamlit.log") as url:
        yield url


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


def test_a_watchlist_row_opens_that_customer(server, page, demo_con):
    region = demo_con.sql("select min(region) from customers").fetchall()[0][0]
    open_page(page, f"{server}/watchlist?region={region}")
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
    # the global filters come along: the region stays in the URL and in the sidebar
    assert f"region={region}" in page.url, page.url
    assert page.locator('[data-testid="stSidebar"]').get_by_text(region, exact=True).count() >= 1
    page.mouse.move(0, 0)  # a pointer left over a chart would show its toolbar in the picture
    page.screenshot(path=str(SHOTS / "customer-from-watchlist.png"))


def test_watchlist_csv_export_holds_the_matching_rows(server, page):
    open_page(page, f"{server}/watchlist")
    with page.expect_download() as download:
        # The page's export button, not the table toolbar's "Download as CSV" (shown rows only)
        # nor the trend chart's "Data (CSV)".
        page.locator('[data-testid="stDownloadButton"]').filter(has_text="Export CSV").click()
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


# --- access control: one more server, started with the test users' access file ----------------
EXPECTED_NAV = {
    "exec": {
        "overview",
        "grades",
        "concentration",
        "collections",
        "provisions",
        "cases",
        "what-if",
        "model",
    },
    "ana_a": {
        "overview",
        "grades",
        "concentration",
        "watchlist",
        "customer",
        "cases",
        "what-if",
        "model",
        "credit-control",
        "collections",
        "provisions",
        "work",
    },
}
EXPECTED_NAV["admin"] = EXPECTED_NAV["ana_a"] | {"data", "audit"}
CUSTOMER_ID = re.compile(r"\bC\d{7}\b")


@pytest.fixture(scope="module")
def access_server(demo_db, access_file, tmp_path_factory):
    """A dashboard with access control on (the test users' access file, its own audit file)."""
    audit_db = tmp_path_factory.mktemp("browser_audit") / "audit.sqlite"
    with contextlib.ExitStack() as stack:
        # The server takes its environment when it starts; this process keeps auth off.
        with pytest.MonkeyPatch.context() as env:
            env.setenv("RISK_ACCESS_FILE", str(access_file))
            env.setenv("RISK_AUDIT_DB", str(audit_db))
            url = stack.enter_context(dashboard_server(demo_db, ARTIFACTS / "streamlit-access.log"))
        yield url, audit_db


def _sign_in_as(tab, url: str, user: str) -> None:
    tab.goto(url)
    settle(tab)
    # each check waits for the state it asserts (up to 90 s on a busy machine), never for a time
    expect(tab.locator('[data-testid="stMain"] h1').first).to_have_text("Sign in", timeout=90_000)
    expect(tab.locator('[data-testid="stSidebarNav"]')).to_have_count(0)
    tab.get_by_role("textbox", name="User name").fill(user)
    tab.get_by_role("textbox", name="Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_selector('[data-testid="stSidebarNav"]', timeout=60_000)
    settle(tab)
    assert exception_text(tab) is None


def _open_in_session(tab, server: str, name: str) -> None:
    # Through the navigation: the session (and its sign-in) stays, as when a user clicks.
    links = tab.locator('[data-testid="stSidebarNav"] a')
    if name == "overview":
        links.first.click()
    else:
        tab.locator(f'[data-testid="stSidebarNav"] a[href$="/{name}"]').click()
    tab.wait_for_url(re.compile(("/$|/\\?" if name == "overview" else f"/{name}") + ".*"))
    settle(tab)
    assert exception_text(tab) is None, name


def test_each_role_signs_in_once_and_gets_its_pages(access_server, browser, demo_con):
    server, audit_db = access_server
    SHOTS.mkdir(parents=True, exist_ok=True)
    region_of = dict(demo_con.sql("select customer_id, region from customers").fetchall())
    for user in ("exec", "ana_a", "admin"):
        context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        tab = context.new_page()
        try:
            _sign_in_as(tab, server, user)
            names = {path or "overview" for path in nav_paths(tab, server)}
            assert names == EXPECTED_NAV[user], user

            if user == "exec":
                # The URL typed within the signed-in session (a new tab would sign in afresh):
                # the browser's history API, as the back button uses it.
                tab.evaluate(
                    "path => { window.history.pushState({}, '', path);"
                    " window.dispatchEvent(new PopStateEvent('popstate')); }",
                    "/watchlist",
                )
                # wait for the state asserted, not for a time
                refusal = tab.get_by_text("You do not have access to this page.")
                expect(refusal).to_have_count(1, timeout=90_000)
                expect(tab.locator('[data-testid="stDataFrame"]')).to_have_count(0)
                tab.screenshot(path=str(SHOTS / "access-exec-refused.png"))
                for path in ("overview", "concentration"):
                    _open_in_session(tab, server, path)
                    text = tab.locator('[data-testid="stApp"]').inner_text()
                    assert len(text) > 500 and not CUSTOMER_ID.search(text), path
                    tab.screenshot(path=str(SHOTS / f"access-exec-{path}.png"))

            if user == "ana_a":
                _open_in_session(tab, server, "watchlist")
                with tab.expect_download() as download:
                    exports = tab.locator('[data-testid="stDownloadButton"]')
                    exports.filter(has_text="Export CSV").click()  # not the chart's data
                text = Path(download.value.path()).read_bytes().decode("utf-8-sig")
                ids = set(CUSTOMER_ID.findall(text))  # whatever the headers' language
                assert ids, "the analyst's watchlist export is empty"
                assert {region_of[i] for i in ids} == {REGION_A}
                tab.screenshot(path=str(SHOTS / "access-analyst-watchlist.png"))

            if user == "admin":
                _open_in_session(tab, server, "audit")
                heading = tab.locator('[data-testid="stMain"] h1').first
                expect(heading).to_have_text("Audit log", timeout=90_000)
                tab.screenshot(path=str(SHOTS / "access-audit.png"))
        finally:
            context.close()
    # Everything above is in the audit log, by user and action.
    from data import audit

    events = audit.recent(path=audit_db)
    done = set(zip(events["who"], events["action"], strict=True))
    assert {("exec", "sign_in"), ("ana_a", "sign_in"), ("admin", "sign_in")} <= done
    assert ("exec", "refused") in done and ("ana_a", "export") in done
