"""The Data page's alerts section (issue 15, item 3) with AppTest: the subscriptions and the recent
deliveries (sent, failed, pending) of an alerts store made here."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from data import alert_store
from tests.conftest import page_path

ALERT = {"customer_id": "C1", "alert_on": "2026-10-31", "name": "Alpha"}


@pytest.fixture
def store(demo_db, tmp_path, monkeypatch):
    path = tmp_path / "alerts.sqlite"
    monkeypatch.setenv("RISK_ALERTS_DB", str(path))
    return path


def _fill(path) -> None:
    con = alert_store.connect(path)
    alert_store.subscribe(con, "email", "ana@example.com", "zh", "region", "North", "cli:ana")
    alert_store.subscribe(
        con, "webhook", "https://chat.example.com/hooks/T0KEN", "en", "grade", "E", "cli:ana"
    )
    alert_store.queue(
        con,
        [
            ("email", "ana@example.com", "zh", ALERT),
            ("email", "ana@example.com", "zh", {**ALERT, "customer_id": "C2"}),
            ("webhook", "https://chat.example.com/hooks/T0KEN", "en", ALERT),
        ],
    )
    ids = {d.customer_id + d.channel: d.delivery_id for d in alert_store.unsent(con)}
    alert_store.mark(con, [ids["C1email"]], None)
    alert_store.mark(con, [ids["C1webhook"]], "webhook answered HTTP 500 Internal Server Error")
    con.close()


def _section_frames(at):
    frames = {}
    for frame in at.dataframe:
        value = frame.value
        if "subscription_id" in value.columns:
            frames["subscriptions"] = value
        elif "attempts" in value.columns:
            frames["deliveries"] = value
    return frames


def test_an_admin_sees_subscriptions_and_deliveries_by_status(store):
    _fill(store)
    at = AppTest.from_file(page_path("data_sources"), default_timeout=60).run()
    assert not at.exception
    assert "Alert subscriptions and deliveries" in [s.value for s in at.subheader]
    frames = _section_frames(at)
    subs = frames["subscriptions"]
    assert subs["channel"].tolist() == ["E-mail", "Webhook"]
    # the webhook's token is not shown
    assert subs["address"].tolist() == ["ana@example.com", "https://chat.example.com/…"]
    assert subs["filter"].tolist() == ["Region North", "Grade E"]
    assert subs["language"].tolist() == ["Chinese", "English"]
    deliveries = frames["deliveries"]
    statuses = sorted(
        zip(deliveries["customer_id"], deliveries["channel"], deliveries["status"], strict=True)
    )
    assert statuses == [
        ("C1", "E-mail", "Sent"),
        ("C1", "Webhook", "Failed"),
        ("C2", "E-mail", "Pending"),
    ]
    assert "1 sent · 1 failed · 1 pending" in [c.value for c in at.caption]
    assert "Failed deliveries are sent again by the next run." in [w.value for w in at.warning]


def test_the_section_in_chinese(store):
    _fill(store)
    at = AppTest.from_file(page_path("data_sources"), default_timeout=60)
    at.query_params["lang"] = "zh"
    at.run()
    assert not at.exception
    assert "预警订阅与发送记录" in [s.value for s in at.subheader]
    assert "已发送 1 · 失败 1 · 待发送 1" in [c.value for c in at.caption]
    frames = _section_frames(at)
    assert frames["subscriptions"]["filter"].tolist() == ["地区：华北", "风险等级：E"]
    assert sorted(frames["deliveries"]["status"]) == sorted(["已发送", "失败", "待发送"])


def test_without_an_alerts_file_the_section_says_so(store):
    at = AppTest.from_file(page_path("data_sources"), default_timeout=60).run()
    assert not at.exception
    infos = [i.value for i in at.info]
    assert any(i.startswith("No subscriptions yet") for i in infos)
    assert "No deliveries yet." in infos
    assert not store.exists()  # the page reads; it never creates the file
