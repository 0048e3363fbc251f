"""Collections: contacts, promises to pay (kept, broken, open), disputes, the ranked worklist with
its aging and DSO figures by hand, and the Overview's counts, on the tiny warehouse as of
2026-03-17 (tests/tiny_warehouse.py)."""

from __future__ import annotations

from datetime import date

import pytest

from data import worklog
from data import worklog_collections as collections
from data import worklog_decisions as decisions
from data import worklog_reviews as reviews
from data.worklog import IllegalTransition, InvalidInput
from queries import worklist
from queries import worklist_collections as worklists
from queries.filters import Filters
from tests.worklog_helpers import ADMIN, ALERTS, ANALYST, AS_OF, TODAY, con, store, tiny_db

__all__ = ["con", "store", "tiny_db"]  # fixtures


def test_the_worklist_by_hand(con, store) -> None:
    frame = worklists.collections_worklist(
        con, ADMIN, Filters(as_of=AS_OF), store=store, today=TODAY
    )
    # customers overdue at 2026-03-17, by expected loss x max DPD (the shipped policy's ranking)
    assert frame.select("rank", "customer_id", "max_dpd", "overdue_amount").rows() == [
        (1, "C3", 106, 4_000.0),
        (2, "C5", 35, 1_500.0),
        (3, "C1", 61, 5_000.0),
        (4, "C2", 45, 3_000.0),
    ]
    assert set(frame["ranking"]) == {"el_x_dpd"}
    c1 = frame.filter(customer_id="C1").row(0, named=True)
    # C1: P2 (3000, due 01-15: 61 days), P3 (2000 left, due 02-15: 30 days), P4 (3000, due
    # 04-15, billed 03-16: current); billed in the 90 days: P3 (billed 01-16) and P4 = 6000
    assert (c1["receivables"], c1["current_receivables"]) == (8_000.0, 3_000.0)
    assert (c1["overdue_1_30"], c1["overdue_31_60"], c1["overdue_61_90"], c1["overdue_90p"]) == (
        2_000.0,
        0.0,
        3_000.0,
        0.0,
    )
    assert c1["credit_sales_90d"] == 6_000.0
    assert c1["dso"] == pytest.approx(120.0)  # 8000 / 6000 * 90
    assert c1["best_possible_dso"] == pytest.approx(45.0)  # 3000 / 6000 * 90
    assert c1["average_days_delinquent"] == pytest.approx(75.0)  # 120 - 45
    assert c1["rank_value"] == pytest.approx(c1["expected_loss"] * 61)
    # C3 billed nothing in the 90 days: no DSO figures
    c3 = frame.filter(customer_id="C3").row(0, named=True)
    assert c3["overdue_90p"] == 4_000.0 and c3["dso"] is None


@pytest.mark.parametrize(
    ("ranking", "order"),
    [
        ("el_x_dpd", ["C3", "C5", "C1", "C2"]),
        ("overdue_amount", ["C1", "C3", "C2", "C5"]),
        ("dpd", ["C3", "C1", "C2", "C5"]),
    ],
)
def test_the_ranking_the_policy_may_choose(con, store, ranking, order) -> None:
    frame = worklists.collections_worklist(
        con, ADMIN, Filters(as_of=AS_OF), ranking=ranking, store=store, today=TODAY
    )
    assert frame["customer_id"].to_list() == order


def test_an_unknown_ranking_is_refused(con, store) -> None:
    with pytest.raises(InvalidInput, match="unknown ranking 'size'"):
        worklists.collections_worklist(
            con, ADMIN, Filters(as_of=AS_OF), ranking="size", store=store
        )


def _promises(con, store) -> None:
    # C2: made 03-20 for 03-25, nothing paid since: broken (in March)
    collections.promise(con, ANALYST, "C2", amount=500.0, promised_on=date(2026, 3, 25),
                        today=date(2026, 3, 20), store=store)  # fmt: skip
    # C1: made 03-18 for 03-31; P2 paid 3000 on 03-20: kept
    collections.promise(con, ANALYST, "C1", amount=2_000.0, promised_on=date(2026, 3, 31),
                        today=date(2026, 3, 18), store=store)  # fmt: skip
    # C5: made 04-01 for 04-05, nothing paid: broken (in April, this month)
    collections.promise(con, ANALYST, "C5", amount=100.0, promised_on=date(2026, 4, 5),
                        today=date(2026, 4, 1), store=store)  # fmt: skip
    # C3: made today for the end of the month: open
    collections.promise(con, ANALYST, "C3", amount=4_000.0, promised_on=date(2026, 4, 30),
                        today=TODAY, store=store)  # fmt: skip


