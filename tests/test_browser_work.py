"""Acting on risk in a real browser (issue 16): an analyst reviews an alert on the Watchlist and
requests a credit limit cut from the Customer page, an admin approves it on the Work page, and
after a build the Customer page shows the new limit and utilisation.

The dashboard runs on a copy of the demo warehouse with its own worklog beside it (the build
writes the warehouse). Access control is off, so the analyst and the admin are the names typed in
"Working as" (a requester never approves their own). Screenshots of the Watchlist with review
states and of the Work page, in English and Chinese, go to test-artifacts/screenshots/work-*.png.
"""

from __future__ import annotations

import re
import shutil

import pytest

from dashboard.components.formats import money, percent
from tests.browser_helpers import ARTIFACTS, VIEWPORT, dashboard_server, exception_text, settle

SHOTS = ARTIFACTS / "screenshots"
CUSTOMER_ID = re.compile(r"\bC\d{7}\b")


@pytest.fixture(scope="module")
def work_db(demo_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser_work")
    copy = folder / "warehouse.duckdb"
    shutil.copy(demo_db, copy)
    return copy


@pytest.fixture(scope="module")
def work_server(work_db):
    with pytest.MonkeyPatch.context() as env:
        # the worklog beside the copy, where the build looks for approved decisions
        env.delenv("RISK_WORKLOG_DB", raising=False)
        with dashboard_server(work_db, ARTIFACTS / "streamlit-work.log") as url:
            yield url


def _open(tab, url: str) -> None:
    tab.goto(url)
    settle(tab)
    assert exception_text(tab) is None, url


def _work_as(tab, name: str) -> None:
    box = tab.locator('input[aria-label="Working as"]')
    box.fill(name)
    box.press("Enter")
    settle(tab)


def _choose(tab, label: str, option: str) -> None:
    box = tab.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    field = box.get_by_role("combobox")
    field.click()
    field.fill(option)
    tab.get_by_role("option").filter(has_text=option).first.click()
    settle(tab)


def _wait_text(tab, text: str) -> None:
    # wait for the state asserted, not for a time
    tab.get_by_text(text).first.wait_for(timeout=90_000)
    settle(tab)
    assert exception_text(tab) is None


def _shown(selectbox) -> str:
    """What a selectbox shows: its label, and its value (an input's value or text)."""
    return selectbox.evaluate(
        "e => e.innerText + ' ' + [...e.querySelectorAll('input')].map(i => i.value).join(' ')"
    )


def _facts(tab) -> str:
    return tab.locator('[data-testid="stMain"]').inner_text()


def _metric(tab, label: str) -> str:
    card = tab.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return card.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_review_request_approve_and_the_build_shows_the_decision(work_server, work_db, browser):
    from data import warehouse
    from data.build import rebuild

    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    try:
        # --- the analyst reviews an alert on the Watchlist ---------------------------------
        _open(tab, f"{work_server}/watchlist?lang=en")
        _work_as(tab, "li")
        chosen = tab.locator('[data-testid="stSelectbox"]').filter(has_text="Alert to work on")
        found = CUSTOMER_ID.search(_shown(chosen))
        assert found, _shown(chosen)
        customer_id = found.group(0)
        tab.get_by_role("button", name="Take for review").click()
        _wait_text(tab, "You took the alert of")
        _choose(tab, "Outcome", "Credit limit cut")
        tab.locator('textarea[aria-label="Note"]').fill("overdue and over the limit: cut the limit")
        tab.get_by_role("button", name="Close review").click()
        _wait_text(tab, "Review closed: Credit limit cut")
        assert "Closed · Credit limit cut" in _shown(chosen)
        tab.locator('[data-testid="stHeading"]').filter(
            has_text="Alert reviews"
        ).scroll_into_view_if_needed()
        tab.screenshot(path=str(SHOTS / "work-watchlist-reviews-en.png"), full_page=True)

        # --- and requests a limit cut from the Customer page -------------------------------
        _open(tab, f"{work_server}/customer?customer={customer_id}&lang=en")
        _work_as(tab, "li")
        before_limit = _limit_in(work_db, customer_id)
        before_use = _metric(tab, "Limit use")
        new_limit = round(before_limit / 2, -3)
        tab.get_by_text("Request a credit decision").click()
        tab.locator('input[aria-label="New credit limit"]').fill(f"{new_limit:.0f}")
        tab.locator('textarea[aria-label="Reason"]').fill("review closed with a limit cut")
        tab.get_by_role("button", name="Request decision").click()
        _wait_text(tab, "requested: it waits for approval")

        # --- an admin approves it on the Work page -----------------------------------------
        _open(tab, f"{work_server}/work?lang=en&section=decisions")
        _work_as(tab, "ops")
        tab.get_by_role("button", name="Approve").click()
        _wait_text(tab, "approved: the next build or load shows the new credit limit")
        tab.screenshot(path=str(SHOTS / "work-decisions-en.png"), full_page=True)

        # --- a build writes the decision into credit_reviews; the page shows it ------------
        with warehouse.writing(work_db) as con:
            rebuild(con)
        after_limit = _limit_in(work_db, customer_id)
        assert after_limit == new_limit != before_limit
        _open(tab, f"{work_server}/customer?customer={customer_id}&lang=en")
        exposure, utilisation = _position(work_db, customer_id)
        text = _facts(tab)
        assert money(new_limit) in text, (money(new_limit), text[:600])
        after_use = _metric(tab, "Limit use")
        assert after_use == percent(utilisation, 0) != before_use
        assert abs(utilisation - exposure / new_limit) < 1e-9
        tab.screenshot(path=str(SHOTS / "work-customer-after-build-en.png"), full_page=True)

        # --- the same views in Chinese, for the eye -----------------------------------------
        for section in ("reviews", "collections", "decisions"):
            _open(tab, f"{work_server}/work?lang=zh&section={section}")
            tab.screenshot(path=str(SHOTS / f"work-{section}-zh.png"), full_page=True)
        _open(tab, f"{work_server}/work?lang=en&section=collections")
        tab.screenshot(path=str(SHOTS / "work-collections-en.png"), full_page=True)
        _open(tab, f"{work_server}/watchlist?lang=zh")
        tab.screenshot(path=str(SHOTS / "work-watchlist-reviews-zh.png"), full_page=True)
    finally:
        context.close()


def _limit_in(db, customer_id: str) -> float:
    """The credit limit in force at the warehouse's latest month (customer_month)."""
    exposure, utilisation = _position(db, customer_id)
    from data import warehouse

    with warehouse.connect(db, read_only=True) as con:
        return con.sql(
            "select credit_limit from customer_month where customer_id = $c "
            "and as_of = (select max(as_of) from month_grid)",
            params={"c": customer_id},
        ).fetchall()[0][0]


def _position(db, customer_id: str) -> tuple[float, float]:
    from data import warehouse

    with warehouse.connect(db, read_only=True) as con:
        return con.sql(
            "select exposure, utilisation from customer_month where customer_id = $c "
            "and as_of = (select max(as_of) from month_grid)",
            params={"c": customer_id},
        ).fetchall()[0]
