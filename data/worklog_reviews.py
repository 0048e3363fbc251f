"""Alert reviews: each watchlist alert is taken, assigned, reviewed and closed with an outcome.

An alert is a customer's spell on the watchlist (warehouse table watchlist_spells), identified by
(customer_id, alert_on), alert_on being the month-end of the spell's entered_on
(data/sql/worklist_alerts.sql). An alert nobody has touched is not in the worklog: it is
implicitly `new`, version 0. States and the changes between them (TRANSITIONS):

    new       -> assigned (assign)      | in_review (take)
    assigned  -> assigned (re-assign)   | in_review (take)
    in_review -> assigned (re-assign)   | in_review (take: another reviewer takes over) | closed
    closed    -> nothing (a comment is still recorded; the state stays closed)

`close` needs an outcome of OUTCOMES. Assigning without a name assigns the customer's owner. The
review is due on entered_on + the policy's `controls.<band>.review_frequency_months` for the band
the customer had at entry, and overdue while past due and not closed (queries/worklist.py).
Every function takes the signed-in user (analysts within their regions, admins; executives do not
act), the version the change is based on, and raises a WorklogError subclass when refused.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date

import duckdb

from data import worklog, worklog_access, worklog_input
from data.users import User
from data.worklog import IllegalTransition, InvalidInput, Item

STATES = ("new", "assigned", "in_review", "closed")
OUTCOMES = (
    "no_action",
    "limit_cut",
    "collateral_requested",
    "stop_new_business",
    "escalated",
    "referred_to_legal",
)
TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"assigned", "in_review"}),
    "assigned": frozenset({"assigned", "in_review"}),
    "in_review": frozenset({"assigned", "in_review", "closed"}),
    "closed": frozenset(),
}
Store = str | os.PathLike[str] | None


@dataclass(frozen=True)
class Alert:
    """A watchlist alert as the warehouse has it."""

    customer_id: str
    alert_on: date  # the key: month-end of entered_on
    entered_on: date
    left_on: date | None
    triggers: tuple[str, ...]
    band: str | None  # at entry
    due_on: date | None
    owner: str | None


def find_alert(con: duckdb.DuckDBPyConnection, customer_id: str, alert_on: date) -> Alert:
    """The alert (customer_id, alert_on) in the warehouse; InvalidInput when there is none."""
    from data.runner import run  # late: see data.worklog_access.customers

    worklog_input.check_date(alert_on, "alert date")
    frame = run(
        con,
        "worklist_alerts",
        as_of=None,
        customer_ids=[customer_id],
        regions=[],
        segments=[],
        industries=[],
    ).filter(alert_on=alert_on)
    if frame.is_empty():
        raise InvalidInput(
            f"customer {worklog.audit.escape_text(customer_id)} has no watchlist alert of "
            f"{alert_on:%Y-%m}"
        )
    row = frame.row(0, named=True)
    return Alert(
        customer_id=row["customer_id"],
        alert_on=row["alert_on"],
        entered_on=row["entered_on"],
        left_on=row["left_on"],
        triggers=tuple(row["triggers"] or ()),
        band=row["band"],
        due_on=row["due_on"],
        owner=row["owner"],
    )


def review(customer_id: str, alert_on: date, store: Store = None) -> Item:
    """The review of one alert as stored, or the implicit `new` one (version 0). No scope check:
    the listing functions of queries/worklist.py are what pages read."""
    for found in worklog.items("review", [customer_id], store):
        if found.alert_on == alert_on:
            return found
    return Item(None, "review", customer_id, alert_on, 0, "new")


def _change(
    con: duckdb.DuckDBPyConnection,
    user: User,
    customer_id: str,
    alert_on: date,
    based_on: int,
    target: str | None,
    note: str,
    note_required: bool = False,
    assignee: str | None = None,
    outcome: str | None = None,
    store: Store = None,
) -> Item:
    worklog_access.customer_for(
        con, user, customer_id
    )  # refuses a customer the user may not act on
    alert = find_alert(con, customer_id, alert_on)
    text = worklog_input.clean_note(note, required=note_required)

    def make(current: Item | None) -> tuple[str, dict, str]:
        state = current.state if current is not None else "new"
        fields = dict(current.fields) if current is not None else {}
        if target is not None and target not in TRANSITIONS.get(state, frozenset()):
            raise IllegalTransition(_refusal(state, target))
        fields |= {
            "entered_on": alert.entered_on,
            "triggers": list(alert.triggers),
            "band": alert.band,
            "due_on": alert.due_on,
        }
        if assignee is not None:
            fields["assignee"] = assignee
        if outcome is not None:
            fields["outcome"] = outcome
        return (target or state), fields, text

    return worklog.change(
        "review", customer_id, user, based_on, make, alert_on=alert.alert_on, path=store
    )


# How each target state reads in a refusal.
_DONE = {"assigned": "assigned", "in_review": "taken for review", "closed": "closed"}


def _refusal(state: str, target: str) -> str:
    allowed = sorted(TRANSITIONS.get(state, frozenset()))
    then = (
        f"it can be {' or '.join(_DONE[a] for a in allowed)} next"
        if allowed
        else "a closed review only takes comments"
    )
    return f"a review that is {state.replace('_', ' ')} cannot be {_DONE[target]}: {then}"


def take(
    con: duckdb.DuckDBPyConnection,
    user: User,
    customer_id: str,
    alert_on: date,
    based_on: int,
    note: str = "",
    store: Store = None,
) -> Item:
    """`user` takes the alert for review: state in_review, assignee the user."""
    return _change(
        con, user, customer_id, alert_on, based_on, "in_review", note,
        assignee=worklog_input.clean_name(user.name, "reviewer"), store=store,
    )  # fmt: skip


def assign(
    con: duckdb.DuckDBPyConnection,
    user: User,
    customer_id: str,
    alert_on: date,
    based_on: int,
    assignee: str | None = None,
    note: str = "",
    store: Store = None,
) -> Item:
    """Assign the alert to `assignee` (default: the customer's owner): state assigned."""
    if assignee is None:
        owner = worklog_access.customer_for(con, user, customer_id).owner
        if not owner:
            raise InvalidInput("the customer has no owner: name the person to assign")
        assignee = owner
    return _change(
        con, user, customer_id, alert_on, based_on, "assigned", note,
        assignee=worklog_input.clean_name(assignee, "assignee"), store=store,
    )  # fmt: skip


def comment(
    con: duckdb.DuckDBPyConnection,
    user: User,
    customer_id: str,
    alert_on: date,
    based_on: int,
    note: str,
    store: Store = None,
) -> Item:
    """Add a note to the alert's review (any state, closed included); the state is unchanged."""
    return _change(
        con, user, customer_id, alert_on, based_on, None, note, note_required=True, store=store
    )


def close(
    con: duckdb.DuckDBPyConnection,
    user: User,
    customer_id: str,
    alert_on: date,
    based_on: int,
    outcome: str,
    note: str = "",
    store: Store = None,
) -> Item:
    """Close the review with `outcome` (one of OUTCOMES); only a review in_review closes."""
    checked = worklog_input.check_code(outcome, OUTCOMES, "outcome")
    return _change(
        con, user, customer_id, alert_on, based_on, "closed", note, outcome=checked, store=store
    )
