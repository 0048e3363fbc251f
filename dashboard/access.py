"""The dashboard's way into a warehouse: shared read-only connections, cached query results.

Writers swap in a new warehouse file (data.warehouse.writing); a holder notices the new file on
the next query and reopens once no query is running on the old one, so a page shows new data
without a restart and never meets a lock or a half-written state. Query results are cached by
the query function, its primitive arguments and the file's version.

The main warehouse is $RISK_DB (or data/warehouse.duckdb); pages that read another warehouse (the
case studies) pass its path as `db`.

While access control is on, every query runs under the signed-in user's scope (dashboard.auth):
a restricted user's queries go through a scoped connection (data.scope) whose views hold only
the rows and columns that user may see, and the scope is part of the cache key, so one user's rows
never reach another through the cache.
"""

from __future__ import annotations

import importlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import duckdb
import polars as pl
import streamlit as st

from data import warehouse
from data.scope import Scope, connect_scoped


class _Holder:
    """A read-only connection to one warehouse path, reopened when the file there changes.

    With a scope, the connection is a scoped view of the warehouse (data.scope).
    """

    def __init__(self, path: str, scope: Scope | None = None) -> None:
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._version: tuple[int, int] | None = None
        self._in_use = 0
        self.path = path
        self.scope = scope

    @contextmanager
    def connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._lock:
            current = warehouse.file_version(self.path)
            # DuckDB shares one database instance per path within a process, so the old
            # connection must be closed before the new file can be seen; while a query still
            # runs on it, that query's session keeps reading the old, complete state.
            if self._con is not None and current != self._version and self._in_use == 0:
                self._con.close()
                self._con = None
            if self._con is None:
                self._con = (
                    connect_scoped(self.path, self.scope)
                    if self.scope is not None
                    else warehouse.connect(self.path, read_only=True)
                )
                self._version = current
            self._in_use += 1
            con = self._con
        try:
            yield con
        finally:
            with self._lock:
                self._in_use -= 1
            self.release_if_replaced()

    def release_if_replaced(self) -> None:
        """Close the connection when a writer has replaced the file and no query runs on it: the
        replaced file becomes the writer's spare (data.delta), which it can only update in place
        once no reader holds it."""
        with self._lock:
            if (
                self._con is not None
                and self._in_use == 0
                and warehouse.file_version(self.path) != self._version
            ):
                self._con.close()
                self._con = None

    def close(self) -> None:
        with self._lock:
            if self._con is not None and self._in_use == 0:
                self._con.close()
                self._con = None


# One holder per warehouse path per process, like a cached resource, but closable from tests and
# before this process writes.
_HOLDERS: dict[tuple[str, Scope | None], _Holder] = {}
_HOLDERS_LOCK = threading.Lock()


_WATCH_SECONDS = 0.5


def holder(db: str | None = None, scope: Scope | None = None) -> _Holder:
    """The holder of warehouse `db` (default: the main warehouse), scoped when `scope` is set."""
    path = str(warehouse.db_path(db))
    with _HOLDERS_LOCK:
        if (path, scope) not in _HOLDERS:
            _HOLDERS[(path, scope)] = _Holder(path, scope)
        if not _WATCHER:
            _WATCHER.append(threading.Thread(target=_watch, name="warehouse-watch", daemon=True))
            _WATCHER[0].start()
        return _HOLDERS[(path, scope)]


_WATCHER: list[threading.Thread] = []


def _watch() -> None:
    """Let go of replaced files while the dashboard is idle (a session that runs no query would
    otherwise keep the old file open until its next one)."""
    while True:
        time.sleep(_WATCH_SECONDS)
        with _HOLDERS_LOCK:
            holders = list(_HOLDERS.values())
        for each in holders:
            each.release_if_replaced()


def data_version(db: str | None = None) -> str:
    """Changes whenever the warehouse file is replaced: part of every cache key."""
    return f"{warehouse.db_path(db)}:{warehouse.file_version(db)}"


@st.cache_data(show_spinner=False, max_entries=512, ttl=3600)
def _cached(
    function: str,
    db: str | None,
    version: str,
    arguments: tuple[tuple[str, Any], ...],
    regions: tuple[str, ...] | None = None,
    masked: bool | None = None,
) -> pl.DataFrame:
    del version  # part of the key only
    module, name = function.split(":")
    query = getattr(importlib.import_module(module), name)
    # regions and masked are primitives so that they are part of the cache key.
    scope = None if masked is None else Scope(regions=regions, masked=masked)
    with holder(db, scope).connection() as con:
        return query(con, **dict(arguments))


def fetch(
    query: Callable[..., pl.DataFrame], db: str | None = None, **arguments: Any
) -> pl.DataFrame:
    """query(con, **arguments) on warehouse `db`, cached per warehouse version.

    Arguments must be primitives, tuples (lists are turned into tuples for the cache key) or the
    global filters (`filters=`, a frozen queries.filters.Filters, hashed by value). Runs under the
    signed-in user's scope, which keeps the filters' regions inside it (data.scope.Scope.narrow);
    raises auth.AccessDenied without a permitted user.
    """
    from dashboard.auth import audit_read, query_scope  # late: auth draws Streamlit UI

    scope = query_scope()
    audit_read(f"{query.__module__}:{query.__name__}", arguments)
    if scope is not None:
        arguments = scope.narrow(arguments)
    frozen = tuple(
        sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in arguments.items())
    )
    path = str(warehouse.db_path(db))
    if scope is None:
        return _cached(f"{query.__module__}:{query.__name__}", path, data_version(path), frozen)
    return _cached(
        f"{query.__module__}:{query.__name__}",
        path,
        data_version(path),
        frozen,
        regions=scope.regions,
        masked=scope.masked,
    )


@st.cache_resource(show_spinner=False, max_entries=8)
def _shared(
    function: str,
    db: str,
    version: str,
    regions: tuple[str, ...] | None = None,
    masked: bool | None = None,
) -> pl.DataFrame:
    del version  # part of the key only
    module, name = function.split(":")
    query = getattr(importlib.import_module(module), name)
    # Keyed by scope like _cached: a restricted user's frame comes from their scoped connection.
    scope = None if masked is None else Scope(regions=regions, masked=masked)
    with holder(db, scope).connection() as con:
        return query(con)


def fetch_shared(query: Callable[..., pl.DataFrame], db: str | None = None) -> pl.DataFrame:
    """query(con) on warehouse `db`, kept once per warehouse version and handed out uncopied.

    For large frames every session reads (the what-if history): `fetch` would copy them on each
    call. Callers must not mutate the frame; Polars operations return new frames anyway. Runs
    under the signed-in user's scope, one frame per scope.
    """
    from dashboard.auth import query_scope  # late: auth draws Streamlit UI

    scope = query_scope()
    path = str(warehouse.db_path(db))
    function = f"{query.__module__}:{query.__name__}"
    if scope is None:
        return _shared(function, path, data_version(path))
    return _shared(function, path, data_version(path), regions=scope.regions, masked=scope.masked)


def release(db: str | None = None) -> None:
    """Close the shared connections to `db` (before this process writes a new file there)."""
    path = str(warehouse.db_path(db))
    with _HOLDERS_LOCK:
        holders = [item for (where, _), item in _HOLDERS.items() if where == path]
    for item in holders:
        item.close()


def release_all() -> None:
    """Close every idle shared connection (tests, shutdown)."""
    with _HOLDERS_LOCK:
        holders = list(_HOLDERS.values())
    for item in holders:
        item.close()
