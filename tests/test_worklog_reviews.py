"""Alert reviews: the state machine, outcomes, assignment, due dates and the listing functions, on
the tiny warehouse's five alerts (tests/worklog_helpers.py)."""

from __future__ import annotations

from datetime import date

import pytest

from data import worklog
from data import worklog_reviews as reviews
from data.worklog import IllegalTransition, InvalidInput
from queries import worklist
from queries.filters import Filters
from tests.worklog_helpers import ADMIN, ALERTS, ANALYST, AS_OF, TODAY, con, store, tiny_db

__all__ = ["con", "store", "tiny_db"]  # fixtures


def test_an_untouched_alert_is_new_at_version_0(con, store) -> None:
    alerts = worklist.alert_reviews(con, ADMIN, Filters(as_of=AS_OF), store=store, today=TODAY)
    assert sorted(alerts["customer_id"]) == ["C1", "C2", "C3", "C4", "C5"]
    assert set(alerts["state"]) == {"new"} and set(alerts["version"]) == {0}
    assert alerts["item_id"].null_count() == 5
    assert dict(zip(alerts["customer_id"], alerts["alert_on"], strict=True)) == ALERTS


def test_the_alert_key_is_the_month_end_of_entry(con) -> None:
    # C5 entered on the mid-month as-of date: its key is the month-end it becomes after the
    # next month's build, so a review stays attached to it.
    alert = reviews.find_alert(con, "C5", date(2026, 3, 31))
    assert (alert.entered_on, alert.alert_on, alert.triggers) == (
        date(2026, 3, 17),
        date(2026, 3, 31),
        ("overdue",),
    )
    with pytest.raises(InvalidInput, match="no watchlist alert of 2026-03"):
        reviews.find_alert(con, "C5", date(2026, 3, 17))


# (changes from new, each (action, expected state or the refusal's text))
PATHS = [
    [("take", "in_review"), ("close", "closed")],
    [("assign", "assigned"), ("take", "in_review"), ("close", "closed")],
    [("assign", "assigned"), ("assign", "assigned"), ("take", "in_review")],
    [("take", "in_review"), ("assign", "assigned"), ("take", "in_review")],
    [("take", "in_review"), ("take", "in_review")],  # another reviewer takes over
    [("comment", "new"), ("take", "in_review"), ("comment", "in_review")],
    [("close", "new cannot be closed: it can be assigned or taken for review next")],
    [("assign", "assigned"), ("close", "assigned cannot be closed: it can be assigned or taken")],
    [("take", "in_review"), ("close", "closed"), ("comment", "closed")],
    [("take", "in_review"), ("close", "closed"), ("take", "closed cannot be taken for review")],
    [("take", "in_review"), ("close", "closed"), ("assign", "closed cannot be assigned: a closed")],
    [("take", "in_review"), ("close", "closed"), ("close", "cannot be closed: a closed review")],
]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " > ".join(a for a, _ in p))
def test_the_state_machine(con, store, path) -> None:
    version = 0
    for action, expected in path:

        def act(v: int = version, a: str = action) -> worklog.Item:
            if a == "take":
                return reviews.take(con, ANALYST, "C1", ALERTS["C1"], v, store=store)
            if a == "assign":
                return reviews.assign(con, ANALYST, "C1", ALERTS["C1"], v, "ana", store=store)
            if a == "close":
                return reviews.close(con, ANALYST, "C1", ALERTS["C1"], v, "no_action", store=store)
            return reviews.comment(con, ANALYST, "C1", ALERTS["C1"], v, "a note", store)

        if expected in reviews.STATES:
            item = act()
            assert item.state == expected and item.version == version + 1
            version = item.version
        else:
            with pytest.raises(IllegalTransition, match=expected):
                act()
            assert reviews.review("C1", ALERTS["C1"], store).version == version


def test_every_state_and_transition_is_listed() -> None:
    assert set(reviews.TRANSITIONS) == set(reviews.STATES)
    assert all(set(targets) <= set(reviews.STATES) for targets in reviews.TRANSITIONS.values())
    assert reviews.TRANSITIONS["closed"] == frozenset()


def test_assign_defaults_to_the_customers_owner(con, store) -> None:
    item = reviews.assign(con, ADMIN, "C2", ALERTS["C2"], 0, note="yours", store=store)
    assert (item.state, item.fields["assignee"], item.note) == ("assigned", "ben", "yours")
    taken = reviews.take(con, ANALYST, "C2", ALERTS["C2"], 1, store=store)
    assert taken.fields["assignee"] == "ben"
    again = reviews.assign(con, ADMIN, "C2", ALERTS["C2"], 2, "ana", store=store)
    assert again.fields["assignee"] == "ana"