def test_promises_are_kept_broken_or_open(con, store) -> None:
    _promises(con, store)
    frame = worklists.promises(con, ADMIN, store=store, today=TODAY)
    assert frame.select("customer_id", "status", "paid_since").rows() == [
        ("C2", "broken", 0.0),
        ("C1", "kept", 3_000.0),
        ("C5", "broken", 0.0),
        ("C3", "open", 0.0),
    ]
    broken = worklists.promises_broken_this_month(con, ADMIN, store, today=TODAY)
    assert broken["customer_id"].to_list() == ["C5"]
    # a broken promise raises the customer: C5 and C2 come first, by the ranking among them
    ranked = worklists.collections_worklist(
        con, ADMIN, Filters(as_of=AS_OF), store=store, today=TODAY
    )
    assert ranked.select("customer_id", "broken_promises", "open_promises").rows() == [
        ("C5", 1, 0),
        ("C2", 1, 0),
        ("C3", 0, 1),
        ("C1", 0, 0),
    ]
    assert ranked.filter(customer_id="C3")["promised_amount"].to_list() == [4_000.0]


def test_a_cancelled_promise_is_neither_open_nor_broken(con, store) -> None:
    made = collections.promise(con, ANALYST, "C2", amount=500.0, promised_on=date(2026, 3, 25),
                               today=date(2026, 3, 20), store=store)  # fmt: skip
    with pytest.raises(InvalidInput, match="a note is required"):
        collections.cancel_promise(con, ANALYST, made.item_id, 1, "", store)
    collections.cancel_promise(con, ANALYST, made.item_id, 1, "replaced by a plan", store)
    frame = worklists.promises(con, ADMIN, store=store, today=TODAY)
    assert frame.select("status", "state", "version").rows() == [("cancelled", "cancelled", 2)]
    with pytest.raises(IllegalTransition, match="this promise is cancelled"):
        collections.cancel_promise(con, ANALYST, made.item_id, 2, "again", store)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c, s: collections.promise(c, ANALYST, "C1", amount=100.0,
                                          promised_on=date(2026, 4, 7), today=TODAY, store=s),
         "the promised date 2026-04-07 is in the past"),
        (lambda c, s: collections.promise(c, ANALYST, "C1", amount=-5.0,
                                          promised_on=date(2026, 4, 9), today=TODAY, store=s),
         "the promised amount must be more than 0, not -5.00"),
        (lambda c, s: collections.promise(c, ANALYST, "C1", amount=0,
                                          promised_on=date(2026, 4, 9), today=TODAY, store=s),
         "the promised amount must be more than 0"),
        (lambda c, s: collections.promise(c, ANALYST, "C1", amount=float("inf"),
                                          promised_on=date(2026, 4, 9), today=TODAY, store=s),
         "the promised amount must be a number"),
        (lambda c, s: collections.open_dispute(c, ANALYST, "C1", reason="too_expensive", store=s),
         "unknown dispute reason 'too_expensive': one of pricing, quality, delivery, "
         "billing_error, not_ordered, other"),
        (lambda c, s: collections.open_dispute(c, ANALYST, "C1", reason="quality", amount=-1.0,
                                               store=s),
         "the disputed amount must be more than 0"),
        (lambda c, s: collections.record_contact(c, ANALYST, "C1", channel="pigeon",
                                                 outcome="reached", store=s),
         "unknown channel 'pigeon'"),
        (lambda c, s: collections.record_contact(c, ANALYST, "C1", channel="phone",
                                                 outcome="happy", store=s),
         "unknown contact outcome 'happy'"),
        (lambda c, s: collections.record_contact(c, ANALYST, "C1", channel="phone",
                                                 outcome="reached", contacted_on=date(2026, 4, 9),
                                                 today=TODAY, store=s),
         "a contact on 2026-04-09 has not happened yet"),
        (lambda c, s: collections.record_contact(c, ANALYST, "C1", channel="phone",
                                                 outcome="reached", note="n" * 2001, store=s),
         "at most 2,000"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_a_message(con, store, call, message) -> None:
    with pytest.raises(InvalidInput, match=message):
        call(con, store)
    assert worklog.revision(store) == 0


def test_contacts_and_disputes(con, store) -> None:
    collections.record_contact(con, ANALYST, "C1", channel="phone", outcome="no_answer",
                               contacted_on=date(2026, 4, 6), today=TODAY, store=store)  # fmt: skip
    collections.record_contact(con, ANALYST, "C1", channel="email", outcome="promised_to_pay",
                               note="=HYPERLINK(\"x\")", today=TODAY, store=store)  # fmt: skip
    listed = worklists.contacts(con, ADMIN, customer_id="C1", store=store)
    assert listed.select("channel", "outcome", "contacted_on").rows() == [
        ("email", "promised_to_pay", TODAY),
        ("phone", "no_answer", date(2026, 4, 6)),
    ]
    dispute = collections.open_dispute(con, ANALYST, "C2", reason="quality", amount=1_000.0,
                                       note="damaged goods", store=store)  # fmt: skip
    frame = worklists.disputes(con, ADMIN, states=("open",), store=store)
    assert frame.select("customer_id", "reason", "amount", "state").rows() == [
        ("C2", "quality", 1_000.0, "open")
    ]
    ranked = worklists.collections_worklist(
        con, ADMIN, Filters(as_of=AS_OF), store=store, today=TODAY
    )
    c1 = ranked.filter(customer_id="C1").row(0, named=True)
    assert (c1["last_contact_on"], c1["last_contact_outcome"]) == (TODAY, "promised_to_pay")
    assert ranked.filter(customer_id="C2")["open_disputes"].to_list() == [1]
    collections.resolve_dispute(con, ANALYST, dispute.item_id, 1, "credit note issued", store)
    assert worklists.disputes(con, ADMIN, states=("open",), store=store).is_empty()
    with pytest.raises(IllegalTransition, match="this dispute is resolved"):
        collections.resolve_dispute(con, ANALYST, dispute.item_id, 2, "again", store)


def test_the_overviews_counts(con, store) -> None:
    _promises(con, store)
    reviews.take(con, ANALYST, "C3", ALERTS["C3"], 0, store=store)
    reviews.close(con, ANALYST, "C3", ALERTS["C3"], 1, "referred_to_legal", store=store)
    reviews.assign(con, ANALYST, "C1", ALERTS["C1"], 0, store=store)
    decisions.request(con, ANALYST, "C1", new_limit=8_000.0, reason="r", store=store)
    decisions.request(con, ADMIN, "C4", new_limit=2e6, reason="r", store=store)
    collections.open_dispute(con, ANALYST, "C2", reason="pricing", store=store)
    counts = worklist.action_counts(
        con, ANALYST, Filters(as_of=AS_OF), store=store, today=date(2027, 2, 1)
    ).row(0, named=True)
    assert counts == {
        "open_alerts": 4,  # C3's review is closed
        "open_alerts_0_30": 0,
        "open_alerts_31_60": 0,
        "open_alerts_61_90": 0,
        "open_alerts_90p": 4,
        "unassigned_alerts": 3,  # C2, C4, C5 (C1 is assigned)
        "reviews_overdue": 3,  # due 2026-10-31 (C4), 11-30 (C2), 2027-01-31 (C1); C5 in March
        "decisions_pending": 2,
        "decisions_awaiting_user": 0,  # ben requested one; the other is above his authority
        "promises_open": 0,  # C3's promise of 2026-04-30 is broken by 2027-02-01
        "promises_broken_this_month": 0,
        "disputes_open": 1,
    }
    now = worklist.action_counts(con, ADMIN, Filters(as_of=AS_OF), store=store, today=TODAY)
    assert now.select(
        "open_alerts_0_30", "open_alerts_61_90", "decisions_awaiting_user",
        "promises_open", "promises_broken_this_month",
    ).row(0) == (1, 1, 1, 1, 1)  # fmt: skip
