"""Warm-up once per server process: what every page imports, loaded in a background thread.

A page's first visit used to pay for its imports (the Model page's statistics, scipy.stats, took
seconds) while the browser showed the previous page. The first script run of the process starts
one thread, after its page is drawn, that imports every module the page files import and the
libraries the query layer loads late (`LATE`); a page visited afterwards finds them loaded. Python
imports take a per-module lock, so a page that needs a module while the thread is loading it waits
for that one load and never loads it twice. Nothing is drawn and no page code runs here.
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
# Loaded inside the functions that use them (seconds each on a slow machine), so not seen by the
# page files' imports.
LATE = ("scipy.stats",)

# Streamlit's logger: its lines reach the server log (INFO by default) in Streamlit's format.
_LOG = get_logger(__name__)
DONE = "warm-up done"  # the start of the server log's line when the thread has finished
_lock = threading.Lock()
_thread: threading.Thread | None = None


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


def start() -> threading.Thread:
    """Start the warm-up thread once per process (later calls return the same thread)."""
    global _thread
    with _lock:
        if _thread is None:
            modules = [*page_imports(), *LATE]
            _thread = threading.Thread(target=_warm, args=(modules,), name="warm-up", daemon=True)
            _thread.start()
        return _thread