@pytest.mark.parametrize("outcome", reviews.OUTCOMES)
def test_a_review_closes_with_each_outcome(con, store, outcome) -> None:
    reviews.take(con, ANALYST, "C4", ALERTS["C4"], 0, store=store)
    closed = reviews.close(con, ANALYST, "C4", ALERTS["C4"], 1, outcome, "done", store)
    assert (closed.state, closed.fields["outcome"], closed.note) == ("closed", outcome, "done")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c, s: reviews.close(c, ANALYST, "C1", ALERTS["C1"], 1, "forgiven", store=s),
         "unknown outcome 'forgiven': one of no_action, limit_cut"),
        (lambda c, s: reviews.take(c, ANALYST, "C1", date(2026, 2, 28), 0, store=s),
         "customer C1 has no watchlist alert of 2026-02"),
        (lambda c, s: reviews.take(c, ANALYST, "C9", ALERTS["C1"], 0, store=s),
         "no customer C9 in the warehouse"),
        (lambda c, s: reviews.assign(c, ANALYST, "C1", ALERTS["C1"], 0, "  ", store=s),
         "the assignee must be a name"),
        (lambda c, s: reviews.take(c, ANALYST, "C1", ALERTS["C1"], -1, store=s),
         "whole number >= 0"),
        (lambda c, s: reviews.take(c, ANALYST, "C1", "2026-01-31", 0, store=s),
         "the alert date must be a date"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_a_message(con, store, call, message) -> None:
    reviews.take(con, ANALYST, "C1", ALERTS["C1"], 0, store=store)
    with pytest.raises(InvalidInput, match=message):
        call(con, store)


def test_due_dates_follow_the_band_at_entry_and_the_policy(con, store) -> None:
    alerts = worklist.alert_reviews(con, ADMIN, Filters(as_of=AS_OF), store=store, today=TODAY)
    due = dict(zip(alerts["customer_id"], alerts["due_on"], strict=True))
    # every tiny customer was Low (review every 12 months) when it entered the list
    assert set(alerts["band"]) == {"Low"}
    assert due["C1"] == date(2027, 1, 31) and due["C5"] == date(2027, 3, 17)
    assert not alerts["overdue"].any()
    # a year later every open review is overdue, and a closed one is not
    reviews.take(con, ANALYST, "C3", ALERTS["C3"], 0, store=store)
    reviews.close(con, ANALYST, "C3", ALERTS["C3"], 1, "limit_cut", store=store)
    later = worklist.alert_reviews(
        con, ADMIN, Filters(as_of=AS_OF), store=store, today=date(2027, 6, 1)
    )
    assert dict(zip(later["customer_id"], later["overdue"], strict=True)) == {
        "C1": True,
        "C2": True,
        "C3": False,
        "C4": True,
        "C5": True,
    }
    overdue = worklist.reviews_overdue(
        con, ADMIN, Filters(as_of=AS_OF), store=store, today=date(2027, 2, 1)
    )
    # due 2026-10-31 (C4), 2026-11-30 (C2), 2027-01-31 (C1); C3 is closed, C5 not yet due
    assert overdue["customer_id"].to_list() == ["C4", "C2", "C1"]


def test_open_alerts_by_age(con, store) -> None:
    reviews.take(con, ANALYST, "C3", ALERTS["C3"], 0, store=store)
    reviews.close(con, ANALYST, "C3", ALERTS["C3"], 1, "no_action", store=store)
    frame = worklist.open_alerts(con, ADMIN, Filters(as_of=AS_OF), store=store, today=TODAY)
    ages = dict(zip(frame["customer_id"], frame["age_days"], strict=True))
    # TODAY 2026-04-08: C4 entered 2025-10-31 (159 days), C2 11-30, C1 2026-01-31, C5 03-17
    assert ages == {"C4": 159, "C2": 129, "C1": 67, "C5": 22}
    buckets = dict(zip(frame["customer_id"], frame["age_bucket"], strict=True))
    assert buckets == {"C4": "90p", "C2": "90p", "C1": "61_90", "C5": "0_30"}


def test_reviews_for_a_set_of_alerts_and_history_per_customer(con, store) -> None:
    reviews.take(con, ANALYST, "C1", ALERTS["C1"], 0, note="first look", store=store)
    reviews.assign(con, ANALYST, "C2", ALERTS["C2"], 0, store=store)
    chosen = worklist.alert_reviews(
        con,
        ADMIN,
        Filters(as_of=None),
        alerts=[("C1", ALERTS["C1"]), ("C2", ALERTS["C2"]), ("C2", date(2020, 1, 31))],
        store=store,
        today=TODAY,
    )
    assert chosen.select("customer_id", "state", "version", "assignee").rows() == [
        ("C2", "assigned", 1, "ben"),
        ("C1", "in_review", 1, "ben"),
    ]
    reviews.close(con, ANALYST, "C1", ALERTS["C1"], 1, "collateral_requested", "asked", store)
    history = worklist.customer_history(con, ADMIN, "C1", store)
    assert history.select("kind", "version", "state", "note").rows() == [
        ("review", 2, "closed", "asked"),
        ("review", 1, "in_review", "first look"),
    ]
