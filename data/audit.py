"""The audit log: who signed in (or failed to), exported, loaded, opened a customer or changed a work
item (data/worklog.py), and when.

The log lives in its own small SQLite file next to the warehouse ($RISK_AUDIT_DB, else
`audit.sqlite` in the warehouse's folder), not in the warehouse: the warehouse is replaced whole by
every load (copy + swap) and read through read-only connections, so writing an event there would
mean copying the whole file per click. SQLite appends one row in a millisecond, lets the dashboard
and the command line write at the same time (each waits for the other's lock), and survives demo
rebuilds. Its schema comes from data/migrations/audit/*.sql, tracked with `pragma user_version`;
triggers make the table append-only.

Auditing is part of access control: events are recorded while an access file is configured.

Tamper evidence: each row carries the SHA-256 of the row before it (prev_hash) and its own
(row_hash, over a canonical JSON serialisation of its fields and prev_hash), so verify() finds a row
changed, removed or inserted by hand (the triggers can be dropped by anyone who can write the file).
The hash is not keyed: someone who can write the file can still append rows with valid hashes at
the end, or cut the end off; the chain shows what was done in the middle. The file is created
readable by its owner only. Names and details are stored with control and bidirectional
characters escaped (`\u202e`), and the log is read defensively: a row written by hand with a
malformed value is shown with its problem, never raised.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from data import sqlite_files, users, warehouse

MIGRATIONS = Path(__file__).resolve().parent / "migrations" / "audit"
ACTIONS = (
    "sign_in",
    "sign_in_failed",
    "sign_out",
    "refused",
    "export",
    "load",
    "customer_view",
    "lockout",
    "session_rejected",
    "session_expired",
    "worklog",
    "policy_promote",
    "alert_subscription",
)
COLUMNS = ("audit_id", "at", "who", "role", "action", "detail", "rows")
# The prev_hash of the first chained row.
GENESIS = "0" * 64
# Chain states of a row (verify): ok, written before the chain existed, its own hash does not
# match its content (changed), its prev_hash is not the hash of the row before it (a row removed
# or inserted there), or without hashes after the chain began (inserted by hand).
CHAIN_STATES = ("ok", "before_chain", "altered", "gap", "unchained")
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
# The canonical serialisation of a row for its hash; a blob or other value inserted by hand still
# hashes (and fails).
_CANONICAL = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), default=repr)


def audit_path(
    path: str | os.PathLike[str] | None = None, db: str | os.PathLike[str] | None = None
) -> Path:
    """The audit file: the explicit path, else $RISK_AUDIT_DB, else audit.sqlite in the folder of
    warehouse `db` (default: the main warehouse)."""
    if path:
        return Path(path)
    env = os.environ.get("RISK_AUDIT_DB")
    return Path(env) if env else warehouse.db_path(db).parent / "audit.sqlite"


def enabled() -> bool:
    """True while access control is on (an access file is configured)."""
    return users.access_file() is not None


def connect(path: str | os.PathLike[str] | None = None) -> sqlite3.Connection:
    """Open (creating readable by its owner only, and migrating as needed) the audit file."""
    return sqlite_files.open_migrated(audit_path(path), MIGRATIONS)


def escape_text(text: str) -> str:
    """`text` with control, format (bidirectional, zero-width) and line-separator characters
    written as `\\uXXXX`, so a name shows what it holds: "\\u202e1nimda", never "admin1"."""
    return "".join(_escaped(c) for c in text)


def _escaped(char: str) -> str:
    if unicodedata.category(char) not in _HIDDEN_CATEGORIES:
        return char
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _clean(text: str, limit: int) -> str:
    # One event, one line, shown as it is: newlines could fake extra entries in a viewer and
    # bidirectional controls reorder what is shown.
    return escape_text(text[:limit])


def row_hash(
    at: object,
    who: object,
    role: object,
    action: object,
    detail: object,
    rows: object,
    prev_hash: object,
) -> str:
    """SHA-256 (hex) of one row: its fields as stored and the previous row's hash, serialised as
    a JSON array (ASCII, no spaces) in this order."""
    canonical = _CANONICAL.encode([at, who, role, action, detail, rows, prev_hash])
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def record(
    action: str,
    who: str,
    role: str | None = None,
    detail: str = "",
    rows: int | None = None,
    path: str | os.PathLike[str] | None = None,
    db: str | os.PathLike[str] | None = None,
) -> None:
    """Append one event (nothing while access control is off, unless `path` names the file)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if path is None and not enabled():
        return
    values = (
        datetime.now(UTC).isoformat(timespec="seconds"),
        _clean(who, 120) or "?",
        _clean(role, 40) if role is not None else None,
        action,
        _clean(detail, 500),
        rows,
    )
    con = connect(audit_path(path, db))
    try:
        # The previous hash is read and the row written under one write lock, so two writers
        # (the dashboard and the command line) cannot both link to the same row.
        con.execute("begin immediate")
        try:
            last = con.execute(
                "select row_hash from audit_log order by audit_id desc limit 1"
            ).fetchone()
            prev = last[0] if last is not None and isinstance(last[0], str) else GENESIS
            con.execute(
                "insert into audit_log (at, who, role, action, detail, rows, prev_hash, row_hash) "
                "values (?, ?, ?, ?, ?, ?, ?, ?)",
                (*values, prev, row_hash(*values, prev)),
            )
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    finally:
        con.close()


