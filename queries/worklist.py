"""The Work page's and the Overview's questions about acting on risk: watchlist alerts with their
reviews, credit decisions awaiting a decision, a customer's work history, and the counts.

Every function takes the warehouse connection, the signed-in user (data.users.User), the global
filters where it lists alerts (`filters`, queries.filters.Filters) and the worklog file (`store`,
default: the main warehouse's, see data.worklog.worklog_path). The user's scope applies as
everywhere (data.worklog_access.scope_of, data.scope; the filters' regions are kept inside it): a
region-limited analyst gets the items of their regions' customers only; an admin gets everything; an executive gets
`action_counts` only (the list functions raise OutOfScope). Dates `today` default to the real
date: reviews fall due, promises break and alerts age in calendar time, whatever the warehouse's
as-of date. The results depend on the worklog as well as the warehouse: a cache must key on
data.worklog.revision(store) too. Collections lists are in queries/worklist_collections.py.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from datetime import date

import duckdb
import polars as pl

from data import runner as definitions
from data import worklog, worklog_access
from data.scope import Scope
from data.users import User
from data.worklog import Item
from data.worklog_decisions import authority_refusal, policy_in_force, review_id
from queries.filters import Filter, Filters
from schemas.results import validate_result

Store = str | os.PathLike[str] | None
# Age of an open alert in days since it entered the list: 0-30, 31-60, 61-90, more than 90.
AGE_BUCKETS = ("0_30", "31_60", "61_90", "90p")


def scoped_filters(scope: Scope | None, filters: Filters) -> Filters:
    """`filters` with its regions kept inside `scope` (Scope.narrow_regions): the chosen regions
    the scope allows, or the scope's regions when none is chosen; as given without a scope."""
    if scope is None:
        return filters
    return filters.replace(regions=scope.narrow_regions(filters.regions))


def visible_items(
    con: duckdb.DuckDBPyConnection,
    scope: Scope | None,
    kind: str | None,
    customer_ids: Iterable[str] | None,
    store: Store,
) -> tuple[list[Item], dict[str, worklog_access.Customer]]:
    """The stored items (current versions) the scope shows, and their customers by id. Without a
    region scope every item is shown, also of customers the warehouse no longer holds."""
    found = worklog.items(kind, customer_ids, store)
    known = worklog_access.customers(con, {i.customer_id for i in found})
    if scope is not None and scope.regions is not None:
        found = [
            i
            for i in found
            if i.customer_id in known
            and worklog_access.in_scope(scope, known[i.customer_id].region)
        ]
    return found, known


def _age_bucket(days: pl.Expr) -> pl.Expr:
    return (
        pl.when(days <= 30)
        .then(pl.lit("0_30"))
        .when(days <= 60)
        .then(pl.lit("31_60"))
        .when(days <= 90)
        .then(pl.lit("61_90"))
        .otherwise(pl.lit("90p"))
    )


_REVIEW_SCHEMA = {
    "customer_id": pl.String,
    "alert_on": pl.Date,
    "item_id": pl.Int64,
    "version": pl.Int64,
    "state": pl.String,
    "assignee": pl.String,
    "outcome": pl.String,
    "note": pl.String,
    "updated_by": pl.String,
    "updated_at": pl.Datetime("us", "UTC"),
}


def _alert_frame(
    con: duckdb.DuckDBPyConnection,
    scope: Scope | None,
    filters: Filters,
    *,
    customer_ids: Filter,
    store: Store,
    today: date,
) -> pl.DataFrame:
    alerts = definitions.run(  # the alert's key is the worklog's too: data/sql/worklist_alerts.sql
        con,
        "worklist_alerts",
        customer_ids=list(customer_ids),
        **scoped_filters(scope, filters).params(),
    )
    stored = worklog.items("review", alerts["customer_id"].unique().to_list(), store)
    reviews = pl.DataFrame(
        [
            {
                "customer_id": r.customer_id,
                "alert_on": r.alert_on,
                "item_id": r.item_id,
                "version": r.version,
                "state": r.state,
                "assignee": worklog.field_text(r, "assignee"),
                "outcome": worklog.field_text(r, "outcome"),
                "note": r.note,
                "updated_by": r.author,
                "updated_at": r.at,
            }
            for r in stored
            if r.alert_on is not None
        ],
        schema=_REVIEW_SCHEMA,
        orient="row",
    )
    age = (pl.lit(today) - pl.col("entered_on")).dt.total_days()
    return (
        alerts.join(reviews, on=["customer_id", "alert_on"], how="left")
        .with_columns(
            pl.col("version").fill_null(0),
            pl.col("state").fill_null("new"),
            pl.col("note").fill_null(""),
            age.alias("age_days"),
        )
        .with_columns(
            _age_bucket(pl.col("age_days")).alias("age_bucket"),
            (
                pl.col("due_on").is_not_null()
                & (pl.col("due_on") < pl.lit(today))
                & (pl.col("state") != "closed")
            ).alias("overdue"),
        )
    )


