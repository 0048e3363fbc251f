"""The derived-table build on Spark (data.spark_build, data.spark_translate) equals the DuckDB
build: every derived table of a demo warehouse row by row, the dashboard's page queries on the
Parquet-backed warehouse, and each hand-written translation on its own, run on both engines.

Needs the optional extra (`uv run --extra spark pytest`; .ci/run installs it first) and Java 17+; skipped
with the reason said otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest
from polars.testing import assert_frame_equal

from tests.spark_helpers import require_spark

require_spark()

from data.build import build_steps  # noqa: E402
from data.spark_build import _swap_current, build  # noqa: E402
from data.spark_translate import TRANSFORMS, UntranslatableStep, spark_step  # noqa: E402
from tests.spark_helpers import RELATIVE, differences  # noqa: E402


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """A lender demo: loans (loan_ecl) and invoices (receivables) both have rows."""
    from data.demo import build_demo

    path = tmp_path_factory.mktemp("spark_demo") / "warehouse.duckdb"
    build_demo(path, scenario="lender", customers=80, seed=11)
    return path


@pytest.fixture(scope="module")
def spark_build(demo, spark, tmp_path_factory):
    out = tmp_path_factory.mktemp("spark_out") / "parquet"
    return build(demo, out=out, spark=spark)


def test_every_derived_table_built_on_spark_equals_the_duckdb_build(demo, spark_build, capsys):
    compared = []
    with (
        duckdb.connect(str(demo), read_only=True) as con,
        duckdb.connect(str(spark_build.out / "warehouse.duckdb"), read_only=True) as shared,
    ):
        for _step, table in build_steps():
            duck = con.sql(f'select * from "{table}"')
            spark = shared.sql(f'select * from "{table}"')  # a view over the Parquet files
            assert spark.columns == duck.columns, table
            problems = differences(duck.fetchall(), spark.fetchall())
            assert not problems, f"{table}: {problems}"
            compared.append((table, spark_build.tables[table], len(duck.columns)))
    with capsys.disabled():
        print("\nSpark = DuckDB, row by row (table, rows, columns):")
        for table, rows, columns in compared:
            print(f"  {table:<22} {rows:>7,} rows  {columns:>3} columns")
    assert len(compared) == len(build_steps())
    assert sum(rows for _t, rows, _c in compared) > 50_000


def test_monthly_tables_are_written_one_folder_per_month_end(demo, spark_build):
    derived = spark_build.out / "current" / "derived"
    with duckdb.connect(str(demo), read_only=True) as con:
        months = {str(d) for (d,) in con.sql("select as_of from month_grid").fetchall()}
    folders = {p.name.removeprefix("as_of=") for p in (derived / "customer_month").glob("as_of=*")}
    assert folders == months
    assert not list((derived / "month_grid").glob("as_of=*"))  # its only column: kept whole
    assert not list((derived / "payment_book").glob("as_of=*"))  # no as_of column
    assert list((derived / "policy_bins").glob("*.parquet"))  # empty: its schema still written


def test_the_dashboard_reads_the_spark_tables_through_duckdb(demo, spark_build):
    from queries import portfolio
    from queries.filters import Filters

    parquet_backed = spark_build.out / "warehouse.duckdb"
    with (
        duckdb.connect(str(demo), read_only=True) as single,
        duckdb.connect(str(parquet_backed), read_only=True) as shared,
    ):
        kinds = dict(
            shared.sql(
                "select table_name, table_type from information_schema.tables "
                "where table_name in ('customer_month', 'customers')"
            ).fetchall()
        )
        assert kinds == {"customer_month": "VIEW", "customers": "BASE TABLE"}
        as_of = single.sql("select as_of from warehouse_state").fetchall()[0][0]
        segment = single.sql("select min(segment) from customers").fetchall()[0][0]
        for filters in (Filters(as_of=as_of), Filters(as_of=as_of, segments=(segment,))):
            for question in (portfolio.kpis, portfolio.grades, portfolio.trend):
                expected, got = question(single, filters), question(shared, filters)
                assert got.height > 0, question.__name__
                assert_frame_equal(got, expected, check_dtypes=False, rel_tol=RELATIVE)


def test_a_new_build_swaps_in_whole_and_keeps_the_one_before(tmp_path):
    builds = tmp_path / "builds"
    for name in ("b1", "b2", "b3"):
        (builds / name).mkdir(parents=True)
        _swap_current(tmp_path, builds / name)
        assert (tmp_path / "current").resolve() == (builds / name).resolve()
    # a reader still scanning b2 keeps its files; b1 is gone
    assert sorted(p.name for p in builds.iterdir()) == ["b2", "b3"]


# --- the translation list: each hand-written equivalent, on both engines ---------------------


@dataclass(frozen=True)
class Case:
    transform: str
    sql: str  # a DuckDB query; its result on DuckDB must equal its translation's on Spark


CASES = (
    Case("decimal_division", "select 1.00::decimal(18, 2) / 3.00::decimal(18, 2) as share"),
    Case(
        "asof_join",
        "with l as (select * from (values (1, date '2024-01-31'), (1, date '2024-03-31'), "
        "(2, date '2024-01-31'), (3, date '2024-01-31')) as v(k, as_of)), "
        "r as (select * from (values (1, date '2024-01-01', 'a'), (1, date '2024-02-15', 'b'), "
        "(1, date '2024-04-01', 'c'), (2, date '2024-02-01', 'd')) as v(k, on_date, label)) "
        "select l.k, l.as_of, r.label from l asof left join r on r.k = l.k and l.as_of >= r.on_date",
    ),
    Case("zipped_unnest", "select unnest(['a', 'b', 'c']) as key, unnest([1, 2, 3]) as value"),
    Case("list_comprehension", "select [x * 2 for x in [1, 2, 3] if x > 1] as doubled"),
    Case("list_length", "select len([1, 2, 3]) as n, len([x for x in [1] if x > 5]) as none"),
    Case(
        "list_functions",
        "select list_extract([10, 20, 30], 2::bigint) as second, "
        "list_extract([10], 5) as missing, "
        "last_day(date '2024-03-31' - to_months(1)) as month_before, "
        "case when 1 < 0 then error('never') else 1 end as guarded",
    ),
    Case(
        "list_functions",
        "select list_reduce(list(v order by k), lambda a, b: a || b) as folded "
        "from (values (2, 'b'), (1, 'a'), (3, 'c')) as t(k, v)",
    ),
    Case(
        "month_difference",
        "select date_diff('month', date '2024-01-31', date '2024-02-01') as boundaries, "
        "datediff('month', date '2023-11-15', date '2024-02-14') as more",
    ),
    Case(
        "date_difference",
        "select due_on - as_of as days, (due_on + 3) - as_of as later from "
        "(values (date '2024-03-01', date '2024-02-01')) as t(due_on, as_of)",
    ),
    Case(
        "named_windows",
        "select k, lag(v) over w as before, "
        "min(v) over (w rows between 1 following and unbounded following) as least_after "
        "from (values (1, 5), (2, 3), (3, 4)) as t(k, v) window w as (order by k)",
    ),
    Case(
        "double_rounding",
        "select round(17626.855::double, 2) as half, round(-2.5::double, 0) as negative, "
        "round(1.005::decimal(18, 3), 2) as exact, round(0.125::double, 2) as binary_half, "
        "round(0.285::double, 2) as below_half, round(-0.285::double, 2) as negative_below, "
        "round(2.675::double, 2) as again, round(1234.5678::double, 0) as whole",
    ),
    Case("generator_cast", "select unnest([1, 3, 12])::bigint as horizon"),
    Case(
        "product_aggregate",
        "select product(v) as p, max(q) as q from (select v, product(v) over "
        "(order by k rows between current row and unbounded following) as q "
        "from (values (1, 0.5), (2, 0.25), (3, null)) as t(k, v))",
    ),
    Case(
        "simplified_unpivot",
        "with u as (unpivot (select 1 as id, 2 as a, null::integer as b, 4 as c) "
        "on a, b, c into name col value v) select * from u",
    ),
    Case(
        "union_by_name",
        "with a as (select 1 as x, 'p' as y), b as (select 'q' as y, 2 as x, true as z) "
        "select * from a union all by name select * from b",
    ),
)


def _on_both(spark, sql: str) -> tuple[list[tuple], list[tuple]]:
    step = spark_step(f"create or replace table t as {sql}", {})
    duck = duckdb.sql(sql).fetchall()
    got = [tuple(row) for row in spark.sql(step.query).collect()]
    return duck, got


def test_every_transform_has_a_case():
    assert {case.transform for case in CASES} == {name for name, _ in TRANSFORMS}


@pytest.mark.parametrize("case", CASES, ids=[c.transform for c in CASES])
def test_a_translated_construct_gives_duckdb_s_result_on_spark(spark, case):
    duck, got = _on_both(spark, case.sql)
    assert duck, "a case must have rows"
    assert not differences(duck, got), (duck, got)


def test_parameters_bind_as_typed_literals_in_the_syntax_tree(spark):
    params = {
        "as_of": date(2024, 2, 29),
        "share": 0.1,
        "days": 30,
        "name": "it's",
        "flag": True,
        "edges": [0, 30, 60],
        "none": None,
    }
    step = spark_step(
        "create or replace table t as select $as_of::date + 1 as next_day, $share as share, "
        "$days as days, $name as name, $flag as flag, len($edges::integer[]) as edges, "
        "$none::double as none",
        params,
    )
    assert "$" not in step.query and step.name == "t" and step.kind == "table"
    row = spark.sql(step.query).collect()[0]
    assert tuple(row) == (date(2024, 3, 1), 0.1, 30, "it's", True, 3, None)
    assert isinstance(row["share"], float)  # a double, as DuckDB binds a Python float


def test_an_unbound_parameter_or_another_statement_is_refused():
    with pytest.raises(UntranslatableStep, match=r"\$missing"):
        spark_step("create or replace table t as select $missing as x", {})
    with pytest.raises(UntranslatableStep):
        spark_step("update warehouse_state set as_of = $as_of", {"as_of": date(2024, 1, 31)})


def test_every_build_file_translates():
    from data.build import step_params
    from data.policy import load_policy
    from data.runner import sql_text

    params = step_params(date(2024, 1, 31), load_policy())
    names = [step for step, _ in build_steps()] + ["build_contract_rates_none"]
    for step in names:
        translated = spark_step(sql_text(step), params)
        assert translated.query and "$" not in translated.query, step
