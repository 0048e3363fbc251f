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


# Customers per generated block: memory stays bounded by one block however large the portfolio.
BLOCK = 25_000


def build_demo(
    path: str | os.PathLike[str] | None = None,
    scenario: str = "manufacturer",
    customers: int = 2000,
    seed: int = 7,
    progress: Progress | None = None,
    lang: str = "en",
    force: bool = False,
) -> DemoResult:
    """Generate the `scenario` portfolio and build a complete warehouse at `path` (replacing it).

    An existing file at `path` that is not a warehouse is refused (WarehouseUnavailable) unless
    `force`; a symbolic link is written through to its target.

    `lang` "zh" writes Chinese company names and event notes; ids and numbers are the same.

    The portfolio is generated and loaded block by block (each block validated like a user file),
    then the derived tables are built once; the file is swapped in only when all of it is done.
    """
    from data.build import rebuild
    from data.generate import iter_generate  # heavy: numpy generation only when a demo is built

    blocks = -(-customers // BLOCK)
    rows: dict[str, int] = {}
    reports = []
    with warehouse.writing(path, fresh=True, force=force) as con:
        for number, block in enumerate(
            iter_generate(scenario, customers, seed, block=BLOCK, lang=lang), start=1
        ):
            if progress:
                progress(
                    f"loading block {number} of {blocks} ({customers:,} {scenario} customers)",
                    number - 1,
                    blocks,
                )
            suffix = f" block {number}/{blocks}" if blocks > 1 else ""
            label = f"demo:{scenario}:seed={seed}" + (f":lang={lang}" if lang != "en" else "")
            loaded = load_frames(con, block.tables, label + suffix, rebuild=False)
            reports += loaded.reports
            for table, frame in block.tables.items():
                rows[table] = rows.get(table, 0) + frame.height
        con.execute("begin transaction")
        try:
            built = rebuild(con, progress=progress)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    target = warehouse.write_target(warehouse.db_path(path))
    return DemoResult(target, scenario, customers, seed, rows, LoadResult(reports, built))
