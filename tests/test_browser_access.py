"""Access control in a real browser: each role signs in once on a server started with an access
file, gets its pages in the navigation and nothing else (a typed URL of another page is refused),
an executive reads no customer identifier, a region-limited analyst exports only their region, and
the admin finds it all in the audit log.

Same server command and browser as tests/test_browser.py; this server's output goes to
test-artifacts/streamlit-access.log and its screenshots to test-artifacts/screenshots/access-*.png.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest

from tests.auth_helpers import PASSWORD, REGION_A
from tests.browser_helpers import (
    ARTIFACTS,
    VIEWPORT,
    dashboard_server,
    exception_text,
    nav_paths,
    settle,
)
from tests.test_browser import browser  # noqa: F401 - the session's Chromium

SHOTS = ARTIFACTS / "screenshots"
EXPECTED_NAV = {
    "exec": {"overview", "grades", "concentration", "collections", "cases", "what-if", "model"},
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


def _sign_in(tab, url: str, user: str) -> None:
    tab.goto(url)
    settle(tab)
    assert tab.locator('[data-testid="stMain"] h1').first.inner_text().strip() == "Sign in"
    assert tab.locator('[data-testid="stSidebarNav"]').count() == 0
    tab.get_by_role("textbox", name="User name").fill(user)
    tab.get_by_role("textbox", name="Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_selector('[data-testid="stSidebarNav"]', timeout=60_000)
    settle(tab)
    assert exception_text(tab) is None


def _open(tab, server: str, name: str) -> None:
    # Through the navigation: the session (and its sign-in) stays, as when a user clicks.
    links = tab.locator('[data-testid="stSidebarNav"] a')
    if name == "overview":
        links.first.click()
    else:
        tab.locator(f'[data-testid="stSidebarNav"] a[href$="/{name}"]').click()
    tab.wait_for_url(re.compile(("/$|/\\?" if name == "overview" else f"/{name}") + ".*"))
    settle(tab)
    assert exception_text(tab) is None, name


def test_each_role_signs_in_once_and_gets_its_pages(access_server, browser, demo_con):  # noqa: F811
    server, audit_db = access_server
    SHOTS.mkdir(parents=True, exist_ok=True)
    region_of = dict(demo_con.sql("select customer_id, region from customers").fetchall())
    for user in ("exec", "ana_a", "admin"):
        context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        tab = context.new_page()
        try:
            _sign_in(tab, server, user)
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
                settle(tab)
                assert tab.get_by_text("You do not have access to this page.").count() == 1
                assert tab.locator('[data-testid="stDataFrame"]').count() == 0
                tab.screenshot(path=str(SHOTS / "access-exec-refused.png"))
                for path in ("overview", "concentration"):
                    _open(tab, server, path)
                    text = tab.locator('[data-testid="stApp"]').inner_text()
                    assert len(text) > 500 and not CUSTOMER_ID.search(text), path
                    tab.screenshot(path=str(SHOTS / f"access-exec-{path}.png"))

            if user == "ana_a":
                _open(tab, server, "watchlist")
                with tab.expect_download() as download:
                    tab.locator('[data-testid="stDownloadButton"]').filter(has_text="CSV").click()
                text = Path(download.value.path()).read_bytes().decode("utf-8-sig")
                ids = set(CUSTOMER_ID.findall(text))  # whatever the headers' language
                assert ids, "the analyst's watchlist export is empty"
                assert {region_of[i] for i in ids} == {REGION_A}
                tab.screenshot(path=str(SHOTS / "access-analyst-watchlist.png"))

            if user == "admin":
                _open(tab, server, "audit")
                assert tab.locator('[data-testid="stMain"] h1').first.inner_text() == "Audit log"
                tab.screenshot(path=str(SHOTS / "access-audit.png"))
        finally:
            context.close()
    # Everything above is in the audit log, by user and action.
    from data import audit

    events = audit.recent(path=audit_db)
    done = set(zip(events["who"], events["action"], strict=True))
    assert {("exec", "sign_in"), ("ana_a", "sign_in"), ("admin", "sign_in")} <= done
    assert ("exec", "refused") in done and ("ana_a", "export") in done
