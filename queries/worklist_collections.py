"""The collections worklist and what collectors recorded: promises to pay, contacts, disputes.

Arguments and scope as in queries/worklist.py: the warehouse connection, the signed-in user, the
global filters (`filters`, queries.filters.Filters) for the worklist, the worklog file (`store`) and `today` (default: the real date); executives get counts only
(queries.worklist.action_counts), these lists raise OutOfScope for them.

Ranking (policy `[collections] ranking`, or the `ranking` argument): RANKINGS — `el_x_dpd`
(expected loss x max days past due, the default), `overdue_amount`, `dpd` (max days past due).
Customers with a broken promise to pay come first, then by the ranking's value, largest first.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date

import duckdb
import polars as pl

from data import worklog, worklog_access
from data.policy import RANKINGS
from data.scope import Scope
from data.users import User
from data.worklog_decisions import policy_in_force
from queries.filters import Filter, Filters
from queries.runner import run
from queries.worklist import scoped_filters, visible_items
from schemas.results import validate_result

Store = str | os.PathLike[str] | None
PROMISE_STATUSES = ("open", "kept", "broken", "cancelled")
_RANK_VALUE = {
    "el_x_dpd": pl.col("expected_loss") * pl.col("max_dpd").cast(pl.Float64),
    "overdue_amount": pl.col("overdue_amount"),
    "dpd": pl.col("max_dpd").cast(pl.Float64),
}
_PROMISE_SCHEMA = {
    "item_id": pl.Int64,
    "customer_id": pl.String,
    "name": pl.String,
    "region": pl.String,
    "amount": pl.Float64,
    "promised_on": pl.Date,
    "made_on": pl.Date,
    "paid_since": pl.Float64,
    "status": pl.String,
    "state": pl.String,
    "version": pl.Int64,
    "author": pl.String,
    "at": pl.Datetime("us", "UTC"),
    "note": pl.String,
}


def promise_statuses(
    con: duckdb.DuckDBPyConnection,
    scope: Scope | None,
    customer_ids: Iterable[str] | None,
    store: Store,
    today: date,
) -> pl.DataFrame:
    """Every promise in `scope` with its status (no name check: action_counts uses it too)."""
    found, known = visible_items(con, scope, "promise", customer_ids, store)
    rows = []
    for p in found:
        customer = known.get(p.customer_id)
        rows.append(
            {
                "item_id": p.item_id,
                "customer_id": p.customer_id,
                "name": customer.name if customer else None,
                "region": customer.region if customer else None,
                "amount": worklog.field_number(p, "amount"),
                "promised_on": worklog.field_date(p, "promised_on"),
                "made_on": worklog.field_date(p, "made_on"),
                "paid_since": None,
                "status": None,
                "state": p.state,
                "version": p.version,
                "author": p.created_by,
                "at": p.created_at,
                "note": p.note,
            }
        )
    frame = pl.DataFrame(rows, schema=_PROMISE_SCHEMA, orient="row").filter(
        pl.col("amount").is_not_null()
        & pl.col("promised_on").is_not_null()
        & pl.col("made_on").is_not_null()
    )
    if frame.is_empty():
        return frame
    asked = frame.select("customer_id", "made_on").unique()
    paid = run(
        con,
        "worklist_payments_since",
        customer_ids=asked["customer_id"].to_list(),
        since_dates=asked["made_on"].to_list(),
        until=today,
    ).rename({"since_on": "made_on"})
    return (
        frame.drop("paid_since")
        .join(paid, on=["customer_id", "made_on"], how="left")
        .with_columns(pl.col("paid_since").fill_null(0.0))
        .with_columns(
            pl.when(pl.col("state") == "cancelled")
            .then(pl.lit("cancelled"))
            .when(pl.col("paid_since") >= pl.col("amount"))
            .then(pl.lit("kept"))
            .when(pl.col("promised_on") < pl.lit(today))
            .then(pl.lit("broken"))
            .otherwise(pl.lit("open"))
            .alias("status")
        )
        .select(list(_PROMISE_SCHEMA))
    )


def promises(
    con: duckdb.DuckDBPyConnection,
    user: User,
    *,
    customer_id: str | None = None,
    statuses: Filter = (),
    store: Store = None,
    today: date | None = None,
) -> pl.DataFrame:
    """Promises to pay (of one customer or all; of `statuses`, empty: all), by promised date.

    Columns: item_id, customer_id, name, region, amount (reporting currency), promised_on,
    made_on (the day it was recorded), paid_since (what the customer's payment rows paid on or
    after made_on, up to today), status (open, kept: paid_since covers amount, broken: promised_on
    passed and not covered, cancelled), state (stored: open, cancelled), version (the `based_on`
    of the next change), author, at (when recorded, UTC), note (of the latest change)."""
    scope = worklog_access.require_names(user)
    ids = None if customer_id is None else [customer_id]
    frame = promise_statuses(con, scope, ids, store, today or date.today())
    if statuses:
        frame = frame.filter(pl.col("status").is_in(list(statuses)))
    return validate_result("worklist_promises", frame.sort(["promised_on", "item_id"]))


def promises_broken_this_month(
    con: duckdb.DuckDBPyConnection, user: User, store: Store = None, today: date | None = None
) -> pl.DataFrame:
    """The broken promises whose date falls in today's calendar month (columns of `promises`)."""
    today = today or date.today()
    frame = promises(con, user, statuses=("broken",), store=store, today=today)
    return frame.filter(
        (pl.col("promised_on").dt.year() == today.year)
        & (pl.col("promised_on").dt.month() == today.month)
    )


