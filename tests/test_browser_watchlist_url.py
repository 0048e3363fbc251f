"""The Watchlist's own filters as a link, in a real Chromium: a URL with wl_* parameters opens the
list filtered and sorted, and a filter changed on the page goes back into the URL.

Waits are for the state asserted (a caption with the expected count, a URL), never for a time.
The server's output goes to test-artifacts/streamlit-watchlist-url.log.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.browser_helpers import ARTIFACTS, VIEWPORT, dashboard_server, exception_text

SHOTS = ARTIFACTS / "screenshots"
WAIT = 90_000  # ms: the first render after a start can take a while on 2 cores


@pytest.fixture(scope="module")
def server(demo_db):
    with dashboard_server(demo_db, ARTIFACTS / "streamlit-watchlist-url.log") as url:
        yield url


@pytest.fixture
def tab(browser):
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    yield page
    context.close()


def latest(con) -> date:
    return con.sql("select max(as_of) from month_grid").fetchall()[0][0]


def test_a_link_with_watchlist_filters_opens_the_list_filtered(server, tab, demo_con):
    region = demo_con.sql("select min(region) from customers").fetchall()[0][0]
    rows = demo_con.sql(
        "select m.customer_id, m.score from customer_month as m join customers as c "
        "using (customer_id) where m.as_of = $d and m.on_watchlist and m.grade in ('D', 'E') "
        "and c.region = $r order by m.score desc, m.customer_id",
        params={"d": latest(demo_con), "r": region},
    ).fetchall()
    expected = len(rows)
    assert expected > 0  # so the count below tells a filtered list from an unfiltered one
    everyone = demo_con.sql(
        "select count(*) from customer_month where as_of = $d and on_watchlist",
        params={"d": latest(demo_con)},
    ).fetchall()[0][0]
    assert everyone != expected

    tab.goto(f"{server}/watchlist?wl_grade=D,E&wl_sort=score&region={region}&lang=en")
    # the state itself: the list's caption with the count the link's filters give, sorted by score
    caption = tab.get_by_text(
        re.compile(rf"^{expected:,} of {expected:,} customers shown \(largest score first\)")
    )
    caption.wait_for(timeout=WAIT)
    assert exception_text(tab) is None
    # the grade filter shows the link's two grades (waited for: the widget may draw after the list)
    grade = tab.locator(".st-key-wl_grades")
    for letter in ("D", "E"):
        grade.get_by_text(letter, exact=True).wait_for(timeout=WAIT)
    assert tab.locator(".st-key-wl_sort").get_by_role("radio", name="Score").is_checked()
    # the first row of the grid (its accessible table) is the highest score of the link's view
    table = tab.locator('.st-key-wl_table [data-testid="stDataFrame"]')
    first = table.locator('[role="row"]').nth(1).locator('[role="gridcell"]').nth(0)
    assert first.inner_text().strip() == rows[0][0]
    tab.mouse.move(0, 0)
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / "watchlist-from-link.png"))

    # a filter typed on the page is written back to the URL, next to the link's ones
    search = tab.locator(".st-key-wl_search input")
    search.fill(rows[0][0])
    search.press("Enter")
    tab.wait_for_url(re.compile(r"[?&]wl_q=" + re.escape(rows[0][0]) + r"(&|$)"), timeout=WAIT)
    assert re.search(r"[?&]wl_grade=D(,|%2C)E(&|$)", tab.url), tab.url
    assert re.search(r"[?&]region=" + re.escape(region) + r"(&|$)", tab.url), tab.url
    tab.get_by_text(re.compile(r"^1 of 1 customers shown")).wait_for(timeout=WAIT)
    assert exception_text(tab) is None
