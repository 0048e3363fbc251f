"""The spare file's one promise (data.delta): the spare, brought up to date with what the last write
noted, is the current file exactly, every table, every column (timestamps included)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from data import delta, warehouse


def assert_spare_catches_up(db: Path, scratch: Path) -> bool:
    """When `db` has a note, bring a copy of its spare up to date and compare every table with
    `db`'s (warehouse.checksum: row content, order-independent). False when there is no note."""
    note = delta.read_note(db)
    if note is None:
        return False
    copy = scratch / "caught-up.duckdb"
    shutil.copyfile(delta.spare_path(db), copy)
    con = duckdb.connect(str(copy))
    try:
        delta.catch_up(con, db, note)
        caught_up = warehouse.checksum(con)
    finally:
        con.close()
        copy.unlink()
    with warehouse.connect(db, read_only=True) as current:
        expected = warehouse.checksum(current)
    differing = sorted(
        t for t in expected.keys() | caught_up.keys() if expected.get(t) != caught_up.get(t)
    )
    assert not differing, differing
    return True
