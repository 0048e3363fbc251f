"""Exports under access control: a download's file is built after the page ran, in a server
thread without the session, for the user the button was drawn for, and every export is audited."""

from __future__ import annotations

import io
import re
import threading

import polars as pl
import pytest
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard.auth import AccessDenied
from data import audit
from tests.auth_helpers import REGION_A, app_as
from tests.test_access_pages import ALL_PAGES, EXECUTIVE_PAGES

CUSTOMER_ID = re.compile(r"\bC\d{7}\b")  # word-bounded: a pseudonym holds hex digits


@pytest.fixture
def downloads(monkeypatch) -> list[tuple[str, object]]:
    """(label, data) of every download button drawn; data is what a click would build."""
    captured: list[tuple[str, object]] = []
    original = DeltaGenerator.download_button

    def spy(self, label, data, *args, **kwargs):
        captured.append((label, data))
        return original(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", spy)
    # st.download_button is bound to the main area when streamlit is imported.
    monkeypatch.setattr(st, "download_button", lambda *a, **k: spy(st._main, *a, **k))  # noqa: SLF001
    return captured


def click(data) -> bytes:
    """Build a download's file the way the server does: in another thread, after the run."""
    if not callable(data):
        return data
    result: dict[str, object] = {}

    def run() -> None:
        try:
            result["bytes"] = data()
        except Exception as err:  # noqa: BLE001 - handed to the test
            result["error"] = err

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    if "error" in result:
        raise result["error"]
    return result["bytes"]


def as_text(content: bytes | str, label: str) -> str:
    if isinstance(content, str):
        return content
    if content[:2] == b"PK":  # an Excel workbook
        return pl.read_excel(io.BytesIO(content)).write_csv()
    return content.decode("utf-8-sig")


def test_an_analysts_watchlist_exports_hold_their_region_only_and_are_audited(
    auth_on, demo_con, downloads
):
    region_of = dict(demo_con.sql("select customer_id, region from customers").fetchall())
    at = app_as("ana_a", "watchlist")
    assert not at.exception
    chart_data = [(label, data) for label, data in downloads if label == "Data (CSV)"]
    exports = [(label, data) for label, data in downloads if label != "Data (CSV)"]
    # the Overview's charts (the first page of the run) and the Watchlist trend's have their data
    assert len(exports) == 2 and chart_data
    for label, data in exports:
        text = as_text(click(data), label)
        ids = set(CUSTOMER_ID.findall(text))
        assert ids and {region_of[i] for i in ids} == {REGION_A}, label
    events = audit.recent(actions=("export",), path=auth_on).sort("audit_id")
    assert events["who"].to_list() == ["ana_a", "ana_a"]
    assert events["detail"].to_list() == ["watchlist (csv)", "watchlist (xlsx)"]
    assert events["rows"][0] > 0 and events["rows"][0] == events["rows"][1]
    # a chart's data is an export too, logged under the chart's name
    assert as_text(click(chart_data[-1][1]), "csv").startswith("Series,")
    events = audit.recent(actions=("export",), path=auth_on).sort("audit_id")
    assert events["detail"].to_list()[-1] == "chart watchlist_flows (csv)"


def test_no_customer_identifier_in_any_export_of_an_executives_pages(auth_on, demo_con, downloads):
    names = {r[0] for r in demo_con.sql("select name from customers").fetchall()}
    exported = 0
    for page in sorted(EXECUTIVE_PAGES & ALL_PAGES):
        downloads.clear()
        at = app_as("exec", page)
        assert not at.exception, page
        for label, data in downloads:
            text = as_text(click(data), label)
            exported += 1
            assert not CUSTOMER_ID.search(text), (page, label)
            assert not [n for n in names if n in text], (page, label)


def test_a_user_removed_before_the_click_exports_nothing(auth_on, downloads, monkeypatch, tmp_path):
    app_as("ana_a", "watchlist")
    other = tmp_path / "access.toml"
    other.write_text("[users.admin]\nrole = 'admin'\n")
    monkeypatch.setenv("RISK_ACCESS_FILE", str(other))
    with pytest.raises(AccessDenied):
        click(downloads[0][1])
    assert audit.recent(actions=("export",), path=auth_on).is_empty()


def test_the_audit_log_is_shown_to_admins_and_its_export_is_audited_too(auth_on, downloads):
    audit.record("sign_in", who="ana_a", role="analyst", detail="password")
    at = app_as("admin", "audit")
    assert not at.exception
    assert at.title[0].value == "Audit log"
    assert "ana_a" in at.dataframe[0].value["who"].to_list()
    [(label, data)] = [(label, data) for label, data in downloads if label != "Data (CSV)"]
    assert "ana_a" in as_text(click(data), label)
    assert audit.recent(actions=("export",), path=auth_on)["detail"].to_list() == ["audit (csv)"]
