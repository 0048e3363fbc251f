"""The worklog: work done on risk — alert reviews, credit decisions, collection contacts, promises
to pay, disputes — in its own SQLite file next to the warehouse.

The file is $RISK_WORKLOG_DB, else `worklog.sqlite` in the warehouse's folder. It is outside the
warehouse for the reasons the audit log is (data/audit.py): the warehouse is replaced whole by every
load, demo rebuild and full rebuild, and read through read-only connections, while SQLite takes a
write from the dashboard and the command line at the same time. Its schema comes from
data/migrations/worklog/*.sql, tracked with `pragma user_version`; triggers make both tables
append-only. The file is created readable by its owner only.

Nothing is edited in place. An item (work_items) gets a new version row (work_versions: item id,
version, state, fields, note, author, role, at) for every change; its current state is the latest
version. Every change names the version it was based on (0 for an item not yet stored, such as an
alert nobody has touched, which is implicitly `new`): when another change landed first, the change
is refused with `Conflict`, which carries the item as it is now, so nothing is lost and the second
person sees what the first did. The check and the write happen under one write lock (`begin
immediate`), and a trigger refuses a version that is not the latest plus one.

Every change is also an audit-log event (action `worklog`, while access control is on, like every
other event). Notes are plain text of at most NOTE_LIMIT characters, stored with control,
bidirectional and zero-width characters escaped as `\\uXXXX` (newlines and tabs kept). Stored rows
are read defensively: a row written by hand with malformed JSON or values is returned with its
`problem`, never raised.

The rules of each kind live in data/worklog_reviews.py, data/worklog_decisions.py and
data/worklog_collections.py; who may act in data/worklog_access.py; what values are accepted in
data/worklog_input.py; the frames pages show in queries/worklist.py and
queries/worklist_collections.py; the export in commands/worklog_export.py.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from data import audit, sqlite_files, warehouse
from data.users import User

MIGRATIONS = Path(__file__).resolve().parent / "migrations" / "worklog"
KINDS = ("review", "decision", "contact", "promise", "dispute")
NOTE_LIMIT = 2000
NAME_LIMIT = 120
# Largest amount accepted (the warehouse's own bound on money).
MONEY_LIMIT = 1e15


class WorklogError(ValueError):
    """A read or change refused; the message says why, in words a page can show as they are."""


class InvalidInput(WorklogError):
    """A value that cannot be stored: unknown code, negative amount, a date in the past, a note
    too long, an alert that does not exist."""


class IllegalTransition(WorklogError):
    """A change the item's state does not allow (closing an alert nobody reviews, approving a
    decision already decided)."""


class OutOfScope(WorklogError):
    """The user may not read or change this: a customer outside their regions, an executive
    asking for names, a role that may not act, a requester approving their own request."""


class AuthorityExceeded(OutOfScope):
    """A credit decision above the approver's authority; the message names the authority."""


@dataclass(frozen=True)
class Item:
    """One work item as of one version (the latest, unless read from the history).

    `version` 0 means not stored yet (an alert nobody has touched): state `new`, no author.
    `fields` holds every field of the item as of this version; `note` is what this change said.
    `problem` is what is malformed in the stored row ('' when nothing)."""

    item_id: int | None
    kind: str
    customer_id: str
    alert_on: date | None
    version: int
    state: str
    fields: Mapping[str, Any] = field(default_factory=dict)
    note: str = ""
    author: str | None = None
    role: str | None = None
    at: datetime | None = None
    created_by: str | None = None
    created_at: datetime | None = None
    problem: str = ""


class Conflict(WorklogError):
    """Another change of the item landed first; `current` is the item as it is now."""

    def __init__(self, current: Item, based_on: int) -> None:
        by = f" by {current.author}" if current.author else ""
        when = f" at {current.at:%Y-%m-%d %H:%M} UTC" if current.at else ""
        super().__init__(
            f"this {current.kind} changed while you were working on it: it is now version "
            f"{current.version} ({current.state}{by}{when}), not version {based_on}. Your change "
            "was not saved; look at it again and repeat what still applies."
        )
        self.current = current
        self.based_on = based_on


# --- where the file is -----------------------------------------------------------------------


def worklog_path(
    path: str | os.PathLike[str] | None = None, db: str | os.PathLike[str] | None = None
) -> Path:
    """The worklog file: the explicit path, else $RISK_WORKLOG_DB, else worklog.sqlite in the
    folder of warehouse `db` (default: the main warehouse)."""
    if path:
        return Path(path)
    env = os.environ.get("RISK_WORKLOG_DB")
    return Path(env) if env else warehouse.db_path(db).parent / "worklog.sqlite"


