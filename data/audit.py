"""The audit log: who signed in (or failed to), exported, loaded or opened a customer, and when.

The log lives in its own small SQLite file next to the warehouse ($RISK_AUDIT_DB, else
`audit.sqlite` in the warehouse's folder), not in the warehouse: the warehouse is replaced whole by
every load (copy + swap) and read through read-only connections, so writing an event there would
mean copying the whole file per click. SQLite appends one row in a millisecond, lets the dashboard
and the command line write at the same time (each waits for the other's lock), and survives demo
rebuilds. Its schema comes from data/migrations/audit/*.sql, tracked with `pragma user_version`;
triggers make the table append-only.

Auditing is part of access control: events are recorded while an access file is configured.
"""

from __future__ import annotations

import os
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from data import users, warehouse

MIGRATIONS = Path(__file__).resolve().parent / "migrations" / "audit"
ACTIONS = (
    "sign_in",
    "sign_in_failed",
    "sign_out",
    "refused",
    "export",
    "load",
    "customer_view",
)
COLUMNS = ("audit_id", "at", "who", "role", "action", "detail", "rows")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


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
    """Open (creating and migrating as needed) the audit file."""
    file = audit_path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    # A writer waits up to 10 s for another's lock instead of failing.
    con = sqlite3.connect(file, timeout=10, isolation_level=None)
    con.execute("pragma journal_mode = wal")
    current = con.execute("pragma user_version").fetchone()[0]
    for script in sorted(MIGRATIONS.glob("*.sql")):
        version = int(script.name.split("_", 1)[0])
        if version <= current:
            continue
        con.execute("begin immediate")
        try:
            # Another process may have migrated while this one waited for the lock.
            if con.execute("pragma user_version").fetchone()[0] < version:
                for statement in _statements(script.read_text(encoding="utf-8")):
                    con.execute(statement)
                con.execute(f"pragma user_version = {version:d}")
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
    return con


def _statements(script: str) -> list[str]:
    # sqlite3 runs one statement per execute; a trigger body holds `;` until its `end;`.
    statements, current = [], []
    for line in script.splitlines():
        if line.strip().startswith("--") or not line.strip():
            continue
        current.append(line)
        text = "\n".join(current).strip()
        if text.endswith(";") and (
            not text.lower().startswith("create trigger") or text.lower().endswith("end;")
        ):
            statements.append(text)
            current = []
    return statements


def _clean(text: str, limit: int) -> str:
    # One event, one line: control characters (newlines) could fake extra entries in a viewer.
    return _CONTROL.sub(" ", text)[:limit]


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
    con = connect(audit_path(path, db))
    try:
        con.execute(
            "insert into audit_log (at, who, role, action, detail, rows) values (?, ?, ?, ?, ?, ?)",
            (
                datetime.now(UTC).isoformat(timespec="seconds"),
                _clean(who, 120) or "?",
                role,
                action,
                _clean(detail, 500),
                rows,
            ),
        )
    finally:
        con.close()


def recent(
    limit: int = 1000,
    actions: tuple[str, ...] = (),
    who: str = "",
    path: str | os.PathLike[str] | None = None,
) -> pl.DataFrame:
    """The newest `limit` events, optionally of some actions and users whose name contains `who`.

    Columns: audit_id, at (UTC timestamp), who, role, action, detail, rows.
    """
    file = audit_path(path)
    schema = {
        "audit_id": pl.Int64,
        "at": pl.String,
        "who": pl.String,
        "role": pl.String,
        "action": pl.String,
        "detail": pl.String,
        "rows": pl.Int64,
    }
    if not file.exists():
        rows: list[tuple] = []
    else:
        con = connect(file)
        try:
            rows = con.execute(
                "select audit_id, at, who, role, action, detail, rows from audit_log "
                "where (? = 0 or action in (select value from json_each(?))) "
                "and instr(lower(who), lower(?)) > 0 "
                "order by audit_id desc limit ?",
                (len(actions), _json_list(actions), who, limit),
            ).fetchall()
        finally:
            con.close()
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    return frame.with_columns(pl.col("at").str.to_datetime(time_zone="UTC"))


def _json_list(values: tuple[str, ...]) -> str:
    import json

    return json.dumps(list(values))
