"""Which early-warning alerts a run of python -m data alerts delivers, and to whom.

An alert is a watchlist spell keyed by (customer_id, alert_on = the month-end of its entry), as
the Work page keys reviews. A run looks at the alerts entered from `since` on: the --since date,
else the first day of the month the previous run reached (that month's alerts again, so a
rebuild that replaced a mid-month as-of date by its month-end loses nothing; the delivery log
drops what was sent), else — the first run — the first day of the latest month with data (a new
installation is not sent years of history).

Recipients: the customer's owner (subscriptions `owner`, else an access-file user of that name
with an e-mail address) and every subscriber of the alert's region, segment or grade at entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb
import polars as pl

from data.alert_store import Subscription
from queries.runner import run


@dataclass(frozen=True)
class Recipient:
    channel: str
    address: str
    language: str


def alerts_since(con: duckdb.DuckDBPyConnection, since: date) -> pl.DataFrame:
    """One row per alert entered on or after `since`, with the customer at entry."""
    return run(con, "alerts_since", since=since)


def default_since(latest: date | None, last_through: date | None) -> date | None:
    """Where a run without --since starts: the first day of the month the previous run reached,
    else of the latest month with data (None: no data)."""
    basis = last_through or latest
    return basis.replace(day=1) if basis else None


def alert_record(row: Mapping[str, Any], currency: str | None) -> dict[str, Any]:
    """An alert as the delivery log stores it (JSON-ready: dates as ISO text)."""
    return {
        "customer_id": row["customer_id"],
        "name": row["name"],
        "region": row["region"],
        "segment": row["segment"],
        "owner": row["owner"],
        "alert_on": row["alert_on"].isoformat(),
        "entered_on": row["entered_on"].isoformat(),
        "triggers": list(row["triggers"]),
        "exposure": float(row["exposure"]),
        "grade": row["grade"],
        "previous_grade": row["previous_grade"],
        "currency": currency,
    }


def recipients(
    alert: Mapping[str, Any],
    subscriptions: Iterable[Subscription],
    owner_emails: Mapping[str, str] | None = None,
) -> dict[Recipient, set[tuple[str, str]]]:
    """Who receives `alert`, each with the subscriptions (kind, value) that made them.

    A subscription matches on the alert's owner, region, segment or grade at entry. An owner with
    no `owner` subscription gets the alert at the e-mail address of the access-file user of that
    name (`owner_emails`), in English. One address subscribed twice in two languages gets the
    alert once, in the language of its oldest subscription."""
    found: dict[tuple[str, str], tuple[Recipient, set[tuple[str, str]]]] = {}
    values = {
        "owner": alert.get("owner"),
        "region": alert.get("region"),
        "segment": alert.get("segment"),
        "grade": alert.get("grade"),
    }
    owner_subscribed = False
    for s in sorted(subscriptions, key=lambda s: s.subscription_id):
        if values.get(s.filter_kind) is None or values[s.filter_kind] != s.filter_value:
            continue
        owner_subscribed |= s.filter_kind == "owner"
        key = (s.channel, s.address)
        if key not in found:
            found[key] = (Recipient(s.channel, s.address, s.language), set())
        found[key][1].add((s.filter_kind, s.filter_value))
    owner = values["owner"]
    email = (owner_emails or {}).get(owner) if owner else None
    if email and not owner_subscribed and ("email", email) not in found:
        found[("email", email)] = (Recipient("email", email, "en"), {("owner", owner)})
    return dict(found.values())


def owners_without_address(
    alerts: Iterable[Mapping[str, Any]],
    subscriptions: Iterable[Subscription],
    owner_emails: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """Owner -> how many of `alerts` they own and cannot be sent (no owner subscription, no
    access-file address): the run reports them instead of dropping them silently."""
    subscribed = {s.filter_value for s in subscriptions if s.filter_kind == "owner"}
    missing: dict[str, int] = {}
    for alert in alerts:
        owner = alert.get("owner")
        if owner and owner not in subscribed and not (owner_emails or {}).get(owner):
            missing[owner] = missing.get(owner, 0) + 1
    return missing


def filter_values(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """The regions, segments and owners of the warehouse's customers, by kind."""
    frame = run(con, "alerts_filter_values")
    found: dict[str, list[str]] = {"region": [], "segment": [], "owner": []}
    for kind, value in frame.iter_rows():
        found[kind].append(value)
    return found