def connect(path: str | os.PathLike[str] | None = None) -> sqlite3.Connection:
    """Open (creating readable by its owner only, and migrating as needed) the worklog file."""
    return sqlite_files.open_migrated(worklog_path(path), MIGRATIONS, foreign_keys=True)


def author_name(user: User) -> str:
    """The user's name as the worklog stores it (hidden characters escaped, at most NAME_LIMIT)."""
    return audit.escape_text(user.name[:NAME_LIMIT]) or "?"


# --- reading -----------------------------------------------------------------------------------

_ITEM_COLUMNS = (
    "i.item_id, i.kind, i.customer_id, i.alert_on, v.version, v.state, v.fields, v.note, "
    "v.author, v.role, v.at, i.created_by, i.created_at"
)


def _when(value: Any, problems: list[str], what: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        when = None
    if when is None:
        problems.append(f"{what} {audit.escape_text(str(value))[:40]!r} is not a time")
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _text(value: Any, problems: list[str], what: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    problems.append(f"{what} is not text")
    return audit.escape_text(repr(value)[:NOTE_LIMIT])


def _item(row: tuple) -> Item:
    """One stored row (item joined to a version) as an Item, with what is malformed in it."""
    item_id, kind, customer_id, alert_on, version, state, fields, note, *rest = row
    author, role, at, created_by, created_at = rest
    problems: list[str] = []
    try:
        parsed = json.loads(fields) if isinstance(fields, str) else None
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        problems.append("fields are not a JSON object")
        parsed = {}
    alert_day = None
    if alert_on is not None:
        try:
            alert_day = date.fromisoformat(alert_on) if isinstance(alert_on, str) else None
        except ValueError:
            alert_day = None
        if alert_day is None:
            problems.append("alert_on is not a date")
    if kind not in KINDS:
        problems.append("unknown kind")
    return Item(
        item_id=item_id,
        kind=_text(kind, problems, "kind") or "?",
        customer_id=_text(customer_id, problems, "customer_id") or "?",
        alert_on=alert_day,
        version=version if isinstance(version, int) else 0,
        state=_text(state, problems, "state") or "?",
        fields=parsed,
        note=_text(note, problems, "note") or "",
        author=_text(author, problems, "author"),
        role=_text(role, problems, "role"),
        at=_when(at, problems, "time"),
        created_by=_text(created_by, problems, "created_by"),
        created_at=_when(created_at, problems, "created_at"),
        problem="; ".join(problems),
    )


def _latest(con: sqlite3.Connection, where: str, params: tuple) -> list[Item]:
    # `where` is one of this module's fixed conditions; values are bound.
    rows = con.execute(
        f"select {_ITEM_COLUMNS} from work_items as i join work_versions as v "  # noqa: S608 - fixed text, values bound
        "on v.item_id = i.item_id and v.version = "
        "(select max(version) from work_versions where item_id = i.item_id) "
        f"where {where} order by i.item_id",
        params,
    ).fetchall()
    return [_item(row) for row in rows]


def items(
    kind: str | None = None,
    customer_ids: Iterable[str] | None = None,
    path: str | os.PathLike[str] | None = None,
) -> list[Item]:
    """The current version of every stored item (of `kind`, of `customer_ids`), by item id.
    No scope: callers filter by the customers the user may see. [] when there is no file."""
    file = worklog_path(path)
    if not file.exists():
        return []
    wanted = None if customer_ids is None else json.dumps(sorted(set(customer_ids)))
    con = connect(file)
    try:
        return _latest(
            con,
            "(? is null or i.kind = ?) and (? is null or i.customer_id in "
            "(select value from json_each(?)))",
            (kind, kind, wanted, wanted),
        )
    finally:
        con.close()


def item(item_id: int, path: str | os.PathLike[str] | None = None) -> Item | None:
    """The current version of item `item_id`, or None when there is no such item."""
    file = worklog_path(path)
    if not file.exists():
        return None
    con = connect(file)
    try:
        found = _latest(con, "i.item_id = ?", (item_id,))
    finally:
        con.close()
    return found[0] if found else None


def versions(
    customer_ids: Iterable[str] | None = None, path: str | os.PathLike[str] | None = None
) -> list[Item]:
    """Every version of every item (of `customer_ids`), by item id and version. No scope."""
    file = worklog_path(path)
    if not file.exists():
        return []
    wanted = None if customer_ids is None else json.dumps(sorted(set(customer_ids)))
    con = connect(file)
    try:
        rows = con.execute(
            f"select {_ITEM_COLUMNS} from work_items as i "  # noqa: S608 - fixed text, values bound
            "join work_versions as v on v.item_id = i.item_id "
            "where ? is null or i.customer_id in (select value from json_each(?)) "
            "order by i.item_id, v.version",
            (wanted, wanted),
        ).fetchall()
    finally:
        con.close()
    return [_item(row) for row in rows]


def revision(path: str | os.PathLike[str] | None = None) -> int:
    """The number of versions stored: grows with every change (append-only), so it can key a
    cache of anything read from the worklog. 0 when there is no file."""
    file = worklog_path(path)
    if not file.exists():
        return 0
    con = connect(file)
    try:
        return int(con.execute("select count(*) from work_versions").fetchone()[0])
    finally:
        con.close()


# --- changing ----------------------------------------------------------------------------------

Change = Callable[[Item | None], tuple[str, dict[str, Any], str]]


def change(
    kind: str,
    customer_id: str,
    user: User,
    based_on: int,
    make: Change,
    *,
    item_id: int | None = None,
    alert_on: date | None = None,
    path: str | os.PathLike[str] | None = None,
) -> Item:
    """Write the next version of an item and return it.

    The item is `item_id`, or for a review the one of (customer_id, alert_on), or a new one.
    Under the worklog's write lock, the item's latest version must be `based_on` (0: not stored
    yet), else Conflict(current) is raised and nothing is written; then `make(current)` (None
    for a new item) returns the new (state, fields, note) or raises a WorklogError. The change
    is audited (action `worklog`) once written."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    if isinstance(based_on, bool) or not isinstance(based_on, int) or based_on < 0:
        raise InvalidInput("the version a change is based on must be a whole number >= 0")
    file = worklog_path(path)
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    author = author_name(user)
    con = connect(file)
    try:
        con.execute("begin immediate")
        try:
            current = _current(con, kind, customer_id, item_id, alert_on)
            if (current.version if current else 0) != based_on:
                if current is None:
                    raise InvalidInput(
                        f"this {kind} is not stored yet (version 0), not version {based_on}"
                    )
                raise Conflict(current, based_on)
            state, fields, note = make(current)
            if current is None:
                cursor = con.execute(
                    "insert into work_items (kind, customer_id, alert_on, created_at, created_by) "
                    "values (?, ?, ?, ?, ?)",
                    (kind, customer_id, alert_on.isoformat() if alert_on else None, now, author),
                )
                target = int(cursor.lastrowid)
            else:
                target = int(current.item_id)
            con.execute(
                "insert into work_versions (item_id, version, state, fields, note, author, role, at)"
                " values (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    target,
                    based_on + 1,
                    state,
                    json.dumps(fields, ensure_ascii=False, sort_keys=True, default=_json_value),
                    note,
                    author,
                    user.role,
                    now,
                ),
            )
            written = _latest(con, "i.item_id = ?", (target,))[0]
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    finally:
        con.close()
    # The store is the record; the audit event says who changed what, next to the same warehouse.
    audit.record(
        "worklog",
        who=author,
        role=user.role,
        detail=f"{kind} {written.item_id} v{written.version} {state} customer {customer_id}",
        db=file,
    )
    return written


def _current(
    con: sqlite3.Connection,
    kind: str,
    customer_id: str,
    item_id: int | None,
    alert_on: date | None,
) -> Item | None:
    if item_id is not None:
        found = _latest(con, "i.item_id = ? and i.kind = ?", (item_id, kind))
        if not found:
            raise InvalidInput(f"no {kind} {item_id} in the worklog")
        return found[0]
    if kind == "review" and alert_on is not None:
        found = _latest(
            con,
            "i.kind = 'review' and i.customer_id = ? and i.alert_on = ?",
            (customer_id, alert_on.isoformat()),
        )
        return found[0] if found else None
    return None


def _json_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not stored in the worklog")


def field_date(item: Item, name: str) -> date | None:
    """A date field of an item (stored as ISO text), None when absent or malformed."""
    value = item.fields.get(name)
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def field_number(item: Item, name: str) -> float | None:
    """A number field of an item, None when absent or not a finite number."""
    value = item.fields.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def field_text(item: Item, name: str) -> str | None:
    """A text field of an item, None when absent or not text."""
    value = item.fields.get(name)
    return value if isinstance(value, str) else None