def alert_reviews(
    con: duckdb.DuckDBPyConnection,
    user: User,
    filters: Filters,
    *,
    alerts: Iterable[tuple[str, date]] | None = None,
    customer_ids: Filter = (),
    store: Store = None,
    today: date | None = None,
) -> pl.DataFrame:
    """Watchlist alerts with their reviews, oldest entry first: the alerts on the list at
    `filters.as_of` (None: every alert the warehouse has, current and past), of `customer_ids` and
    the filters' segments, regions and industries, and only the (customer_id, alert_on) pairs of
    `alerts` when given.

    Columns: customer_id, name, region, segment, industry, owner, alert_on (the key: month-end of
    entry), entered_on, left_on (null while on the list), triggers (at entry), band (at entry),
    due_on (entered_on + the band's review frequency), item_id (null: not stored yet), version
    (0: not stored; the `based_on` of the next change), state (new, assigned, in_review, closed),
    assignee, outcome (closed reviews), note (of the latest change), updated_by, updated_at (UTC),
    age_days (days from entered_on to `today`), age_bucket (AGE_BUCKETS), overdue (past due_on
    and not closed)."""
    scope = worklog_access.require_names(user)
    frame = _alert_frame(
        con, scope, filters, customer_ids=customer_ids, store=store, today=today or date.today()
    )
    if alerts is not None:
        wanted = pl.DataFrame(
            list(alerts), schema={"customer_id": pl.String, "alert_on": pl.Date}, orient="row"
        )
        frame = frame.join(wanted.unique(), on=["customer_id", "alert_on"], how="semi")
    return validate_result("worklist_alert_reviews", frame)


def open_alerts(
    con: duckdb.DuckDBPyConnection,
    user: User,
    filters: Filters,
    *,
    store: Store = None,
    today: date | None = None,
) -> pl.DataFrame:
    """The alerts on the list at `filters.as_of` whose review is not closed (columns of
    alert_reviews), oldest first: the list behind the Overview's "open alerts by age"."""
    frame = alert_reviews(con, user, filters, store=store, today=today)
    return frame.filter(pl.col("state") != "closed")


def reviews_overdue(
    con: duckdb.DuckDBPyConnection,
    user: User,
    filters: Filters,
    *,
    store: Store = None,
    today: date | None = None,
) -> pl.DataFrame:
    """The open alerts whose review is past its due date (columns of alert_reviews), most
    overdue first."""
    frame = open_alerts(con, user, filters, store=store, today=today)
    return frame.filter(pl.col("overdue")).sort(["due_on", "customer_id"])


# --- credit decisions ----------------------------------------------------------------------------

_DECISION_SCHEMA = {
    "item_id": pl.Int64,
    "review_id": pl.String,
    "customer_id": pl.String,
    "name": pl.String,
    "region": pl.String,
    "decision": pl.String,
    "new_limit": pl.Float64,
    "previous_limit": pl.Float64,
    "reason": pl.String,
    "alert_on": pl.Date,
    "effective_on": pl.Date,
    "state": pl.String,
    "version": pl.Int64,
    "requested_by": pl.String,
    "requested_at": pl.Datetime("us", "UTC"),
    "decided_by": pl.String,
    "decided_at": pl.Datetime("us", "UTC"),
    "note": pl.String,
    "may_decide": pl.Boolean,
    "why_not": pl.String,
}


