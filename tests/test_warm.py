"""The warm-up thread (dashboard/warm.py) and the late statistics imports it stands in for."""

from __future__ import annotations

import subprocess
import sys

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
