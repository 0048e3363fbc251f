"""Comparing a table built by Spark with the DuckDB build: the values must agree, the types may
differ (a DuckDB DECIMAL read back as a double, a list as a tuple), floating point within 1e-9
relative, rows in any order. Shared by the Spark test modules."""

from __future__ import annotations

import math
import shutil
from decimal import Decimal

import pytest

RELATIVE = 1e-9
NO_EXTRA = "the Spark engine's optional extra is not installed (uv run --extra spark)"


def require_spark() -> None:
    """Skip the calling test module unless the spark extra and Java 17+ are there (called at its
    import, before it imports anything of Spark's)."""
    pytest.importorskip("sqlglot", reason=NO_EXTRA)
    pytest.importorskip("pyspark", reason=NO_EXTRA)
    if shutil.which("java") is None:
        pytest.skip("the Spark engine needs Java 17+ (no `java` on PATH)", allow_module_level=True)


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list | tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _plain(v)) for k, v in value.items()))
    return value


def _sort_key(row: tuple) -> tuple:
    key = []
    for value in row:
        if isinstance(value, float):
            value = float(f"{value:.9g}") if math.isfinite(value) else value
        key.append((value is None, type(value).__name__, value if value is not None else 0))
    return tuple(key)


def _same(a: object, b: object) -> bool:
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=RELATIVE, abs_tol=1e-12)
    return a == b


def differences(expected: list[tuple], got: list[tuple]) -> list[str]:
    """Rows of `expected` and `got` (any order) that do not agree, as text (empty: equal)."""
    if len(expected) != len(got):
        return [f"{len(expected)} rows against {len(got)}"]
    left = sorted((tuple(_plain(v) for v in r) for r in expected), key=_sort_key)
    right = sorted((tuple(_plain(v) for v in r) for r in got), key=_sort_key)
    return [f"{a} != {b}" for a, b in zip(left, right, strict=True) if not _same(a, b)][:5]
