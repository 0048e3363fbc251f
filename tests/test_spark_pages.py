"""An xl-shaped book through the Spark build (data.spark_build), and the dashboard on its result.

The warehouse is built as `python -m benchmarks --scale xl` builds one (benchmarks.__main__.build:
the manufacturer scenario, seed 7, generated and loaded block by block, then one build), at a small
size and with small blocks so the loading runs over several blocks as at xl. Spark builds it on
local[2]; the tests check the month partitions, every derived table through OUT/warehouse.duckdb
against the DuckDB build, and every query the dashboard's pages run (recorded from a render of
each page, as the benchmark records them) on both warehouses.

Needs the optional extra (`uv run --extra spark pytest`) and Java 17+; skipped with the reason
said otherwise.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.spark_helpers import require_spark

require_spark()

from data.build import build_steps  # noqa: E402
from data.spark_build import PARTITION_COLUMN, build  # noqa: E402
from tests.spark_helpers import RELATIVE, differences  # noqa: E402

XL_SCENARIO, XL_SEED = "manufacturer", 7  # what benchmarks/__main__.py builds every scale with
CUSTOMERS, BLOCK = 600, 150  # four blocks, as xl's 1 M customers load in 40 blocks of 25 000


@pytest.fixture(scope="module")
def xl_shaped(tmp_path_factory) -> Path:
    """The benchmark's build of a book, at 600 customers in blocks of 150."""
    import data.demo
    from benchmarks.__main__ import build as benchmark_build

    path = tmp_path_factory.mktemp("spark_xl") / "warehouse.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(data.demo, "BLOCK", BLOCK)  # the benchmark reads it when it builds
        built = benchmark_build(path, CUSTOMERS, XL_SCENARIO, XL_SEED)
    assert built["rows"]["customers"] == CUSTOMERS
    return path


@pytest.fixture(scope="module")
def xl_spark(xl_shaped, spark, tmp_path_factory):
    return build(xl_shaped, out=tmp_path_factory.mktemp("spark_xl_out") / "parquet", spark=spark)


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return con.sql(f'select * from "{table}" limit 0').columns


def test_the_monthly_tables_of_an_xl_shaped_book_are_one_folder_per_month_end(xl_shaped, xl_spark):
    derived = xl_spark.out / "current" / "derived"
    partitioned = []
    with duckdb.connect(str(xl_shaped), read_only=True) as con:
        grid = {str(d) for (d,) in con.sql("select as_of from month_grid").fetchall()}
        assert len(grid) >= 24
        for _step, table in build_steps():
            folders = {p.name for p in (derived / table).glob(f"{PARTITION_COLUMN}=*")}
            columns = _columns(con, table)
            if PARTITION_COLUMN not in columns or columns == [PARTITION_COLUMN]:
                assert not folders, f"{table} has no month: one folder of files"
                assert list((derived / table).glob("*.parquet")), table
                continue
            months = {
                str(d) for (d,) in con.sql(f'select distinct as_of from "{table}"').fetchall()
            }
            # one folder per month-end the table has rows for, each holding one file
            assert folders == {f"{PARTITION_COLUMN}={m}" for m in months}, table
            assert months <= grid, table
            for folder in folders:
                assert len(list((derived / table / folder).glob("*.parquet"))) == 1, folder
            partitioned.append(table)
    # the per-customer monthly tables cover the whole grid, one folder for each month-end
    for table in ("customer_month", "cm_exposure", "cm_scores", "concentration_month"):
        assert table in partitioned
        assert {p.name.removeprefix("as_of=") for p in (derived / table).glob("as_of=*")} == grid
    assert len(partitioned) >= 10


def test_every_derived_table_of_an_xl_shaped_book_equals_the_duckdb_build(xl_shaped, xl_spark):
    with (
        duckdb.connect(str(xl_shaped), read_only=True) as con,
        duckdb.connect(str(xl_spark.out / "warehouse.duckdb"), read_only=True) as shared,
    ):
        for _step, table in build_steps():
            duck = con.sql(f'select * from "{table}"')
            spark = shared.sql(f'select * from "{table}"')  # a view over the Parquet files
            assert spark.columns == duck.columns, table
            problems = differences(duck.fetchall(), spark.fetchall())
            assert not problems, f"{table}: {problems}"
        rows = shared.sql("select count(*) from customer_month").fetchall()[0][0]
    assert rows == xl_spark.tables["customer_month"] > CUSTOMERS * 24


# --- the dashboard's pages on the Parquet-backed warehouse ------------------------------------


@pytest.fixture(scope="module")
def page_work(xl_shaped):
    """Every query function call of every page's render on the single-file warehouse."""
    from benchmarks.recording import record_pages

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RISK_DB", str(xl_shaped))  # record_pages points the pages at it
        works, _ms = record_pages(xl_shaped)
    return works


def test_every_page_query_gives_the_same_frame_on_the_parquet_backed_warehouse(
    xl_shaped, xl_spark, page_work
):
    from queries import whatif
    from queries.freshness import warehouse_freshness

    pages = {work.name for work in page_work}
    assert {"overview", "grades", "watchlist", "concentration", "provisions", "customer"} <= pages
    segment = _first_segment(xl_shaped)
    compared = 0
    with (
        duckdb.connect(str(xl_shaped), read_only=True) as single,
        duckdb.connect(str(xl_spark.out / "warehouse.duckdb"), read_only=True) as shared,
    ):
        for work in [*page_work, *(w.with_filter(segments=(segment,)) for w in page_work)]:
            for query, arguments in work.calls:
                name = f"{work.name}: {query.__module__}.{query.__name__}({arguments})"
                expected, got = query(single, **arguments), query(shared, **arguments)
                try:
                    assert_frame_equal(got, expected, rel_tol=RELATIVE, abs_tol=_scale(expected))
                except AssertionError as err:
                    raise AssertionError(f"{name}: {err}") from None
                compared += 1
        # what the pages read outside fetch: the What-if page's history (fetch_shared) and the
        # freshness line main.py draws on every page (the Spark warehouse was built later)
        assert_frame_equal(whatif.history(shared), whatif.history(single), rel_tol=RELATIVE)
        fresh, fresh_single = warehouse_freshness(shared), warehouse_freshness(single)
        assert fresh["data_through"].to_list() == fresh_single["data_through"].to_list()
        assert fresh["loaded_at"][0] >= fresh_single["loaded_at"][0]
    assert compared >= 2 * 40


def _scale(frame: pl.DataFrame) -> float:
    """The absolute tolerance of a frame: 1e-9 of its largest float. A residual of two large sums
    (the provisions' rounding, allowance now - before - effects, in money of 10^7) differs between
    the engines by the sums' own rounding, 1e-9 of them, not of itself."""
    floats = [c for c, kind in frame.schema.items() if kind.is_float()]
    largest = max((frame[c].abs().max() or 0.0 for c in floats), default=0.0)
    return max(RELATIVE * float(largest), 1e-12)


def _first_segment(path: Path) -> str:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.sql("select min(segment) from customers").fetchall()[0][0]