@dataclass(frozen=True)
class ChainReport:
    """What verify() found: the chain state of every row by audit_id, and counts."""

    states: dict[int, str] = field(default_factory=dict)

    @property
    def failures(self) -> list[int]:
        """audit_ids of rows that break the chain (altered, gap, unchained), in order."""
        return [i for i, state in self.states.items() if state not in ("ok", "before_chain")]

    @property
    def verified(self) -> bool:
        """True when no row breaks the chain."""
        return not self.failures

    def count(self, state: str) -> int:
        return sum(1 for s in self.states.values() if s == state)


def verify(path: str | os.PathLike[str] | None = None) -> ChainReport:
    """Walk the whole log in audit_id order and check every row's hash and link."""
    file = audit_path(path)
    if not file.exists():
        return ChainReport()
    con = connect(file)
    try:
        rows = con.execute(
            "select audit_id, at, who, role, action, detail, rows, prev_hash, row_hash "
            "from audit_log order by audit_id"
        ).fetchall()
    finally:
        con.close()
    states: dict[int, str] = {}
    previous, chained = GENESIS, False
    for audit_id, *values, prev_hash, stored in rows:
        if stored is None and prev_hash is None:
            states[audit_id] = "unchained" if chained else "before_chain"
            continue
        chained = True
        if stored != row_hash(*values, prev_hash):
            states[audit_id] = "altered"
        elif prev_hash != previous:
            states[audit_id] = "gap"
        else:
            states[audit_id] = "ok"
        # The stored hash, so one changed row does not mark every later row too.
        previous = stored if isinstance(stored, str) else GENESIS
    return ChainReport(states)


def _as_text(value: object, column: str, problems: list[str], limit: int = 500) -> str | None:
    if value is None or isinstance(value, str):
        return None if value is None else escape_text(value[:limit])
    problems.append(f"{column} is not text")
    return escape_text(repr(value)[:limit])


def _readable(row: tuple) -> dict:
    """One stored row as shown: every value readable, and what is wrong with it (if anything)."""
    audit_id, at, who, role, action, detail, rows = row
    problems: list[str] = []
    when = None
    try:
        when = datetime.fromisoformat(at) if isinstance(at, str) else None
    except ValueError:
        when = None
    if when is None:
        problems.append(f"time {escape_text(str(at))[:40]!r} is not a time")
    elif when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    else:
        when = when.astimezone(UTC)
    who_text = _as_text(who, "user", problems, 120)
    if who_text is None:
        problems.append("no user")
    action_text = _as_text(action, "action", problems, 40)
    if action_text not in ACTIONS:
        problems.append("unknown action")
    if rows is not None and (not isinstance(rows, int) or isinstance(rows, bool)):
        problems.append(f"rows {escape_text(str(rows))[:40]!r} is not a number")
        rows = None
    return {
        "audit_id": audit_id,
        "at": when,
        "who": who_text,
        "role": _as_text(role, "role", problems, 40),
        "action": action_text,
        "detail": _as_text(detail, "detail", problems),
        "rows": rows,
        "problem": "; ".join(problems),
    }


def recent(
    limit: int = 1000,
    actions: tuple[str, ...] = (),
    who: str = "",
    path: str | os.PathLike[str] | None = None,
    chain: ChainReport | None = None,
) -> pl.DataFrame:
    """The newest `limit` events, optionally of some actions and users whose name contains `who`.

    Columns: audit_id, at (UTC timestamp; null when the stored time is malformed), who, role,
    action, detail, rows, problem (what is malformed in the stored row, '' when nothing) and chain
    (the row's state in the hash chain, one of CHAIN_STATES; from `chain` or a fresh verify()).
    """
    file = audit_path(path)
    schema = {
        "audit_id": pl.Int64,
        "at": pl.Datetime("us", "UTC"),
        "who": pl.String,
        "role": pl.String,
        "action": pl.String,
        "detail": pl.String,
        "rows": pl.Int64,
        "problem": pl.String,
        "chain": pl.String,
    }
    if not file.exists():
        return pl.DataFrame(schema=schema)
    con = connect(file)
    try:
        rows = con.execute(
            "select audit_id, at, who, role, action, detail, rows from audit_log "
            "where (? = 0 or action in (select value from json_each(?))) "
            "and instr(lower(cast(who as text)), lower(?)) > 0 "
            "order by audit_id desc limit ?",
            (len(actions), _json_list(actions), who, limit),
        ).fetchall()
    finally:
        con.close()
    states = (chain or verify(file)).states
    if any(row[0] not in states for row in rows):  # written since `chain` was verified
        states = verify(file).states
    shown = [{**_readable(row), "chain": states.get(row[0], "gap")} for row in rows]
    return (
        pl.DataFrame(shown, schema=schema, orient="row") if shown else pl.DataFrame(schema=schema)
    )


def _json_list(values: tuple[str, ...]) -> str:
    import json

    return json.dumps(list(values))
