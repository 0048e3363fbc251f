"""The local SQLite files beside the warehouse (audit log, worklog, alert deliveries): created
readable by their owner only, opened in WAL mode, and migrated in place by numbered SQL scripts
(`NNN_name.sql`), one process at a time."""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

_LOG = logging.getLogger(__name__)


def open_migrated(
    file: Path, migrations: Path, *, foreign_keys: bool = False
) -> sqlite3.Connection:
    """Open `file` (creating it owner-only and its folder as needed) in autocommit mode, a writer
    waiting up to 10 s for another's lock, and run the scripts of `migrations` newer than the
    file's user_version, each in its own transaction."""
    file.parent.mkdir(parents=True, exist_ok=True)
    owner_only(file)
    con = sqlite3.connect(file, timeout=10, isolation_level=None)
    con.execute("pragma journal_mode = wal")
    if foreign_keys:
        con.execute("pragma foreign_keys = on")
    current = con.execute("pragma user_version").fetchone()[0]
    for script in sorted(migrations.glob("*.sql")):
        version = int(script.name.split("_", 1)[0])
        if version <= current:
            continue
        con.execute("begin immediate")
        try:
            # another process may have migrated while this one waited for the lock
            if con.execute("pragma user_version").fetchone()[0] < version:
                for statement in statements(script.read_text(encoding="utf-8")):
                    con.execute(statement)
                con.execute(f"pragma user_version = {version:d}")
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
    return con


def owner_only(file: Path) -> None:
    """Create `file` mode 0600 before SQLite opens it (its -wal and -shm files take the same
    mode); an older, wider file is narrowed."""
    try:
        os.close(os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        return
    except FileExistsError:
        pass
    mode = file.stat().st_mode & 0o777
    if mode & 0o077:
        try:
            os.chmod(file, mode & 0o600)
        except PermissionError:
            _LOG.warning("%s is readable by others (mode %04o)", file, mode)


def statements(script: str) -> list[str]:
    """The statements of a migration script (sqlite3 runs one per execute; a trigger body holds
    `;` until its `end;`), comment lines left out."""
    found, current = [], []
    for line in script.splitlines():
        if line.strip().startswith("--") or not line.strip():
            continue
        current.append(line)
        text = "\n".join(current).strip()
        if text.endswith(";") and (
            not text.lower().startswith("create trigger") or text.lower().endswith("end;")
        ):
            found.append(text)
            current = []
    return found
