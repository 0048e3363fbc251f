"""The architecture runs one way: pages → queries → warehouse (data/), with schemas at the borders.

Every import in a module counts, also the ones inside functions (a late import is still a
dependency). `python -m data` is the command line's name: data/__main__.py only hands over to
commands/, the layer above the query layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported(path: Path) -> set[str]:
    """The top-level packages `path` imports anywhere in its code (absolute imports only)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


# what each layer must never import
FORBIDDEN = {
    "data": {"queries", "dashboard", "commands", "streamlit", "app"},
    "queries": {"dashboard", "commands", "streamlit", "app"},
    "schemas": {"queries", "dashboard", "commands", "streamlit", "app"},
}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_module_imports_a_layer_above_its_own(package):
    offending = {
        str(path.relative_to(ROOT)): sorted(imported(path) & FORBIDDEN[package])
        for path in modules(package)
        if path.name != "__main__.py" or package != "data"
    }
    assert {name: found for name, found in offending.items() if found} == {}


def test_the_command_line_entry_only_hands_over_to_the_commands():
    assert imported(ROOT / "data" / "__main__.py") == {"sys", "commands"}


def test_the_layer_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "late.py"
    module.write_text("def f():\n    from queries.runner import run\n    import dashboard.i18n\n")
    assert imported(module) == {"queries", "dashboard"}
