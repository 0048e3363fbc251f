"""Shared pieces of the worklog tests: users of every role and the tiny warehouse, built once per
module (tests/tiny_warehouse.py: C1 and C3 are North, C2 and C5 South, C4 West; as of 2026-03-17).

Each test gets its own worklog file (the `store` fixture), so tests do not see each other's items.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest

from data import warehouse
from data.users import User
from tests.tiny_warehouse import AS_OF, build_tiny

ADMIN = User("root", role="admin")
OTHER_ADMIN = User("boss", role="admin")
ANALYST = User("ben", role="analyst")  # every region
NORTH = User("ana", role="analyst", regions=("North",))
SOUTH = User("sam", role="analyst", regions=("South",))
EXECUTIVE = User("exe", role="executive")
NO_ROLE = User("nobody", role=None)
# The real date the tests pretend it is: three weeks after the tiny warehouse's as-of date.
TODAY = date(2026, 4, 8)
# The tiny warehouse's alerts (watchlist spells on the list at AS_OF), by customer: alert_on.
ALERTS = {
    "C1": date(2026, 1, 31),
    "C2": date(2025, 11, 30),
    "C3": date(2025, 10, 31),
    "C4": date(2025, 10, 31),
    "C5": date(2026, 3, 31),  # entered on the mid-month as-of date 2026-03-17
}


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory) -> Path:
    """The tiny warehouse file, built once per module; tests open it read-only."""
    path = tmp_path_factory.mktemp("worklog_tiny") / "warehouse.duckdb"
    con, _ = build_tiny(path)
    con.close()
    return path


@pytest.fixture
def con(tiny_db) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the module's tiny warehouse."""
    connection = warehouse.connect(tiny_db, read_only=True)
    yield connection
    connection.close()


@pytest.fixture
def store(tmp_path) -> Path:
    """This test's own worklog file (not created until the first change)."""
    return tmp_path / "worklog.sqlite"


__all__ = [
    "ADMIN",
    "ALERTS",
    "ANALYST",
    "AS_OF",
    "EXECUTIVE",
    "NORTH",
    "NO_ROLE",
    "OTHER_ADMIN",
    "SOUTH",
    "TODAY",
    "con",
    "store",
    "tiny_db",
]
