"""Credit decisions: a new limit or a block on new business is requested, then approved or rejected
by someone with the authority, and an approved one becomes a credit_reviews row.

States: pending -> approved | rejected (by an approver) | withdrawn (by the requester); the last
three are final. Rules:

- Analysts and admins request (executives do not act), for customers in their regions, with a
  reason; a customer has at most one pending decision at a time.
- The approval authority is the policy's `[authority]` section (data/policy.toml, the policy in
  force in the warehouse): the highest credit limit each role may approve. Rejecting needs the
  same authority as approving. A request above the approver's authority is refused with
  AuthorityExceeded naming the authority. A requester never approves or rejects their own.
- A block on new business is stored as a credit limit of 0 (see below), so it is within every
  listed role's authority.
- effective_on defaults to the as-of date of the warehouse's last build (the month the dashboard
  shows, so the next build shows the decision) and may not be earlier (months already reported
  keep the limit that was in force then); on approval it moves up to the as-of date of that
  moment when the warehouse has moved on meanwhile.

An approved decision is written into the warehouse's credit_reviews by every build
(`sync_to_warehouse`, called by data.build.rebuild, so every load, demo rebuild and full rebuild
applies it): review_id `DEC-<item id>` (the prefix is reserved: a loaded row with such an id is
replaced), customer_id, effective_on, credit_limit (the new limit; 0 for a block), external_rating
empty (unchanged), decided_by the approver, note "credit decision DEC-<id>: <reason>" or
"block on new business (DEC-<id>): <reason>". A block's limit of 0 makes every exposure a limit
breach and scores the utilisation factor 100 until a later decision sets a limit again.
"""

from __future__ import annotations

import math
import os
import re
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from data import warehouse, worklog, worklog_access, worklog_input
from data.policy import Policy, in_force, load_policy
from data.users import User
from data.worklog import AuthorityExceeded, IllegalTransition, InvalidInput, Item, OutOfScope

KINDS = ("limit", "block")
STATES = ("pending", "approved", "rejected", "withdrawn")
FINAL_STATES = ("approved", "rejected", "withdrawn")
REVIEW_PREFIX = "DEC-"
Store = str | os.PathLike[str] | None
_STAGING = re.compile(r"\.\d+\.staging$")
CREDIT_REVIEW_SCHEMA = {
    "review_id": pl.String,
    "customer_id": pl.String,
    "effective_on": pl.Date,
    "credit_limit": pl.Float64,
    "external_rating": pl.String,
    "decided_by": pl.String,
    "note": pl.String,
}


def policy_in_force(con: duckdb.DuckDBPyConnection) -> Policy:
    """The policy the warehouse was built with (data/policy.toml when it holds none)."""

    try:
        return in_force(con)
    except (duckdb.Error, KeyError, ValueError):
        return load_policy()


def review_id(item_id: int) -> str:
    """The credit_reviews key of decision `item_id`: DEC-<id>."""
    return f"{REVIEW_PREFIX}{item_id}"


def _money(amount: float) -> str:
    return "unlimited" if math.isinf(amount) else f"{amount:,.2f}"


def authority_refusal(policy: Policy, role: str | None, amount: float) -> str | None:
    """Why `role` may not decide a limit of `amount` under `policy` (None when it may)."""
    authority = policy.approval_authority(role)
    if authority is None:
        return f"the {role} role holds no approval authority ([authority] in the policy)"
    if amount > authority:
        higher = [
            f"{r}: {_money(a)}" for r, a in policy.authority.items() if a >= amount and r != role
        ]
        who = f"; it needs {' or '.join(higher)}" if higher else ""
        return (
            f"a limit of {_money(amount)} is above the {role} authority of {_money(authority)} "
            f"([authority] {role} in the policy){who}"
        )
    return None


