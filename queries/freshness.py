"""How fresh the warehouse is: when it was last loaded, which month-end it reaches, and whether
that is older than the policy allows (`[freshness] max_age_days` in data/policy.toml)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path

import duckdb
import polars as pl

from data.policy import DEFAULT_POLICY, OPTIONAL_SECTIONS, PolicyError, load_policy
from queries.runner import run


@dataclass(frozen=True)
class Freshness:
    """The warehouse's freshness on `today`.

    loaded_at: the last build (every load rebuilds); data_through: the last grid date the data
    reaches; age_days: days from data_through to today; stale: age_days above max_age_days."""

    loaded_at: datetime | None
    data_through: date | None
    age_days: int | None
    max_age_days: int

    @property
    def stale(self) -> bool:
        return self.age_days is not None and self.age_days > self.max_age_days


def warehouse_freshness(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row: loaded_at (the last build's time, null before one) and data_through (date)."""
    return run(con, "warehouse_freshness")


def max_age_days(path: str | Path | None = None) -> int:
    """The policy's freshness threshold in days (data/policy.toml unless `path`); the shipped
    default when the file cannot be read (the build refuses such a file loudly, a page must not)."""
    file = Path(path) if path else DEFAULT_POLICY
    try:
        stamp = file.stat().st_mtime_ns
    except OSError:
        stamp = None
    return _threshold(str(file), stamp)


@cache
def _threshold(path: str, stamp: int | None) -> int:
    del stamp  # part of the key: a changed file is read again
    try:
        return int(load_policy(path).freshness["max_age_days"])
    except (PolicyError, OSError, ValueError):
        return int(OPTIONAL_SECTIONS["freshness"]["max_age_days"])


def freshness_status(frame: pl.DataFrame, today: date, max_age: int) -> Freshness:
    """The Freshness of a `warehouse_freshness` result on `today` under threshold `max_age` days."""
    if frame.is_empty():
        return Freshness(None, None, None, max_age)
    loaded_at, through = frame.row(0)
    age = (today - through).days if through is not None else None
    return Freshness(loaded_at, through, age, max_age)