def decisions(
    con: duckdb.DuckDBPyConnection,
    user: User,
    *,
    states: Filter = ("pending",),
    customer_id: str | None = None,
    awaiting: bool = False,
    store: Store = None,
) -> pl.DataFrame:
    """Credit decisions in `states` (empty: every state), of one customer or all, oldest first;
    with `awaiting`, only the pending ones `user` may approve or reject.

    Columns: item_id, review_id (DEC-<id>, the credit_reviews key once approved), customer_id,
    name, region, decision (limit, block), new_limit (reporting currency; 0 for a block),
    previous_limit (in force when requested), reason, alert_on (the alert it came from, if any),
    effective_on, state (pending, approved, rejected, withdrawn), version (the `based_on` of the
    next change), requested_by, requested_at (UTC), decided_by, decided_at (UTC; approvals and
    rejections), note (of the latest change), may_decide (pending, and the user may approve it:
    authority, scope, not their own request), why_not (why not, '' when may_decide)."""
    scope = worklog_access.require_names(user)
    found, known = visible_items(
        con, scope, "decision", None if customer_id is None else [customer_id], store
    )
    policy = policy_in_force(con)
    me = worklog.author_name(user)
    rows = []
    for d in found:
        if states and d.state not in states:
            continue
        amount = worklog.field_number(d, "new_limit")
        requester = worklog.field_text(d, "requested_by")
        why_not = ""
        if d.state != "pending":
            why_not = f"it is {d.state}"
        elif requester == me:
            why_not = "you requested it"
        else:
            why_not = authority_refusal(policy, user.known_role, amount or 0.0) or ""
        if awaiting and why_not:
            continue
        customer = known.get(d.customer_id)
        decided = d.state in ("approved", "rejected")
        rows.append(
            {
                "item_id": d.item_id,
                "review_id": review_id(d.item_id),
                "customer_id": d.customer_id,
                "name": customer.name if customer else None,
                "region": customer.region if customer else None,
                "decision": worklog.field_text(d, "decision"),
                "new_limit": amount,
                "previous_limit": worklog.field_number(d, "previous_limit"),
                "reason": worklog.field_text(d, "reason") or "",
                "alert_on": worklog.field_date(d, "alert_on"),
                "effective_on": worklog.field_date(d, "effective_on"),
                "state": d.state,
                "version": d.version,
                "requested_by": requester,
                "requested_at": d.created_at,
                "decided_by": worklog.field_text(d, "decided_by") if decided else None,
                "decided_at": d.at if decided else None,
                "note": d.note,
                "may_decide": not why_not,
                "why_not": why_not,
            }
        )
    frame = pl.DataFrame(rows, schema=_DECISION_SCHEMA, orient="row")
    return validate_result("worklist_decisions", frame)


def decisions_pending(
    con: duckdb.DuckDBPyConnection, user: User, store: Store = None
) -> pl.DataFrame:
    """The pending decisions `user` may approve or reject (columns of `decisions`)."""
    return decisions(con, user, states=("pending",), awaiting=True, store=store)


# --- history -------------------------------------------------------------------------------------

HISTORY_SCHEMA = {
    "item_id": pl.Int64,
    "kind": pl.String,
    "customer_id": pl.String,
    "alert_on": pl.Date,
    "version": pl.Int64,
    "state": pl.String,
    "fields": pl.String,
    "note": pl.String,
    "author": pl.String,
    "role": pl.String,
    "at": pl.Datetime("us", "UTC"),
    "problem": pl.String,
}


def history_frame(versions: Iterable[Item]) -> pl.DataFrame:
    """Versions as rows of HISTORY_SCHEMA (fields as a JSON object text), validated."""
    rows = [
        {
            "item_id": v.item_id,
            "kind": v.kind,
            "customer_id": v.customer_id,
            "alert_on": v.alert_on,
            "version": v.version,
            "state": v.state,
            "fields": json.dumps(dict(v.fields), ensure_ascii=False, sort_keys=True),
            "note": v.note,
            "author": v.author,
            "role": v.role,
            "at": v.at,
            "problem": v.problem,
        }
        for v in versions
    ]
    return validate_result(
        "worklist_history", pl.DataFrame(rows, schema=HISTORY_SCHEMA, orient="row")
    )