def request(
    con: duckdb.DuckDBPyConnection,
    user: User,
    customer_id: str,
    *,
    reason: str,
    kind: str = "limit",
    new_limit: float | None = None,
    alert_on: date | None = None,
    effective_on: date | None = None,
    store: Store = None,
) -> Item:
    """Request a new credit limit (`kind` "limit", `new_limit` >= 0 in the reporting currency) or
    a block on new business (`kind` "block", no limit) for `customer_id`, with a reason, optionally
    from the alert (customer_id, alert_on). Returns the pending decision (version 1)."""
    customer = worklog_access.customer_for(con, user, customer_id)
    worklog_input.check_code(kind, KINDS, "decision kind")
    if kind == "block":
        if new_limit is not None:
            raise InvalidInput("a block on new business takes no limit")
        amount = 0.0
    else:
        if new_limit is None:
            raise InvalidInput("a limit decision needs the new limit")
        amount = worklog_input.check_amount(new_limit, "new limit", allow_zero=True)
    text = worklog_input.clean_note(reason, required=True, what="reason")
    if alert_on is not None:
        from data.worklog_reviews import find_alert

        alert_on = find_alert(con, customer_id, alert_on).alert_on
    start = customer.as_of or date.today()
    effective = worklog_input.check_date(
        effective_on if effective_on is not None else start, "date"
    )
    if customer.as_of is not None and effective < customer.as_of:
        raise InvalidInput(
            f"a decision takes effect on or after {customer.as_of} (the warehouse's as-of date): "
            "months already reported keep the limit that was in force then"
        )
    pending = [d for d in worklog.items("decision", [customer_id], store) if d.state == "pending"]
    if pending:
        raise IllegalTransition(
            f"customer {worklog.audit.escape_text(customer_id)} already has a pending decision "
            f"{review_id(pending[0].item_id)}: decide or withdraw it first"
        )
    fields = {
        "decision": kind,
        "new_limit": amount,
        "previous_limit": customer.credit_limit,
        "reason": text,
        "alert_on": alert_on,
        "effective_on": effective,
        "requested_by": worklog.author_name(user),
    }
    return worklog.change(
        "decision", customer_id, user, 0, lambda _: ("pending", fields, text), path=store
    )


def _decide(
    con: duckdb.DuckDBPyConnection,
    user: User,
    item_id: int,
    based_on: int,
    target: str,
    note: str,
    note_required: bool,
    store: Store,
) -> Item:
    found = worklog.item(item_id, store)
    if found is None or found.kind != "decision":
        raise InvalidInput(f"no credit decision {review_id(item_id)} in the worklog")
    customer = worklog_access.customer_for(con, user, found.customer_id)
    text = worklog_input.clean_note(note, required=note_required)
    policy = policy_in_force(con)
    me = worklog.author_name(user)

    def make(current: Item | None) -> tuple[str, dict, str]:
        if current is None:  # not reached: item_id names a stored item
            raise InvalidInput(f"no credit decision {review_id(item_id)} in the worklog")
        if current.state != "pending":
            raise IllegalTransition(
                f"decision {review_id(item_id)} is {current.state}: only a pending one is {target}"
            )
        requester = worklog.field_text(current, "requested_by")
        fields = dict(current.fields)
        if target == "withdrawn":
            if requester != me:
                raise OutOfScope(f"only its requester ({requester}) withdraws a decision")
            return target, fields, text
        if requester == me:
            raise OutOfScope("a requester never approves or rejects their own request")
        amount = worklog.field_number(current, "new_limit")
        refusal = authority_refusal(policy, user.known_role, amount if amount is not None else 0)
        if refusal:
            raise AuthorityExceeded(refusal)
        fields |= {"decided_by": me, "decided_role": user.known_role}
        requested = worklog.field_date(current, "effective_on")
        if target == "approved" and customer.as_of is not None:
            # the warehouse may have moved on since the request: never rewrite reported months
            fields["effective_on"] = max(requested or customer.as_of, customer.as_of)
        return target, fields, text

    return worklog.change(
        "decision", found.customer_id, user, based_on, make, item_id=item_id, path=store
    )


