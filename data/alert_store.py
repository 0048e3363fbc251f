"""The alerts store: subscriptions to early-warning alerts and the delivery log, in its own SQLite
file next to the warehouse.

The file is $RISK_ALERTS_DB, else `alerts.sqlite` in the warehouse's folder: outside the warehouse
for the reasons the audit log and the worklog are (data/audit.py) — the warehouse is replaced whole
by every load, demo rebuild and full rebuild, and the delivery log must outlive all of them, or a
reload would send every alert again. Its schema comes from data/migrations/alerts/*.sql, tracked
with `pragma user_version`; the file is created readable by its owner only (webhook URLs carry
tokens).

An alert is a watchlist spell keyed by (customer_id, alert_on = the month-end of its entry), as in
the worklog. A delivery is one alert to one recipient (channel + address): `pending` once it is
due, `sent` when the server accepted the digest holding it, `failed` (with the error and the
attempts) when it did not. Pending and failed deliveries are sent again by the next run, from the
alert as it was recorded, so a failure is never lost and a sent alert is never sent twice.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from data import sqlite_files, warehouse

MIGRATIONS = Path(__file__).resolve().parent / "migrations" / "alerts"
CHANNELS = ("email", "webhook")
LANGUAGES = ("en", "zh")
FILTER_KINDS = ("owner", "region", "segment", "grade")
STATUSES = ("pending", "sent", "failed")


@dataclass(frozen=True)
class Subscription:
    subscription_id: int
    channel: str
    address: str
    language: str
    filter_kind: str
    filter_value: str
    created_at: str
    created_by: str


@dataclass(frozen=True)
class Delivery:
    """One alert to one recipient as the log holds it; `alert` is the alert's stored fields."""

    delivery_id: int
    channel: str
    address: str
    customer_id: str
    alert_on: date
    language: str
    alert: Mapping[str, Any]
    status: str
    attempts: int
    error: str | None


def store_path(
    path: str | os.PathLike[str] | None = None, db: str | os.PathLike[str] | None = None
) -> Path:
    """The alerts file: the explicit path, else $RISK_ALERTS_DB, else alerts.sqlite in the folder
    of warehouse `db` (default: the main warehouse)."""
    if path:
        return Path(path)
    env = os.environ.get("RISK_ALERTS_DB")
    return Path(env) if env else warehouse.db_path(db).parent / "alerts.sqlite"


def connect(path: str | os.PathLike[str] | None = None) -> sqlite3.Connection:
    """Open (creating readable by its owner only, and migrating as needed) the alerts file."""
    return sqlite_files.open_migrated(store_path(path), MIGRATIONS)


class RunInProgress(Exception):
    """Another run of python -m data alerts holds the store: this one must not send too."""