_CONTACT_SCHEMA = {
    "item_id": pl.Int64,
    "customer_id": pl.String,
    "name": pl.String,
    "region": pl.String,
    "channel": pl.String,
    "outcome": pl.String,
    "contacted_on": pl.Date,
    "note": pl.String,
    "author": pl.String,
    "at": pl.Datetime("us", "UTC"),
}


def contacts(
    con: duckdb.DuckDBPyConnection,
    user: User,
    *,
    customer_id: str | None = None,
    store: Store = None,
) -> pl.DataFrame:
    """Contacts recorded (of one customer or all), newest first. Columns: item_id, customer_id,
    name, region, channel, outcome, contacted_on, note, author, at (UTC)."""
    scope = worklog_access.require_names(user)
    ids = None if customer_id is None else [customer_id]
    found, known = visible_items(con, scope, "contact", ids, store)
    rows = [
        {
            "item_id": c.item_id,
            "customer_id": c.customer_id,
            "name": known[c.customer_id].name if c.customer_id in known else None,
            "region": known[c.customer_id].region if c.customer_id in known else None,
            "channel": worklog.field_text(c, "channel"),
            "outcome": worklog.field_text(c, "outcome"),
            "contacted_on": worklog.field_date(c, "contacted_on"),
            "note": c.note,
            "author": c.author,
            "at": c.at,
        }
        for c in found
    ]
    frame = pl.DataFrame(rows, schema=_CONTACT_SCHEMA, orient="row")
    return validate_result(
        "worklist_contacts",
        frame.sort(["contacted_on", "item_id"], descending=True, nulls_last=True),
    )


_DISPUTE_SCHEMA = {
    "item_id": pl.Int64,
    "customer_id": pl.String,
    "name": pl.String,
    "region": pl.String,
    "reason": pl.String,
    "amount": pl.Float64,
    "state": pl.String,
    "version": pl.Int64,
    "opened_by": pl.String,
    "opened_at": pl.Datetime("us", "UTC"),
    "note": pl.String,
}


