"""Shared fixtures: warehouses built once per session, Streamlit caches cleared between tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import streamlit as st

ROOT = Path(__file__).resolve().parent.parent
# Every value check of every query result runs in the tests (schemas/results.py); the dashboard
# itself checks columns and types only.
os.environ["RISK_RESULT_CHECKS"] = "full"
DEMO_CUSTOMERS = (
    600  # small enough to build in seconds, large enough for every page to have content
)
# The suite runs the open dashboard unless a test configures an access file itself: a developer's
# access.toml at the repository root must not switch sign-in on for every test.
os.environ["RISK_ACCESS_FILE"] = "off"
# Access-control fixtures (access_file, auth_on) for the tests that switch it on.
pytest_plugins = ["tests.auth_helpers"]


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    # Cached query results and the shared connection must not leak from one test into the next.
    from dashboard.access import release_all

    release_all()
    st.cache_data.clear()
    st.cache_resource.clear()
    yield


@pytest.fixture(scope="session")
def spark():
    """One local Spark session (local[2]) for every Spark test module; they skip themselves
    first when the extra or Java is missing (tests/spark_helpers.require_spark)."""
    from data.spark_build import spark_session

    with spark_session("local[2]") as session:
        session.sparkContext.setLogLevel("ERROR")
        yield session


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """A demo warehouse (manufacturer, 600 customers, seed 7), built once per test session.

    Tests must not write to it; they get its path and RISK_DB points at it for AppTest pages.
    """
    from data.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "warehouse.duckdb"
    build_demo(path, scenario="manufacturer", customers=DEMO_CUSTOMERS, seed=7)
    previous = os.environ.get("RISK_DB")
    os.environ["RISK_DB"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("RISK_DB", None)
    else:
        os.environ["RISK_DB"] = previous


@pytest.fixture(scope="session")
def hostile_db(tmp_path_factory) -> Path:
    """The hostile book (tests/hostile_book.py: names, owners, notes and file names that are
    Markdown, HTML, Plotly tags, LaTeX, formulas and bidirectional controls), built once."""
    from tests.hostile_book import build_hostile

    return build_hostile(tmp_path_factory.mktemp("hostile") / "warehouse.duckdb")


@pytest.fixture
def hostile_book(hostile_db, monkeypatch) -> Path:
    """RISK_DB on the hostile book for this test (page AppTests read it); returns its path."""
    monkeypatch.setenv("RISK_DB", str(hostile_db))
    return hostile_db


@pytest.fixture
def demo_con(demo_db):
    """A read-only connection to the session's demo warehouse."""
    from data import warehouse

    con = warehouse.connect(demo_db, read_only=True)
    yield con
    con.close()


def page_path(name: str) -> str:
    """Path of a page script for AppTest.from_file, from the repository root."""
    return str(ROOT / "dashboard" / "pages" / f"{name}.py")


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session (Debian's package, Playwright's sync API). Defined
    once here: a second sync_playwright() while the first runs fails ("Sync API inside the asyncio
    loop"), so browser test modules share this one."""
    from playwright.sync_api import sync_playwright

    from tests.browser_helpers import CHROMIUM, CHROMIUM_ARGS

    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: apt-get install -y chromium"
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
