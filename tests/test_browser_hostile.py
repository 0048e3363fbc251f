"""The hostile book in a real browser (hardening issue, items 1-4): an admin signs in and walks
every page while the test watches every request the page makes and every dialog it opens.

A name that is Markdown would fetch its image from evil.example, one that is Plotly HTML would
draw a link, `<img onerror=alert(1)>` would open a dialog: none of that may happen. The server
runs with access control on (the test users' access file) on the session's hostile book; its
output goes to test-artifacts/streamlit-hostile.log, screenshots to
test-artifacts/screenshots/hostile-<page>.png.
"""

from __future__ import annotations

import contextlib
from urllib.parse import urlparse

import duckdb
import pytest

from tests.browser_helpers import ARTIFACTS, VIEWPORT, dashboard_server, exception_text, nav_paths
from tests.hostile_book import EVIL
from tests.test_browser import (  # the same sign-in steps; the browser fixture is in conftest
    SHOTS,
    _open_in_session,
    _sign_in_as,
)

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# Every link and image of the page, SVG ones (Plotly draws its labels in SVG) included.
_LINKS_JS = """
() => Array.from(document.querySelectorAll('a, img, image, iframe, source')).map(e =>
  e.getAttribute('href') || e.getAttribute('xlink:href') || e.getAttribute('src') || '')
"""
WORD_JOINER = "\u2060"


@pytest.fixture(scope="module")
def hostile_server(hostile_db, access_file, tmp_path_factory):
    audit_db = tmp_path_factory.mktemp("hostile_audit") / "audit.sqlite"
    with contextlib.ExitStack() as stack:
        with pytest.MonkeyPatch.context() as env:
            env.setenv("RISK_ACCESS_FILE", str(access_file))
            env.setenv("RISK_AUDIT_DB", str(audit_db))
            url = stack.enter_context(
                dashboard_server(hostile_db, ARTIFACTS / "streamlit-hostile.log")
            )
        yield url


def test_admin_walks_every_page_of_the_hostile_book_without_a_foreign_request_or_dialog(
    hostile_server,
    hostile_db,
    browser,
):
    with duckdb.connect(str(hostile_db), read_only=True) as con:
        customer_id, name = con.sql(
            "select c.customer_id, c.name from customers c join customer_month m"
            " using (customer_id) where m.as_of = (select max(as_of) from month_grid)"
            " and c.name like '<a href%' order by m.exposure desc limit 1"
        ).fetchall()[0]
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    foreign, dialogs = [], []
    tab.on("request", lambda r: foreign.append(r.url) if _foreign(r.url) else None)
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        _sign_in_as(tab, hostile_server, "admin")
        pages = [path or "overview" for path in nav_paths(tab, hostile_server)]
        assert {"overview", "concentration", "watchlist", "customer", "data", "audit"} <= set(pages)
        links = {}
        for page in pages:
            _open_in_session(tab, hostile_server, page)
            tab.wait_for_selector('[data-testid="stMain"] h1')
            links[page] = [link for link in tab.evaluate(_LINKS_JS) if EVIL in link]
            tab.screenshot(path=str(SHOTS / f"hostile-{page}.png"))

        # The customer whose name is an HTML link, opened by its link within the session.
        tab.evaluate(
            "path => { window.history.pushState({}, '', path);"
            " window.dispatchEvent(new PopStateEvent('popstate')); }",
            f"/customer?customer={customer_id}",
        )
        heading = tab.locator('[data-testid="stMain"] h2').first
        heading.wait_for()
        tab.get_by_text(customer_id, exact=False).first.wait_for()
        assert exception_text(tab) is None
        # the name reads as typed (the word joiners are invisible) and is no link
        assert heading.inner_text().replace(WORD_JOINER, "").strip() == name
        assert heading.locator("a, img").count() == 0
        links["customer (hostile)"] = [link for link in tab.evaluate(_LINKS_JS) if EVIL in link]
        tab.screenshot(path=str(SHOTS / "hostile-customer-link.png"))
    finally:
        context.close()
    assert {page: found for page, found in links.items() if found} == {}
    assert foreign == [], sorted(set(foreign))
    assert dialogs == []


def _foreign(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("http", "https", "ws", "wss") and parsed.hostname not in LOCAL_HOSTS
