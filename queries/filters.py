"""The global filters (as-of date, segment, region, industry): the value every filtered query takes,
and the choices behind them.

`Filters` is what the sidebar yields (dashboard.filters), what `fetch` caches on and what a query
function of queries/ takes as its one `filters` argument; `params()` is the dict of bind parameters
the SQL files name ($as_of, $segments, $regions, $industries; the runner binds only those a file
uses). Frozen and made of tuples, so it is hashable and equal by value: a cache key as it is.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb
import polars as pl

from queries.runner import run

Filter = tuple[str, ...]
DIMENSIONS = ("segments", "regions", "industries")


@dataclass(frozen=True)
class Filters:
    """The as-of grid date (None: not set, for questions over every month) and the segments,
    regions and industries chosen (empty tuple = no restriction).

    Lists are accepted and kept as tuples; a bare string or a non-string value is refused (a
    string would otherwise read as a tuple of its letters).
    """

    as_of: date | None = None
    segments: Filter = ()
    regions: Filter = ()
    industries: Filter = ()

    def __post_init__(self) -> None:
        if self.as_of is not None and not isinstance(self.as_of, date):
            raise TypeError(f"as_of must be a date or None, not {self.as_of!r}")
        for name in DIMENSIONS:
            values = getattr(self, name)
            if not isinstance(values, (tuple, list)) or not all(isinstance(v, str) for v in values):
                raise TypeError(f"{name} must be a tuple of strings, not {values!r}")
            object.__setattr__(self, name, tuple(values))

    def params(self) -> dict[str, Any]:
        """The bind parameters of a filtered SQL file: as_of, segments, regions, industries."""
        return {"as_of": self.as_of, **self.dimensions()}

    def dimensions(self) -> dict[str, Filter]:
        """segments, regions and industries by name (the filters without the date)."""
        return {name: getattr(self, name) for name in DIMENSIONS}

    @property
    def narrowed(self) -> bool:
        """Whether any segment, region or industry is chosen (else: the whole portfolio)."""
        return bool(self.segments or self.regions or self.industries)

    def replace(self, **changes: Any) -> Filters:
        """A copy with `changes` (dataclasses.replace, validated again)."""
        return dataclasses.replace(self, **changes)


ALL = Filters()  # no date, no restriction: the questions that read every month


def as_of_dates(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every as-of date in the derived tables (column as_of), newest first."""
    return run(con, "filter_as_of_dates")


def dimension_values(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """(dimension, value) pairs for segment, region and industry, sorted."""
    return run(con, "filter_dimensions")
