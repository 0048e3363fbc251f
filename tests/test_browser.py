"""The whole app in a real headless Chromium (Debian's package, driven by Playwright).

One server on the session's demo warehouse, started as the README does, and one browser for the
module. Every page in the navigation is opened and screenshotted into test-artifacts/screenshots/
(look at them); any Streamlit exception element fails the test.
"""

from __future__ import annotations

import csv
import io
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(demo_db):
    port = free_port()
    env = {**os.environ, "RISK_DB": str(demo_db)}
    # `streamlit run app.py` from the project's environment, as `uv run streamlit run app.py` does.
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        process.kill()
        raise RuntimeError("the dashboard did not answer on /_stcore/health")
    yield url
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), (
        "Debian's chromium is needed: apt-get install -y chromium (.ci/run does it)"
    )
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 2400}, accept_downloads=True)
    tab = context.new_page()
    yield tab
    context.close()


def settle(tab, quiet_seconds: int = 2, limit: float = 90) -> None:
    """Wait until the app shows and Streamlit's running indicator has been gone for a while."""
    tab.wait_for_selector('[data-testid="stApp"]', timeout=120_000)
    quiet, started = 0, time.time()
    while quiet < quiet_seconds * 2 and time.time() - started < limit:
        busy = tab.locator('[data-testid="stStatusWidget"]').count() > 0
        quiet = 0 if busy else quiet + 1
        time.sleep(0.5)


def assert_no_exception(tab, where: str) -> None:
    errors = tab.locator('[data-testid="stException"]')
    if errors.count():
        pytest.fail(f"{where}: {errors.first.inner_text()[:800]}")


def test_every_page_renders_without_exception(server, page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(server)
    settle(page)
    hrefs = [
        link.get_attribute("href") for link in page.locator('[data-testid="stSidebarNav"] a').all()
    ]
    # "http://host:port/watchlist" -> "watchlist"; the default page (Overview) is the root URL -> "".
    paths = sorted(
        {href.split("?")[0].split("//", 1)[-1].partition("/")[2].strip("/") for href in hrefs}
    )
    names = {path or "overview" for path in paths}
    expected = {
        "overview",
        "grades",
        "concentration",
        "watchlist",
        "customer",
        "credit-control",
        "collections",
        "data",
    }
    assert expected <= names, names
    for path in paths:
        name = path or "overview"
        page.goto(f"{server}/{path}")
        settle(page)
        assert_no_exception(page, name)
        page.screenshot(path=str(SHOTS / f"{name}.png"))
        assert page.locator("h1").count() >= 1, f"{name} has no title"


def test_global_filter_goes_into_the_url_and_survives_a_page_change(server, page):
    page.goto(server)
    settle(page)
    page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first.click()
    page.get_by_role("option").first.click()
    page.keyboard.press("Escape")
    settle(page)
    assert re.search(r"[?&]segment=", page.url), page.url
    assert_no_exception(page, "overview with a segment")
    page.locator('[data-testid="stSidebarNav"] a[href$="/watchlist"]').click()
    settle(page)
    assert "/watchlist" in page.url and re.search(r"[?&]segment=", page.url), page.url
    assert_no_exception(page, "watchlist with a segment")


def test_watchlist_row_opens_the_customer_and_export_downloads(server, page):
    page.goto(f"{server}/watchlist")
    settle(page)
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("Export CSV")).click()
    text = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:2] == ["customer_id", "name"] and len(rows) > 1
    first_id, first_name = rows[1][0], rows[1][1]
    # Exactly the filtered rows: as many as the caption says match, not only the 500 shown.
    caption = page.get_by_text(re.compile(r"of [\d,]+ customers shown")).inner_text()
    matching = int(re.search(r"of ([\d,]+) customers shown", caption).group(1).replace(",", ""))
    assert len(rows) - 1 == matching
    grid = page.locator('[data-testid="stDataFrame"]').nth(1)
    box = grid.bounding_box()
    # The selection column sits left of the first data row (header ≈ 35 px, rows ≈ 35 px high).
    page.mouse.click(box["x"] + 15, box["y"] + 35 + 17)
    page.wait_for_url(re.compile(r"/customer\?.*customer="), timeout=30_000)
    settle(page)
    assert_no_exception(page, "customer from the watchlist")
    assert page.locator("h2").first.inner_text().strip() == first_name or first_id in page.url
    page.screenshot(path=str(SHOTS / "customer-from-watchlist.png"))
