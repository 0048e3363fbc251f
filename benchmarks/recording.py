"""What a page asks of the warehouse, recorded from a real render, so it can be replayed and timed.

A page is rendered once with AppTest while `dashboard.access.fetch` records every (query function,
arguments) it calls; replaying those calls is the page's data work. Replaying once more while
`queries.runner.run` records its (SQL name, parameters) gives the floor: the same SQL straight from
DuckDB into Arrow.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "dashboard" / "pages"


@dataclass
class PageWork:
    name: str
    calls: list[tuple[Any, dict]] = field(default_factory=list)
    sql_calls: list[tuple[str, dict]] = field(default_factory=list)

    def run(self, con: duckdb.DuckDBPyConnection) -> list:
        return [query(con, **arguments) for query, arguments in self.calls]

    def warm(self, con: duckdb.DuckDBPyConnection) -> None:
        """Replay once, recording the SQL the query functions run (for the floor)."""
        import queries.runner as runner

        real = runner.run
        recorded: list[tuple[str, dict]] = []

        def recording(connection, name, **params):
            recorded.append((name, params))
            return real(connection, name, **params)

        runner.run = recording
        try:
            # Query modules imported `run` by name; patch them too.
            modules = {query.__module__ for query, _ in self.calls}
            patched = []
            for module_name in modules:
                module = __import__(module_name, fromlist=["run"])
                if getattr(module, "run", None) is real:
                    module.run = recording
                    patched.append(module)
            self.run(con)
        finally:
            runner.run = real
            for module in patched:
                module.run = real
        self.sql_calls = recorded

    def floor(self, con: duckdb.DuckDBPyConnection) -> list:
        from data.runner import bound as _bound
        from queries.runner import sql_text

        out = []
        for name, params in self.sql_calls:
            text = sql_text(name)
            cursor = con.cursor()
            try:
                out.append(cursor.sql(text, params=_bound(text, params)).arrow())
            finally:
                cursor.close()
        return out

    def fingerprint(self, con: duckdb.DuckDBPyConnection) -> tuple:
        return tuple((f.height, f.width) for f in self.run(con))

    def rows_sent(self, con: duckdb.DuckDBPyConnection) -> int:
        return sum(f.height for f in self.run(con))

    def with_filter(self, **changes: Any) -> PageWork:
        """The same calls with the global filters changed (`changes` as in Filters.replace, e.g.
        segments=("Large",)) where a call takes them."""
        calls = [
            (
                query,
                {**arguments, "filters": arguments["filters"].replace(**changes)}
                if "filters" in arguments
                else arguments,
            )
            for query, arguments in self.calls
        ]
        return replace(self, calls=calls, sql_calls=[])


def record_pages(path: Path) -> tuple[list[PageWork], dict[str, float]]:
    """Render every page once against warehouse `path`; (recorded work, first-render ms) per page."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    import dashboard.access as access
    from data import warehouse

    os.environ["RISK_DB"] = str(path)
    real_fetch = access.fetch
    main_path = str(warehouse.db_path(path))
    works: list[PageWork] = []
    first_render: dict[str, float] = {}
    with warehouse.connect(path, read_only=True) as con:
        top_customer = con.sql(
            "select customer_id from customer_month where as_of = (select max(as_of) from month_grid) "
            "order by exposure desc limit 1"
        ).fetchall()[0][0]
    for script in sorted(PAGES.glob("*.py")):
        if script.name.startswith("_"):
            continue
        work = PageWork(script.stem)

        def recording(query, db=None, _work=work, **arguments):
            if db is None or str(warehouse.db_path(db)) == main_path:
                _work.calls.append((query, arguments))
            return real_fetch(query, db=db, **arguments)

        access.fetch = recording
        st.cache_data.clear()
        access.release_all()
        try:
            app = AppTest.from_file(str(script), default_timeout=600)
            if script.stem == "customer":
                app.query_params["customer"] = top_customer
            started = time.perf_counter()
            app.run()
            first_render[work.name] = (time.perf_counter() - started) * 1000
        finally:
            access.fetch = real_fetch
        if app.exception:
            print(f"warning: page {work.name} raised {app.exception[0].message}")
        if work.calls:
            works.append(work)
    access.release_all()
    return works, first_render
