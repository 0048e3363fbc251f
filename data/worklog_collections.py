"""Collections work: contacts with a customer, promises to pay, disputes.

- A contact records a channel (CHANNELS), an outcome (CONTACT_OUTCOMES), a note and the day it
  happened (today by default, never in the future). State `recorded`; it is not changed later.
- A promise to pay: an amount > 0 (reporting currency) by a date not in the past, for a customer.
  State `open` until cancelled (`cancelled`, with a note). Whether it was kept is read from the
  warehouse's payments, not stored (queries/worklist.py): it is *kept* once the customer's payment
  rows paid on or after the day it was made cover its amount, *broken* when its date has passed
  and they do not, else *open*.
- A dispute: a reason code (DISPUTE_REASONS), optionally the amount disputed, a note. State `open`
  until resolved (`resolved`, with a note).

Every function takes the signed-in user (analysts within their regions, admins) and raises a
WorklogError subclass with a message when refused.
"""

from __future__ import annotations

import os
from datetime import date

import duckdb

from data import worklog, worklog_access, worklog_input
from data.users import User
from data.worklog import IllegalTransition, InvalidInput, Item

CHANNELS = ("phone", "email", "letter", "visit", "portal")
CONTACT_OUTCOMES = (
    "reached",
    "no_answer",
    "left_message",
    "promised_to_pay",
    "refused_to_pay",
    "disputed",
    "wrong_contact",
)
DISPUTE_REASONS = ("pricing", "quality", "delivery", "billing_error", "not_ordered", "other")
PROMISE_STATES = ("open", "cancelled")
DISPUTE_STATES = ("open", "resolved")
Store = str | os.PathLike[str] | None


def record_contact(
    con: duckdb.DuckDBPyConnection,
    user: User,
    customer_id: str,
    *,
    channel: str,
    outcome: str,
    note: str = "",
    contacted_on: date | None = None,
    today: date | None = None,
    store: Store = None,
) -> Item:
    """Record a contact with the customer (state `recorded`)."""
    worklog_access.customer_for(con, user, customer_id)
    today = today or date.today()
    fields = {
        "channel": worklog_input.check_code(channel, CHANNELS, "channel"),
        "outcome": worklog_input.check_code(outcome, CONTACT_OUTCOMES, "contact outcome"),
        "contacted_on": worklog_input.check_date(contacted_on or today, "contact date"),
    }
    if fields["contacted_on"] > today:
        raise InvalidInput(f"a contact on {fields['contacted_on']} has not happened yet")
    text = worklog_input.clean_note(note)
    return worklog.change(
        "contact", customer_id, user, 0, lambda _: ("recorded", fields, text), path=store
    )


def promise(
    con: duckdb.DuckDBPyConnection,
    user: User,
    customer_id: str,
    *,
    amount: float,
    promised_on: date,
    note: str = "",
    today: date | None = None,
    store: Store = None,
) -> Item:
    """Record the customer's promise to pay `amount` (> 0) by `promised_on` (today or later)."""
    worklog_access.customer_for(con, user, customer_id)
    today = today or date.today()
    fields = {
        "amount": worklog_input.check_amount(amount, "promised amount"),
        "promised_on": worklog_input.check_date(promised_on, "promised date"),
        "made_on": today,
    }
    if promised_on < today:
        raise InvalidInput(
            f"the promised date {promised_on} is in the past: a promise is for today or later"
        )
    text = worklog_input.clean_note(note)
    return worklog.change(
        "promise", customer_id, user, 0, lambda _: ("open", fields, text), path=store
    )


def open_dispute(
    con: duckdb.DuckDBPyConnection,
    user: User,
    customer_id: str,
    *,
    reason: str,
    amount: float | None = None,
    note: str = "",
    store: Store = None,
) -> Item:
    """Record a dispute raised by the customer (state `open`), with a reason code of
    DISPUTE_REASONS and optionally the amount disputed (> 0)."""
    worklog_access.customer_for(con, user, customer_id)
    fields = {
        "reason": worklog_input.check_code(reason, DISPUTE_REASONS, "dispute reason"),
        "amount": None if amount is None else worklog_input.check_amount(amount, "disputed amount"),
    }
    text = worklog_input.clean_note(note)
    return worklog.change(
        "dispute", customer_id, user, 0, lambda _: ("open", fields, text), path=store
    )


def _close(
    con: duckdb.DuckDBPyConnection,
    user: User,
    kind: str,
    item_id: int,
    based_on: int,
    target: str,
    note: str,
    store: Store,
) -> Item:
    found = worklog.item(item_id, store)
    if found is None or found.kind != kind:
        raise InvalidInput(f"no {kind} {item_id} in the worklog")
    worklog_access.customer_for(con, user, found.customer_id)
    text = worklog_input.clean_note(note, required=True)

    def make(current: Item | None) -> tuple[str, dict, str]:
        if current is None or current.state != "open":
            state = current.state if current is not None else "missing"
            raise IllegalTransition(f"this {kind} is {state}: only an open one is {target}")
        return target, dict(current.fields), text

    return worklog.change(
        kind, found.customer_id, user, based_on, make, item_id=item_id, path=store
    )


def cancel_promise(
    con: duckdb.DuckDBPyConnection,
    user: User,
    item_id: int,
    based_on: int,
    note: str,
    store: Store = None,
) -> Item:
    """Cancel an open promise to pay, saying why (state `cancelled`)."""
    return _close(con, user, "promise", item_id, based_on, "cancelled", note, store)


def resolve_dispute(
    con: duckdb.DuckDBPyConnection,
    user: User,
    item_id: int,
    based_on: int,
    note: str,
    store: Store = None,
) -> Item:
    """Resolve an open dispute, saying how (state `resolved`)."""
    return _close(con, user, "dispute", item_id, based_on, "resolved", note, store)