def customer_history(
    con: duckdb.DuckDBPyConnection, user: User, customer_id: str, store: Store = None
) -> pl.DataFrame:
    """Every version of every work item of one customer (reviews, decisions, contacts, promises,
    disputes), newest first. Columns: item_id, kind, customer_id, alert_on, version, state,
    fields (JSON object text), note, author, role, at (UTC), problem ('' unless the stored row is
    malformed). OutOfScope for a customer outside the user's regions."""
    scope = worklog_access.require_names(user)
    customer = worklog_access.customers(con, [customer_id]).get(customer_id)
    if (
        scope is not None
        and scope.regions is not None
        and (customer is None or not worklog_access.in_scope(scope, customer.region))
    ):
        raise worklog.OutOfScope(
            f"customer {worklog.audit.escape_text(customer_id)} is outside your regions"
        )
    frame = history_frame(worklog.versions([customer_id], store))
    return frame.sort(["at", "item_id", "version"], descending=True, nulls_last=True)


def scoped_versions(
    con: duckdb.DuckDBPyConnection | None, user: User | None, store: Store = None
) -> pl.DataFrame:
    """Every version of every item `user` may see (None: everything, for the command line's
    export without --user), by item and version (columns of customer_history). A region scope
    needs the warehouse `con` to know the customers' regions."""
    scope = None if user is None else worklog_access.require_names(user)
    every = worklog.versions(None, store)
    if scope is not None and scope.regions is not None:
        if con is None:
            raise worklog.OutOfScope("a region-limited export needs the warehouse")
        known = worklog_access.customers(con, {v.customer_id for v in every})
        every = [
            v
            for v in every
            if v.customer_id in known
            and worklog_access.in_scope(scope, known[v.customer_id].region)
        ]
    return history_frame(every)


# --- the Overview's numbers ----------------------------------------------------------------------


def action_counts(
    con: duckdb.DuckDBPyConnection,
    user: User,
    filters: Filters,
    *,
    store: Store = None,
    today: date | None = None,
) -> pl.DataFrame:
    """One row of counts in the user's scope (executives included: counts, no names):
    open_alerts (on the list at filters.as_of, review not closed) and open_alerts_0_30 / _31_60 /
    _61_90 / _90p by days since entry; unassigned_alerts (state new); reviews_overdue; decisions_pending
    (every pending decision in scope) and decisions_awaiting_user (those the user may approve);
    promises_open; promises_broken_this_month (broken promises due in today's calendar month);
    disputes_open. Each number's list: open_alerts, reviews_overdue, decisions_pending,
    worklist_collections.promises_broken_this_month, worklist_collections.disputes.

    `con` must not be masked: through a pseudonymising connection (an executive's in the
    dashboard) customer ids are pseudonyms and match no stored item, so pass the plain warehouse
    or a region scope without masking (data.scope.Scope(regions, masked=False)); the result
    holds counts only either way."""
    from queries.worklist_collections import promise_statuses

    scope = worklog_access.scope_of(user)
    today = today or date.today()
    alerts = _alert_frame(con, scope, filters, customer_ids=(), store=store, today=today).filter(
        pl.col("state") != "closed"
    )
    pending, _ = visible_items(con, scope, "decision", None, store)
    pending = [d for d in pending if d.state == "pending"]
    awaiting = 0
    if not (scope is not None and scope.masked):
        awaiting = decisions_pending(con, user, store).height
    promises = promise_statuses(con, scope, None, store, today)
    this_month = promises.filter(
        (pl.col("status") == "broken")
        & (pl.col("promised_on").dt.year() == today.year)
        & (pl.col("promised_on").dt.month() == today.month)
    )
    disputes, _ = visible_items(con, scope, "dispute", None, store)
    counts = {
        "open_alerts": alerts.height,
        **{
            f"open_alerts_{bucket}": alerts.filter(pl.col("age_bucket") == bucket).height
            for bucket in AGE_BUCKETS
        },
        "unassigned_alerts": alerts.filter(pl.col("state") == "new").height,
        "reviews_overdue": alerts.filter(pl.col("overdue")).height,
        "decisions_pending": len(pending),
        "decisions_awaiting_user": awaiting,
        "promises_open": promises.filter(pl.col("status") == "open").height,
        "promises_broken_this_month": this_month.height,
        "disputes_open": sum(1 for d in disputes if d.state == "open"),
    }
    frame = pl.DataFrame([counts], schema=dict.fromkeys(counts, pl.Int64), orient="row")
    return validate_result("worklist_counts", frame)
