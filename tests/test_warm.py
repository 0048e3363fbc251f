"""The warm-up thread (dashboard/warm.py) and the late statistics imports it stands in for."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from dashboard import warm


def test_page_imports_lists_top_level_imports_once_in_file_order(tmp_path):
    (tmp_path / "a.py").write_text(
        "from __future__ import annotations\nimport json\nfrom os import path, sep\n"
    )
    (tmp_path / "b.py").write_text(
        "import json\nimport csv as c\nfrom . import sibling\n\ndef f():\n    import zlib\n"
    )
    (tmp_path / "notes.txt").write_text("import wave\n")
    # a.py first; json once; relative and function-level imports and other files left out
    assert warm.page_imports(tmp_path) == ["json", "os", "os.path", "os.sep", "csv"]


def test_import_tells_a_name_that_is_no_module_from_a_failing_module(tmp_path, monkeypatch):
    assert warm._import("json") is True
    assert warm._import("os.sep") is False  # `from os import sep`: a name, not a module
    (tmp_path / "broken_for_warm_test.py").write_text("import no_such_module_for_warm_test\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError):
        warm._import("broken_for_warm_test")


def test_the_real_pages_imports_cover_the_model_statistics_and_no_page_file():
    modules = warm.page_imports()
    assert {"queries.model_metrics", "dashboard.components.model_charts"} <= set(modules)
    assert not any(name.startswith("dashboard.pages") for name in modules)
    assert "scipy.stats" in warm.LATE


def test_start_runs_one_thread_per_process(tmp_path, monkeypatch):
    (tmp_path / "page.py").write_text("import json\n")
    monkeypatch.setattr(warm, "PAGES", tmp_path)
    monkeypatch.setattr(warm, "LATE", ("csv",))
    monkeypatch.setattr(warm, "_thread", None)
    first = warm.start()
    assert warm.start() is first
    first.join(timeout=30)
    assert not first.is_alive() and {"json", "csv"} <= set(sys.modules)


def test_the_model_queries_do_not_import_scipy_stats_until_used():
    code = (
        "import sys, queries.model, queries.model_compare, queries.roc_inference;"
        "assert 'scipy.stats' not in sys.modules, 'imported early';"
        "from queries.model_metrics import clopper_pearson;"
        "low, high = clopper_pearson(1, 2);"
        "assert 'scipy.stats' in sys.modules;"
        "print(round(float(low), 4), round(float(high), 4))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    # 1 of 2: Beta(0.025; 1, 2) = 1 - sqrt(0.975), Beta(0.975; 2, 1) = sqrt(0.975)
    assert out.stdout.split() == [f"{1 - 0.975**0.5:.4f}", f"{0.975**0.5:.4f}"]


def test_script_imports_reads_imports_inside_with_blocks_but_not_functions(tmp_path):
    script = tmp_path / "app.py"
    script.write_text(
        "import json\nwith open('x') as f:\n    from os import path\n"
        "if True:\n    import csv\n\ndef late():\n    import zlib\n"
    )
    assert warm.script_imports(script) == ["json", "os", "os.path", "csv"]


def test_the_first_page_covers_app_py_and_the_overview():
    first = [name for file in warm.FIRST for name in warm.script_imports(file)]
    assert {"dashboard.filters", "queries.settings", "queries.portfolio"} <= set(first)


def _count_runs(monkeypatch) -> list[str]:
    from queries import filters, freshness, portfolio, provisions, settings

    ran: list[str] = []
    for module in (filters, freshness, portfolio, provisions, settings):

        def counted(con, name, _run=module.run, **params):
            ran.append(name)
            return _run(con, name, **params)

        monkeypatch.setattr(module, "run", counted)
    return ran


def test_the_first_page_finds_its_queries_warmed(demo_db, monkeypatch):
    """After the server start's warm-up, the first visitor's Overview (main.py, default filters)
    runs none of its queries again; without it, it runs them."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    ran = _count_runs(monkeypatch)
    assert warm.first_page() == 13
    assert len(ran) >= 13  # every query of the warm-up ran once, into the cache
    ran.clear()
    at = AppTest.from_file(str(ROOT / "main.py"), default_timeout=60).run()
    assert not at.exception and at.title[0].value == "Portfolio overview"
    assert ran == []
    st.cache_data.clear()
    AppTest.from_file(str(ROOT / "main.py"), default_timeout=60).run()
    assert len(ran) >= 13


def test_no_queries_warmed_without_a_warehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("RISK_DB", str(tmp_path / "none.duckdb"))
    assert warm.first_page() == 0
    assert not (tmp_path / "none.duckdb").exists()


def test_at_start_warms_the_first_page_then_the_rest_once_it_is_drawn(tmp_path, monkeypatch):
    (tmp_path / "page.py").write_text("import json\n")
    (tmp_path / "app.py").write_text("import csv\n")
    monkeypatch.setattr(warm, "PAGES", tmp_path)
    monkeypatch.setattr(warm, "FIRST", (tmp_path / "app.py",))
    monkeypatch.setattr(warm, "LATE", ("zlib",))
    monkeypatch.setattr(warm, "_thread", None)
    monkeypatch.setattr(warm, "_first_drawn", threading.Event())
    monkeypatch.setattr(warm, "first_page", lambda: 0)
    imported: list[str] = []
    monkeypatch.setattr(warm, "_import", lambda name: imported.append(name) or True)
    thread = warm.at_start()
    deadline = time.monotonic() + 30
    while "csv" not in imported and time.monotonic() < deadline:
        thread.join(timeout=0.05)
    assert "csv" in imported and "json" not in imported  # the rest waits for the first page
    assert warm.start() is thread  # app.py's call after its first run: the same thread goes on
    thread.join(timeout=30)
    assert not thread.is_alive() and {"json", "zlib"} <= set(imported)