@contextmanager
def run_lock(path: str | os.PathLike[str] | None = None) -> Iterator[None]:
    """Hold the store's run lock (`<file>.lock`, flock) for one sending run, or raise
    RunInProgress: two cron runs at once would both send the same pending deliveries."""
    file = Path(f"{store_path(path)}.lock")
    file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(file, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise RunInProgress(f"another alerts run holds {file}; nothing was sent") from None
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def read_only(path: str | os.PathLike[str] | None = None) -> sqlite3.Connection | None:
    """A read-only connection to an existing alerts file (None when there is none): a dry run
    and the admin page read without creating or migrating anything."""
    file = store_path(path)
    if not file.exists():
        return None
    con = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
    if con.execute("pragma user_version").fetchone()[0] < 1:
        con.close()
        return None
    return con


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


# --- subscriptions -------------------------------------------------------------------------------


def subscriptions(con: sqlite3.Connection | None) -> list[Subscription]:
    """The active subscriptions, oldest first ([] without a store)."""
    if con is None:
        return []
    rows = con.execute(
        "select subscription_id, channel, address, language, filter_kind, filter_value, "
        "created_at, created_by from subscriptions where removed_at is null "
        "order by subscription_id"
    ).fetchall()
    return [Subscription(*row) for row in rows]


def subscribe(
    con: sqlite3.Connection,
    channel: str,
    address: str,
    language: str,
    filter_kind: str,
    filter_value: str,
    who: str,
) -> Subscription | None:
    """Store a subscription (values already validated); None when the same one is active."""
    try:
        cursor = con.execute(
            "insert into subscriptions (channel, address, language, filter_kind, filter_value, "
            "created_at, created_by) values (?, ?, ?, ?, ?, ?, ?)",
            (channel, address, language, filter_kind, filter_value, _now(), who),
        )
    except sqlite3.IntegrityError:
        return None
    found = [s for s in subscriptions(con) if s.subscription_id == cursor.lastrowid]
    return found[0]


def unsubscribe(
    con: sqlite3.Connection,
    who: str,
    subscription_id: int | None = None,
    address: str | None = None,
    filter_kind: str | None = None,
    filter_value: str | None = None,
) -> list[Subscription]:
    """Mark the matching active subscriptions removed (by id, or by address and optionally one
    filter); returns those removed ([] when none matched)."""
    matching = [
        s
        for s in subscriptions(con)
        if (subscription_id is None or s.subscription_id == subscription_id)
        and (address is None or s.address == address)
        and (filter_kind is None or (s.filter_kind, s.filter_value) == (filter_kind, filter_value))
    ]
    when = _now()
    con.execute("begin immediate")
    try:
        for s in matching:
            con.execute(
                "update subscriptions set removed_at = ?, removed_by = ? "
                "where subscription_id = ? and removed_at is null",
                (when, who, s.subscription_id),
            )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return matching


# --- the delivery log ----------------------------------------------------------------------------


def _delivery(row: tuple) -> Delivery:
    delivery_id, channel, address, customer_id, alert_on, language, alert, *rest = row
    status, attempts, error = rest
    return Delivery(
        delivery_id,
        channel,
        address,
        customer_id,
        date.fromisoformat(alert_on),
        language,
        json.loads(alert),
        status,
        attempts,
        error,
    )


_DELIVERY_COLUMNS = (
    "delivery_id, channel, address, customer_id, alert_on, language, alert, status, attempts, error"
)


def logged_keys(con: sqlite3.Connection | None) -> set[tuple[str, str, str, date]]:
    """(channel, address, customer_id, alert_on) of every delivery in the log, whatever its
    status: an alert in it is never queued again (pending and failed ones are retried)."""
    if con is None:
        return set()
    rows = con.execute("select channel, address, customer_id, alert_on from deliveries")
    return {(c, a, k, date.fromisoformat(d)) for c, a, k, d in rows}


def unsent(con: sqlite3.Connection | None) -> list[Delivery]:
    """Deliveries still to make (pending or failed), oldest first."""
    if con is None:
        return []
    rows = con.execute(
        f"select {_DELIVERY_COLUMNS} from deliveries "  # noqa: S608 - fixed text, values bound
        "where status in ('pending', 'failed') order by delivery_id"
    ).fetchall()
    return [_delivery(r) for r in rows]


def queue(
    con: sqlite3.Connection, entries: Iterable[tuple[str, str, str, Mapping[str, Any]]]
) -> int:
    """Record (channel, address, language, alert) deliveries as pending before anything is sent,
    so a run that dies midway leaves them to the next run; an alert already in the log for that
    recipient is skipped. Returns the number queued."""
    when = _now()
    queued = 0
    con.execute("begin immediate")
    try:
        for channel, address, language, alert in entries:
            cursor = con.execute(
                "insert or ignore into deliveries (channel, address, customer_id, alert_on, "
                "language, alert, status, first_at, last_at) "
                "values (?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
                (
                    channel,
                    address,
                    alert["customer_id"],
                    alert["alert_on"],
                    language,
                    json.dumps(alert, ensure_ascii=False, sort_keys=True),
                    when,
                    when,
                ),
            )
            queued += cursor.rowcount
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return queued


def mark(con: sqlite3.Connection, delivery_ids: Iterable[int], error: str | None) -> None:
    """Record one attempt of these deliveries: sent when `error` is None, else failed with it."""
    when = _now()
    ids = list(delivery_ids)
    con.execute("begin immediate")
    try:
        for delivery_id in ids:
            if error is None:
                con.execute(
                    "update deliveries set status = 'sent', attempts = attempts + 1, "
                    "last_at = ?, sent_at = ?, error = null where delivery_id = ?",
                    (when, when, delivery_id),
                )
            else:
                con.execute(
                    "update deliveries set status = 'failed', attempts = attempts + 1, "
                    "last_at = ?, error = ? where delivery_id = ?",
                    (when, error[:500], delivery_id),
                )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def recent_deliveries(con: sqlite3.Connection | None, limit: int = 200) -> list[dict[str, Any]]:
    """The latest deliveries, newest attempt first, as plain rows (for the admin page)."""
    if con is None:
        return []
    rows = con.execute(
        "select delivery_id, channel, address, customer_id, alert_on, language, status, "
        "attempts, first_at, last_at, sent_at, error from deliveries "
        "order by last_at desc, delivery_id desc limit ?",
        (limit,),
    ).fetchall()
    names = [
        "delivery_id",
        "channel",
        "address",
        "customer_id",
        "alert_on",
        "language",
        "status",
        "attempts",
        "first_at",
        "last_at",
        "sent_at",
        "error",
    ]
    return [dict(zip(names, row, strict=True)) for row in rows]


# --- runs ----------------------------------------------------------------------------------------


def last_through(con: sqlite3.Connection | None) -> date | None:
    """The last grid date the previous finished run saw (None before the first run)."""
    if con is None:
        return None
    row = con.execute(
        "select through from runs where through is not null order by run_id desc limit 1"
    ).fetchone()
    return date.fromisoformat(row[0]) if row else None


def record_run(
    con: sqlite3.Connection,
    started_at: str,
    since: date,
    through: date | None,
    alerts: int,
    sent: int,
    failed: int,
) -> None:
    """Record a finished run: the next one looks for alerts from `through`'s month on."""
    con.execute(
        "insert into runs (started_at, finished_at, since, through, alerts, sent, failed) "
        "values (?, ?, ?, ?, ?, ?, ?)",
        (
            started_at,
            _now(),
            since.isoformat(),
            through.isoformat() if through else None,
            alerts,
            sent,
            failed,
        ),
    )