def disputes(
    con: duckdb.DuckDBPyConnection,
    user: User,
    *,
    customer_id: str | None = None,
    states: Filter = (),
    store: Store = None,
) -> pl.DataFrame:
    """Disputes (of one customer or all; of `states`: open, resolved; empty: all), oldest first.
    Columns: item_id, customer_id, name, region, reason (a DISPUTE_REASONS code), amount
    (disputed, null when not stated), state, version (the `based_on` of the next change),
    opened_by, opened_at (UTC), note (of the latest change)."""
    scope = worklog_access.require_names(user)
    ids = None if customer_id is None else [customer_id]
    found, known = visible_items(con, scope, "dispute", ids, store)
    rows = [
        {
            "item_id": d.item_id,
            "customer_id": d.customer_id,
            "name": known[d.customer_id].name if d.customer_id in known else None,
            "region": known[d.customer_id].region if d.customer_id in known else None,
            "reason": worklog.field_text(d, "reason"),
            "amount": worklog.field_number(d, "amount"),
            "state": d.state,
            "version": d.version,
            "opened_by": d.created_by,
            "opened_at": d.created_at,
            "note": d.note,
        }
        for d in found
        if not states or d.state in states
    ]
    frame = pl.DataFrame(rows, schema=_DISPUTE_SCHEMA, orient="row")
    return validate_result("worklist_disputes", frame)


def collections_worklist(
    con: duckdb.DuckDBPyConnection,
    user: User,
    filters: Filters,
    *,
    ranking: str | None = None,
    store: Store = None,
    today: date | None = None,
) -> pl.DataFrame:
    """Customers with an overdue amount at `filters.as_of`, ranked (see the module docstring; `ranking`
    None: the policy in force's).

    Columns: rank (1 = first to work), customer_id, name, region, segment, industry, owner,
    grade, exposure, expected_loss, overdue_amount (money), max_dpd (days); receivables,
    current_receivables, overdue_1_30, overdue_31_60, overdue_61_90, overdue_90p (what rows
    billed by as_of still owe, by days past due), credit_sales_90d (billed in the 90 days to
    as_of), dso, best_possible_dso, average_days_delinquent (days; null without credit sales in
    the 90 days; docs/data_dictionary.md), ranking (the method), rank_value, broken_promises,
    open_promises, promised_amount (open promises, money), open_disputes, last_contact_on,
    last_contact_outcome."""
    scope = worklog_access.require_names(user)
    method = ranking if ranking is not None else policy_in_force(con).collections.ranking
    if method not in RANKINGS:
        raise worklog.InvalidInput(f"unknown ranking {method!r}: one of {', '.join(RANKINGS)}")
    today = today or date.today()
    frame = run(
        con,
        "worklist_overdue_customers",
        **scoped_filters(scope, filters).params(),
    )
    ids = frame["customer_id"].to_list()
    promised = (
        promise_statuses(con, scope, ids, store, today)
        .group_by("customer_id")
        .agg(
            (pl.col("status") == "broken").sum().cast(pl.Int64).alias("broken_promises"),
            (pl.col("status") == "open").sum().cast(pl.Int64).alias("open_promises"),
            pl.col("amount").filter(pl.col("status") == "open").sum().alias("promised_amount"),
        )
    )
    found, _ = visible_items(con, scope, "dispute", ids, store)
    disputed = (
        pl.DataFrame(
            {"customer_id": [d.customer_id for d in found if d.state == "open"]},
            schema={"customer_id": pl.String},
        )
        .group_by("customer_id")
        .agg(pl.len().cast(pl.Int64).alias("open_disputes"))
    )
    contacted = contacts(con, user, store=store).filter(pl.col("customer_id").is_in(ids))
    last_contact = (
        contacted.sort(["contacted_on", "at"], descending=True, nulls_last=True)
        .group_by("customer_id", maintain_order=True)
        .first()
        .select(
            "customer_id",
            pl.col("contacted_on").alias("last_contact_on"),
            pl.col("outcome").alias("last_contact_outcome"),
        )
    )
    ranked = (
        frame.join(promised, on="customer_id", how="left")
        .join(disputed, on="customer_id", how="left")
        .join(last_contact, on="customer_id", how="left")
        .with_columns(
            pl.col("broken_promises", "open_promises", "open_disputes").fill_null(0),
            pl.col("promised_amount").fill_null(0.0),
            pl.lit(method).alias("ranking"),
            _RANK_VALUE[method].alias("rank_value"),
        )
        .sort(
            [pl.col("broken_promises") > 0, "rank_value", "customer_id"],
            descending=[True, True, False],
        )
        .with_row_index("rank", offset=1)
        .with_columns(pl.col("rank").cast(pl.Int64))
    )
    return validate_result("worklist_collections", ranked)