def approve(
    con: duckdb.DuckDBPyConnection,
    user: User,
    item_id: int,
    based_on: int,
    note: str = "",
    store: Store = None,
) -> Item:
    """Approve pending decision `item_id`: AuthorityExceeded above the user's authority,
    OutOfScope for its own requester. The next build writes it into credit_reviews."""
    return _decide(con, user, item_id, based_on, "approved", note, False, store)


def reject(
    con: duckdb.DuckDBPyConnection,
    user: User,
    item_id: int,
    based_on: int,
    note: str,
    store: Store = None,
) -> Item:
    """Reject pending decision `item_id`, saying why (the same authority as approving)."""
    return _decide(con, user, item_id, based_on, "rejected", note, True, store)


def withdraw(
    con: duckdb.DuckDBPyConnection,
    user: User,
    item_id: int,
    based_on: int,
    note: str = "",
    store: Store = None,
) -> Item:
    """The requester withdraws their pending decision `item_id`."""
    return _decide(con, user, item_id, based_on, "withdrawn", note, False, store)


# --- into the warehouse --------------------------------------------------------------------------


def approved_reviews(store: Store = None) -> pl.DataFrame:
    """Every approved decision as a credit_reviews row (columns of CREDIT_REVIEW_SCHEMA); a
    decision whose stored fields are malformed is left out."""
    rows = []
    for found in worklog.items("decision", None, store):
        limit = worklog.field_number(found, "new_limit")
        effective = worklog.field_date(found, "effective_on")
        if found.state != "approved" or found.problem or limit is None or effective is None:
            continue
        reason = (worklog.field_text(found, "reason") or "")[:500]
        block = worklog.field_text(found, "decision") == "block"
        rid = review_id(found.item_id)
        rows.append(
            {
                "review_id": rid,
                "customer_id": found.customer_id,
                "effective_on": effective,
                "credit_limit": 0.0 if block else limit,
                "external_rating": None,
                "decided_by": worklog.field_text(found, "decided_by") or found.author,
                "note": f"block on new business ({rid}): {reason}"
                if block
                else f"credit decision {rid}: {reason}",
            }
        )
    return pl.DataFrame(rows, schema=CREDIT_REVIEW_SCHEMA, orient="row")


def store_for(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The worklog whose decisions apply to the warehouse `con` writes: $RISK_WORKLOG_DB for the
    main warehouse ($RISK_DB, else data/warehouse.duckdb), else worklog.sqlite in the folder of
    the warehouse file (a staging copy stands for its target). None for an in-memory database."""
    rows = con.sql(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchall()
    if not rows or not rows[0][0]:
        return None
    file = Path(_STAGING.sub("", str(rows[0][0])))
    env = os.environ.get("RISK_WORKLOG_DB")
    if env and os.path.realpath(file) == os.path.realpath(warehouse.db_path()):
        return Path(env)
    return file.parent / "worklog.sqlite"


def sync_to_warehouse(
    con: duckdb.DuckDBPyConnection, store: Store = None, track: bool = False
) -> int:
    """Upsert every approved decision into credit_reviews of the warehouse `con` writes (inside
    the caller's transaction), for the customers it holds (a decision about a customer the
    warehouse lacks is skipped); returns the approved decisions offered. Nothing when the
    worklog file (default: store_for(con)) does not exist. `track` records the customers whose
    reviews this changed in the load's load_touched table (an incremental build, data.incremental)."""
    from data.runner import execute

    file = Path(store) if store else store_for(con)
    if file is None or not file.exists():
        return 0
    staged = approved_reviews(file)
    if staged.is_empty():
        return 0
    con.register("staged_decisions", staged)
    if track:
        con.register("staged", staged)
    try:
        if track:
            execute(con, "load_snapshot_credit_reviews")
        execute(con, "load_upsert_credit_decisions")
        if track:
            execute(con, "load_touched_credit_reviews")
    finally:
        con.unregister("staged_decisions")
        if track:
            con.unregister("staged")
    return staged.height
