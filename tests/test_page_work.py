"""Work page on the demo warehouse: credit decisions (approve as admin, the authority refusal of an
analyst), alert reviews (take and close, overdue first), the collections worklist (a promise to
pay recorded, a dispute with a reason code) and a region-limited analyst's view.

Each test has its own worklog file (work_store); items are made through the backend as another
person would, then the page is driven as a user."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from data import worklog, worklog_decisions, worklog_reviews
from data.users import User
from data.worklog_access import open_user
from queries import worklist
from queries.filters import Filters
from tests.auth_helpers import REGION_A, REGION_B, app_as
from tests.conftest import page_path
from tests.work_page_helpers import button, field, frame_with, message, texts, work_store

__all__ = ["work_store"]  # the fixture


def work_page(section: str | None = None, working_as: str = "ops") -> AppTest:
    at = AppTest.from_file(page_path("work"), default_timeout=90)
    if section:
        at.query_params["section"] = section
    at.session_state["work_as"] = working_as
    return at.run()


def latest(con) -> date:
    return con.sql("select max(as_of) from month_grid").fetchall()[0][0]


def open_alert(con, region: str | None = None) -> tuple[str, date]:
    """An alert on the list at the latest date (of a customer in `region`)."""
    frame = worklist.alert_reviews(con, open_user("t"), Filters(as_of=latest(con)))
    if region is not None:
        frame = frame.filter(pl.col("region") == region)
    row = frame.row(0, named=True)
    return row["customer_id"], row["alert_on"]


def customer_in(con, region: str) -> str:
    return con.sql(
        "select customer_id from customers where region = $r order by customer_id limit 1",
        params={"r": region},
    ).fetchall()[0][0]


def test_sections_render_and_the_link_opens_one(demo_db, work_store):
    at = work_page()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == message("work.title")
    assert at.subheader[0].value == message("work.decisions_title")
    assert message("work.decisions_none") in texts(at)
    at = work_page("collections")
    assert not at.exception
    assert at.subheader[0].value == message("work.collections_title")
    ranked = frame_with(at, "best_possible_dso")
    assert ranked["rank"].to_list()[:3] == [1, 2, 3]
    assert {"average_days_delinquent", "overdue_90p", "flag"} <= set(ranked.columns)
    assert [b.label for b in at.get("download_button")][:1] == [
        message("work.export_csv", count=f"{ranked.height:,}")
    ]


def test_approve_as_admin(demo_db, demo_con, work_store):
    customer_id = customer_in(demo_con, REGION_A)
    worklog_decisions.request(
        demo_con, open_user("li"), customer_id, reason="cut after review", new_limit=1234.0,
        store=work_store,
    )  # fmt: skip
    at = work_page(working_as="ops")
    table = frame_with(at, "why_not")
    assert table["customer_id"].to_list() == [customer_id]
    assert table["why_not"].to_list() == [""]
    button(at, message("work.approve")).click().run()
    assert not at.exception
    assert "approved" in at.success[0].value
    (decided,) = worklog.items("decision", [customer_id], work_store)
    assert (decided.state, decided.author) == ("approved", "ops")
    assert message("work.decisions_none") in texts(at)


def test_the_requester_cannot_approve_their_own(demo_db, demo_con, work_store):
    customer_id = customer_in(demo_con, REGION_A)
    worklog_decisions.request(
        demo_con, open_user("li"), customer_id, reason="mine", new_limit=10.0, store=work_store
    )
    at = work_page(working_as="li")
    assert frame_with(at, "why_not")["why_not"].to_list() == [message("work.why_not_own")]
    button(at, message("work.approve")).click().run()
    assert at.error, "the page shows the refusal"
    assert worklog.items("decision", [customer_id], work_store)[0].state == "pending"


def test_a_request_above_an_analysts_authority_shows_the_authority(auth_on, demo_con, work_store):
    customer_id = customer_in(demo_con, REGION_A)
    worklog_decisions.request(
        demo_con, User("admin", role="admin"), customer_id, reason="raise",
        new_limit=5_000_000.0, store=work_store,
    )  # fmt: skip
    at = app_as("ana_all", page="work")
    assert not at.exception, [e.value for e in at.exception]
    why = frame_with(at, "why_not")["why_not"][0]
    assert "5.0M" in why and "Analyst: limits up to ¥1.0M" in why, why
    button(at, message("work.approve")).click().run()
    refusal = at.error[0].value
    assert refusal.startswith("Refused: above your approval authority") and "¥1.0M" in refusal
    assert worklog.items("decision", [customer_id], work_store)[0].state == "pending"


def test_take_and_close_an_alert_on_the_work_page(demo_db, demo_con, work_store):
    at = work_page("reviews", working_as="li")
    assert at.subheader[0].value == message("work.reviews_title")
    chosen = field(at.selectbox, "work_alert").value
    customer_id, alert_on = chosen.split("|")
    button(at, message("work.take")).click().run()
    assert message("work.taken", name="").split("{")[0][:8] in at.success[0].value
    review = worklog_reviews.review(customer_id, date.fromisoformat(alert_on), work_store)
    assert (review.state, review.fields["assignee"]) == ("in_review", "li")
    field(at.selectbox, "work_alert").set_value(chosen)
    field(at.selectbox, "_outcome").set_value("limit_cut")
    field(at.text_area, "_close_note").input("limit cut requested")
    button(at, message("work.close")).click().run()
    assert not at.exception
    assert at.success[0].value == message("work.closed", outcome="Credit limit cut")
    review = worklog_reviews.review(customer_id, date.fromisoformat(alert_on), work_store)
    assert (review.state, review.fields["outcome"], review.note) == (
        "closed", "limit_cut", "limit cut requested",
    )  # fmt: skip
    # closed alerts leave the open list
    shown = frame_with(at, "overdue")
    assert customer_id not in shown["customer_id"].to_list()


def test_overdue_reviews_come_first(demo_db, work_store):
    at = work_page("reviews")
    shown = frame_with(at, "overdue")["overdue"].to_list()
    marked = [bool(v) for v in shown]
    assert marked == sorted(marked, reverse=True)  # every overdue one before the others


def test_a_promise_and_a_dispute_from_the_worklist(demo_db, work_store):
    at = work_page("collections", working_as="li")
    customer_id = field(at.selectbox, "work_collector").value
    button(at, message("work.record_promise")).click().run()
    assert not at.exception
    assert "Promise of" in at.success[0].value
    (promise,) = worklog.items("promise", [customer_id], work_store)
    assert promise.state == "open" and promise.author == "li"
    at = work_page("collections", working_as="li")
    assert frame_with(at, "open_promises").filter(customer_id=customer_id)["open_promises"][0] == 1
    at.selectbox[-1].set_value("quality")  # the dispute's reason code
    button(at, message("work.open_dispute")).click().run()
    (dispute,) = worklog.items("dispute", [customer_id], work_store)
    assert dispute.fields["reason"] == "quality"


def test_a_region_limited_analyst_sees_only_their_region(auth_on, demo_con, work_store):
    a, b = customer_in(demo_con, REGION_A), customer_in(demo_con, REGION_B)
    admin = User("admin", role="admin")
    for customer_id in (a, b):
        worklog_decisions.request(
            demo_con, admin, customer_id, reason="r", new_limit=100.0, store=work_store
        )
    at = app_as("ana_a", page="work")
    assert not at.exception, [e.value for e in at.exception]
    assert frame_with(at, "why_not")["customer_id"].to_list() == [a]
    for section, column in (("reviews", "overdue"), ("collections", "best_possible_dso")):
        field(at.get("button_group"), "work_section").set_value(section).run()
        assert not at.exception
        shown = frame_with(at, column)["customer_id"].to_list()
        regions = dict(demo_con.sql("select customer_id, region from customers").fetchall())
        assert shown and {regions[c] for c in shown} == {REGION_A}, section


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_codes_are_shown_in_words(demo_db, work_store, lang):
    at = AppTest.from_file(page_path("work"), default_timeout=90)
    at.query_params["lang"] = lang
    at.query_params["section"] = "reviews"
    at.run()
    states = set(frame_with(at, "state")["state"].to_list())
    assert states == {message("work_state.new", lang)}
