"""Building the demo warehouse: generate a synthetic portfolio and load it like any user file.

The new warehouse is written to a fresh file and swapped in only when complete (warehouse.writing),
so an existing warehouse is never half-replaced and readers never see a partial one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from data import warehouse
from data.ingest import LoadResult, Progress, load_frames


@dataclass(frozen=True)
class DemoResult:
    path: Path
    scenario: str
    customers: int
    seed: int
    rows: dict[str, int]
    load: LoadResult


def build_demo(
    path: str | os.PathLike[str] | None = None,
    scenario: str = "manufacturer",
    customers: int = 2000,
    seed: int = 7,
    progress: Progress | None = None,
) -> DemoResult:
    """Generate the `scenario` portfolio and build a complete warehouse at `path` (replacing it)."""
    from data.generate import generate  # heavy: numpy generation only when a demo is built

    if progress:
        progress(f"generating {customers:,} {scenario} customers", 0, 1)
    portfolio = generate(scenario=scenario, customers=customers, seed=seed)
    with warehouse.writing(path, fresh=True) as con:
        result = load_frames(
            con, portfolio.tables, f"demo:{scenario}:seed={seed}", rebuild=True, progress=progress
        )
    rows = {t: f.height for t, f in portfolio.tables.items()}
    target = warehouse.db_path(path)
    return DemoResult(target, scenario, customers, seed, rows, result)
