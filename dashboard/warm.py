"""Warm-up once per server process: what every page imports, loaded in a background thread.

A page's first visit used to pay for its imports (the Model page's statistics, scipy.stats, took
seconds) while the browser showed the previous page, and the first visitor after a restart paid for
the first page's (Polars, DuckDB, Pandera with pandas, Plotly) and its queries.

Started by the server (app.py's start hook, `at_start`), the thread first imports what main.py and
the first page (the Overview) import and fills the dashboard's cache with the queries they run at
the default filters (`first_page`), while the server and the browser are still starting; then it
imports every module the page files import and the libraries the query layer loads late (`LATE`).
Under `streamlit run main.py` (no start hook) the first script run starts it after its page is drawn
(`start`). Python imports take a per-module lock and the query cache one per key, so a page that
needs a module or a result while the thread is loading it waits for that one load and never loads
it twice. Nothing is drawn and no page code runs here.
"""

from __future__ import annotations

import ast
import importlib
import logging
import threading
import time
from pathlib import Path

from streamlit.logger import get_logger

PAGES = Path(__file__).resolve().parent / "pages"
ROOT = Path(__file__).resolve().parent.parent
# The page a visitor lands on (main.PAGES' first entry) and the script that runs before it.
FIRST = (ROOT / "main.py", PAGES / "overview.py")
# Loaded inside the functions that use them (seconds each on a slow machine), so not seen by the
# page files' imports.
LATE = ("scipy.stats",)

# Streamlit's logger: its lines reach the server log (INFO by default) in Streamlit's format.
_LOG = get_logger(__name__)
DONE = "warm-up done"  # the start of the server log's line when the thread has finished
FIRST_DONE = "warm-up: first page ready"  # its line once the first page's work is done
_lock = threading.Lock()
_thread: threading.Thread | None = None
_first_drawn = threading.Event()  # set by app.py's start() after its first run
IDLE = 30.0  # seconds after the first page's work the rest is imported even if no page was drawn


def page_imports(pages: Path | None = None) -> list[str]:
    """The modules the page files import at their top level, in file order, without duplicates.

    `from a.b import c` counts as `a.b` and, when `c` is a module, as `a.b.c` (found by
    `importlib.util.find_spec` at import time, see `_import`)."""
    found: list[str] = []
    for file in sorted((pages or PAGES).glob("*.py")):
        tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
        for node in tree.body:
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module == "__future__":
                    continue
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            found.extend(name for name in names if name not in found)
    return found


def script_imports(file: Path) -> list[str]:
    """The modules a script imports outside its functions (app.py imports inside `with`), in file
    order, without duplicates; `from a import b` counts as `a` and `a.b`, as in `page_imports`."""
    found: list[str] = []

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module != "__future__":
                    names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.With | ast.If | ast.Try):
                visit(node.body)
            found.extend(name for name in names if name not in found)

    visit(ast.parse(file.read_text(encoding="utf-8"), filename=str(file)).body)
    return found


def first_page() -> int:
    """Run the queries app.py and the Overview run at the default filters (the latest month, every
    segment, region and industry) through the dashboard's cache; the number of queries run.

    Nothing while access control is on (results are cached per user's scope, and nobody has signed
    in yet) or while there is no warehouse (the first run builds it, showing its progress)."""
    from dashboard import auth
    from data import warehouse

    if auth.enabled() or not warehouse.db_path().exists():
        return 0
    from dashboard.access import fetch
    from queries import filters, portfolio, provisions
    from queries.filters import Filters
    from queries.freshness import warehouse_freshness
    from queries.settings import warehouse_settings

    # app.py: the reporting currency, the freshness line and the sidebar's filters
    fetch(warehouse_settings)
    fetch(warehouse_freshness)
    fetch(filters.dimension_values)
    dates = fetch(filters.as_of_dates)["as_of"].to_list()
    if not dates:
        return 4
    default = Filters(as_of=dates[0])  # what current_filters() gives a first visit
    overview = (
        portfolio.kpis,
        portfolio.collection_rate,
        portfolio.el_drivers,
        portfolio.new_triggers,
        portfolio.grades,
        portfolio.concentration,
        portfolio.trend,
        provisions.trend,  # the allowance card
    )
    for query in overview:
        fetch(query, filters=default)
    fetch(portfolio.largest, limit=5, filters=default)
    return 4 + len(overview) + 1


def _import(name: str) -> bool:
    """Import `name` if it is a module; False when it is not one (a function or class name)."""
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as err:
        if err.name and name.startswith(err.name):  # `a.b.c` where c is not a module
            return False
        raise
    return True


def _warm(modules: list[str]) -> None:
    started = time.perf_counter()
    loaded = 0
    for name in modules:
        try:
            loaded += _import(name)
        except Exception:  # noqa: BLE001 - a warm-up failure must not stop the server; the page reports it
            _LOG.log(logging.WARNING, "warm-up: importing %s failed", name, exc_info=True)
    # .log(level, …): the UI text check reads .info()/.warning() as Streamlit elements
    _LOG.log(logging.INFO, "%s: %d modules in %.1f s", DONE, loaded, time.perf_counter() - started)


def _first(modules: list[str]) -> None:
    started = time.perf_counter()
    for name in modules:
        try:
            _import(name)
        except Exception:  # noqa: BLE001 - as in _warm: the page reports it
            _LOG.log(logging.WARNING, "warm-up: importing %s failed", name, exc_info=True)
    try:
        queries = first_page()
    except Exception:  # noqa: BLE001 - e.g. a warehouse of an earlier release: app.py upgrades it
        _LOG.log(logging.WARNING, "warm-up: the first page's queries failed", exc_info=True)
        queries = 0
    _LOG.log(
        logging.INFO,
        "%s: %d modules, %d queries in %.1f s",
        FIRST_DONE,
        len(modules),
        queries,
        time.perf_counter() - started,
    )


def _at_start(first: list[str], modules: list[str]) -> None:
    _first(first)
    # the rest only once the first page is drawn (or nobody came): imported beside its script run,
    # they would slow it down on a small machine
    _first_drawn.wait(timeout=IDLE)
    _warm(modules)


def _begin(target, *args) -> threading.Thread:
    global _thread
    with _lock:
        if _thread is None:
            _thread = threading.Thread(target=target, args=args, name="warm-up", daemon=True)
            _thread.start()
        return _thread


def start() -> threading.Thread:
    """Start the warm-up thread once per process (later calls return the same thread); after the
    first page is drawn, so a thread started at the server's start goes on to every page's imports."""
    _first_drawn.set()
    return _begin(_warm, [*page_imports(), *LATE])


def at_start() -> threading.Thread:
    """At server start: the first page's imports and queries, then, once the first page is drawn,
    every page's imports (once per process; app.py's later `start()` returns this thread)."""
    first = [name for file in FIRST for name in script_imports(file)]
    first = list(dict.fromkeys(["schemas.results", *first]))
    rest = [name for name in [*page_imports(), *LATE] if name not in first]
    return _begin(_at_start, first, rest)
