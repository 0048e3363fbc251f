"""The dashboard's way into the warehouse: one shared read-only connection, cached query results.

Writers swap in a new warehouse file (data.warehouse.writing); the holder notices the new file on
the next query and reopens once no query is running on the old one, so a page shows new data
without a restart and never meets a lock or a half-written state. Query results are cached by
the query function, its primitive arguments and the file version.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import duckdb
import polars as pl
import streamlit as st

from data import warehouse


class _Holder:
    """A read-only connection to the current warehouse file, reopened when the file changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._version: tuple[int, int] | None = None
        self._path: str | None = None
        self._in_use = 0

    @contextmanager
    def connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        path = str(warehouse.db_path())
        with self._lock:
            current = warehouse.file_version(path)
            stale = self._con is not None and (current != self._version or path != self._path)
            # DuckDB shares one database instance per path within a process, so the old
            # connection must be closed before the new file can be seen.
            if stale and self._in_use == 0:
                self._con.close()
                self._con = None
            if self._con is None:
                self._con = warehouse.connect(path, read_only=True)
                self._version, self._path = current, path
            self._in_use += 1
            con = self._con
        try:
            yield con
        finally:
            with self._lock:
                self._in_use -= 1

    def close(self) -> None:
        with self._lock:
            if self._con is not None and self._in_use == 0:
                self._con.close()
                self._con = None


# One per process, like a cached resource, but closable from tests and before this process writes.
_HOLDER = _Holder()


def holder() -> _Holder:
    return _HOLDER


def data_version() -> str:
    """Changes whenever the warehouse file is replaced: part of every cache key."""
    version = warehouse.file_version()
    return f"{warehouse.db_path()}:{version}"


@st.cache_data(show_spinner=False, max_entries=512, ttl=3600)
def _cached(function: str, version: str, arguments: tuple[tuple[str, Any], ...]) -> pl.DataFrame:
    del version  # part of the key only
    module, name = function.split(":")
    query = getattr(importlib.import_module(module), name)
    with holder().connection() as con:
        return query(con, **dict(arguments))


def fetch(query: Callable[..., pl.DataFrame], **arguments: Any) -> pl.DataFrame:
    """query(con, **arguments), cached per warehouse version. Arguments must be primitives/tuples."""
    frozen = tuple(
        sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in arguments.items())
    )
    return _cached(f"{query.__module__}:{query.__name__}", data_version(), frozen)


def release() -> None:
    """Close the shared connection (before this process writes a new warehouse file)."""
    holder().close()
