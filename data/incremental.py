"""Incremental builds: after a load, recompute only what its rows can change, by the build's own SQL.

A load records, per source row it added or changed, the customers concerned and the earliest date
from which the change can move a figure (temporary table `load_touched`, see
data/sql/load_touched_*.sql). `update` then walks the build's steps (data.build.build_steps) in
order, each in one of three ways:

- **per-customer steps** (`PER_CUSTOMER`: payment rows, customer-months, spells, ECL rows) run on
  the touched customers' source rows only: a schema `build_scope` holds those rows under the
  source tables' names and comes first on the search path, so the step's SQL file, unchanged, reads
  them (and the portfolio-wide tables it needs, which build_scope lacks, from main) and writes its
  table into build_scope. When the result differs from those customers' rows in main, it replaces
  them (delete + insert).
- **portfolio steps** (calibration, month totals, concentration, watchlist flows and cube,
  collections, migration, provisions, data quality) run whole on main, but only when a table they
  read changed; the result is compared with the previous one.
- **skipped**: a step none of whose inputs changed, and a step whose rows depend only on facts
  dated on or before the as-of date (`AS_OF_BOUNDED`) when every change is dated after it (the
  daily case: today's payments and events, while the figures are as of the last month-end).

When a portfolio table that per-customer steps read changes (the month grid, the policy's tables,
PD or LGD calibration, a month's total exposure, provision loss rates), every customer's rows may
move: the build continues in full from there. It is in full from the start when the derived tables
cannot be trusted as a base: another release built them, the as-of date moves, a load since the
last build was not built (`sources_unbuilt`), or the warehouse was never built.

The result equals a full rebuild row for row (floating point within rounding); tests/
test_incremental.py builds both ways from the same loads and compares every derived table.
Everything happens inside the caller's transaction; nothing of build_scope is left behind.
"""

from __future__ import annotations

import re
import time
from dataclasses import replace
from datetime import date
from functools import cache

import duckdb

from data.build import (
    BuildResult,
    Progress,
    _variant,
    build_steps,
    default_as_of,
    is_current,
    rebuild,
    record,
    step_params,
)
from data.policy import Policy, load_policy
from data.runner import SQL_DIR, execute
from data.warehouse import SOURCE_TABLES

SCOPE = "build_scope"
# The per-customer steps' tables and which of their rows belong to the touched customers (a
# payment or contract through build_scope's source rows). Fixed identifiers and SQL of this module,
# spliced into the statements below (DuckDB binds values, not table names); no value is.
PER_CUSTOMER: dict[str, str] = {
    "payment_events": "payment_id in (select payment_id from build_scope.payments)",
    "payment_book": "customer_id in (select customer_id from build_scope.customers)",
    "cm_exposure": "customer_id in (select customer_id from build_scope.customers)",
    "cm_behaviour": "customer_id in (select customer_id from build_scope.customers)",
    "cm_scorecard": "customer_id in (select customer_id from build_scope.customers)",
    "cm_scores": "customer_id in (select customer_id from build_scope.customers)",
    "customer_month": "customer_id in (select customer_id from build_scope.customers)",
    "watchlist_spells": "customer_id in (select customer_id from build_scope.customers)",
    "early_warning": "customer_id in (select customer_id from build_scope.customers)",
    "receivable_aging": "customer_id in (select customer_id from build_scope.customers)",
    "receivable_ecl": "customer_id in (select customer_id from build_scope.customers)",
    "contract_rates": "contract_id in (select contract_id from build_scope.contracts)",
    "loan_ecl": "customer_id in (select customer_id from build_scope.customers)",
    "ecl_month": "customer_id in (select customer_id from build_scope.customers)",
}
# Tables whose rows depend only on facts dated on or before the build's as-of date (every figure of
# a grid date t counts what happened by t, and t <= as_of): changes dated after it cannot move them.
AS_OF_BOUNDED = frozenset(
    {
        "cm_exposure",
        "cm_behaviour",
        "cm_scorecard",
        "cm_scores",
        "pd_calibration",
        "month_exposure",
        "customer_month",
        "concentration_month",
        "watchlist_month",
        "watchlist_cube",
        "watchlist_spells",
        "early_warning",
        "collections_month",
        "rating_migration",
        "receivable_aging",
        "provision_loss_rates",
        "receivable_ecl",
        "provision_matrix",
        "loan_ecl",
        "ecl_month",
        "ecl_movement",
    }
)
VIEWS = frozenset({"score_explanation"})
# Portfolio tables up to this size are compared within rounding when their rows differ bit for bit.
ROUNDING_ROWS = 200_000  # a view's definition does not change with the data


@cache
def step_inputs() -> dict[str, frozenset[str]]:
    """The tables each build step's SQL reads (source or derived), by the names its text mentions
    outside comments: a superset is safe (a step runs when any of them changed)."""
    steps = build_steps()
    names = set(SOURCE_TABLES) | {table for _step, table in steps}
    found: dict[str, frozenset[str]] = {}
    for step, table in steps:
        variants = [step, "build_contract_rates_none"] if step == "build_contract_rates" else [step]
        text = " ".join((SQL_DIR / f"{v}.sql").read_text(encoding="utf-8") for v in variants)
        body = re.sub(r"--[^\n]*", "", text)
        found[table] = frozenset(
            n for n in names if n != table and re.search(rf"\b{re.escape(n)}\b", body)
        )
    return found


def forces_full() -> frozenset[str]:
    """Portfolio tables after whose change the build goes on in full: those a per-customer step
    reads (every customer may move) and the policy's own tables (policy_in_force holds every value
    the steps bind, so it changes with any of them)."""
    inputs = step_inputs()
    read = {t for table in PER_CUSTOMER for t in inputs.get(table, ()) if t not in PER_CUSTOMER}
    policy = {table for table, found in inputs.items() if not found}
    return frozenset((read | policy) - set(SOURCE_TABLES))


def full_reason(con: duckdb.DuckDBPyConnection, as_of: date) -> str | None:
    """Why this build must be a full one, or None when the derived tables are a sound base."""
    if not is_current(con):
        return "the derived tables were built by another release"
    state = con.sql("select as_of, sources_unbuilt from warehouse_state").fetchall()
    if not state or state[0][0] is None:
        return "the warehouse was never built"
    built_as_of, unbuilt = state[0]
    if unbuilt:
        return "a load since the last build was not built"
    if built_as_of != as_of:
        return f"the as-of date moves from {built_as_of} to {as_of}"
    return None


def update(
    con: duckdb.DuckDBPyConnection,
    policy: Policy | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Bring the derived tables up to date with what the caller's load changed (`load_touched`,
    absent or empty when it changed nothing), incrementally when possible; see the module's
    docstring. Records the build (warehouse_state) as a full rebuild does."""
    from data.worklog_decisions import sync_to_warehouse  # late: the worklog reads the query layer

    if not _has_touched_table(con):
        execute(con, "load_touched_start")
    sync_to_warehouse(con, track=True)
    policy = policy if policy is not None else load_policy()
    as_of = default_as_of(con)
    reason = full_reason(con, as_of)
    if reason is not None:
        return replace(rebuild(con, as_of, policy, progress), mode=f"full: {reason}")
    touched = con.sql(
        "select count(distinct customer_id), min(change_on), list(distinct source) "
        "from load_touched"
    ).fetchall()[0]
    customers, earliest, sources = touched[0], touched[1], set(touched[2] or [])
    params = step_params(as_of, policy)
    steps = build_steps()
    seconds: dict[str, float] = {}
    changed: set[str] = set(sources)
    full_after = forces_full()
    inputs = step_inputs()
    full_from: str | None = None
    whole: set[str] = set()  # rewritten whole: a portfolio table that changed, all from full_from
    spliced: set[str] = set()  # the touched customers' rows replaced
    created: list[str] = []
    con.execute(f"create schema {SCOPE}")
    try:
        execute(con, "incremental_scope")
        created += [f"{SCOPE}.{t}" for t in SOURCE_TABLES if t != "fx_rates"]  # incremental_scope
        for done, (step, table) in enumerate(steps):
            if progress is not None:
                progress(f"build {step.removeprefix('build_')}", done, len(steps) + 1)
            started = time.perf_counter()
            variant = _variant(con, step)
            if full_from is not None:
                execute(con, variant, **params)
                changed.add(table)
                whole.add(table)
            elif table in VIEWS or (
                table in AS_OF_BOUNDED and earliest is not None and earliest > as_of
            ):
                continue
            elif table in PER_CUSTOMER:
                con.execute(f"set search_path = '{SCOPE},main'")
                try:
                    execute(con, variant, **params)
                finally:
                    con.execute("reset search_path")
                created.append(_sql("{scoped}", table))
                # a table bounded by the as-of date is compared first: when its rows did not move,
                # the portfolio steps that read it (calibration, month totals, ...) are skipped;
                # the others (payment rows, contract rates) only feed cheap steps: no comparison
                if _splice(con, table, compare=table in AS_OF_BOUNDED):
                    changed.add(table)
                    spliced.add(table)
            elif inputs[table] and not (inputs[table] & changed):
                continue
            else:
                con.execute(_sql("create table {previous} as select * from main.{t}", table))
                created.append(_sql("{previous}", table))
                execute(con, variant, **params)
                if not _differs(con, _sql("main.{t}", table), _sql("{previous}", table)):
                    pass
                elif _within_rounding(con, table):
                    # the same figures summed in another order: keep the previous rows, which
                    # the untouched customers' rows were computed from
                    con.execute(_sql("create or replace table main.{t} as from {previous}", table))
                else:
                    changed.add(table)
                    whole.add(table)
                    if table in full_after:
                        full_from = table
            seconds[step] = time.perf_counter() - started
    finally:
        for name in reversed(created):
            con.execute(f"drop table if exists {name}")
        con.execute(f"drop schema if exists {SCOPE}")
    mode = f"incremental: {customers:,} customers"
    if full_from is not None:
        mode += f", in full from {full_from} (it changed)"
    result = record(con, as_of, policy, seconds, progress, mode)
    return replace(result, whole=frozenset(whole), spliced=frozenset(spliced - whole))


def _has_touched_table(con: duckdb.DuckDBPyConnection) -> bool:
    found = con.sql(
        "select count(*) from duckdb_tables() where temporary and table_name = 'load_touched'"
    )
    return bool(found.fetchall()[0][0])


def _splice(con: duckdb.DuckDBPyConnection, table: str, compare: bool = True) -> bool:
    """Replace the touched customers' rows of main.<table> by build_scope.<table>'s; with
    `compare`, only when they differ. True when the rows were replaced."""
    current = _sql("(select * from main.{t} where {belongs})", table)
    if compare and not _differs(con, _sql("{scoped}", table), current):
        return False
    con.execute(_sql("delete from main.{t} where {belongs}", table))
    con.execute(_sql("insert into main.{t} by name select * from {scoped}", table))
    return True


def _sql(template: str, table: str) -> str:
    """`template` with the names of one of the build's own tables: {t} the table, {scoped} its
    build_scope copy, {previous} its previous rows, {belongs} its PER_CUSTOMER condition. DuckDB
    binds values, not table names; these come from build_steps and this module, never from data."""
    if table not in step_inputs():
        raise ValueError(f"not a derived table of the build: {table!r}")
    names = {
        "t": f'"{table}"',
        "scoped": f'{SCOPE}."{table}"',
        "previous": f'{SCOPE}."previous_{table}"',
        "belongs": PER_CUSTOMER.get(table, "false"),
    }
    return template.format(**names)


def _within_rounding(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """True when main.<table> and its previous rows hold the same values but for floating point
    within 1e-9 relative (sums of the same doubles in another order). Only portfolio tables of at
    most ROUNDING_ROWS rows are compared this way; a bigger one counts as changed."""
    from polars.testing import assert_frame_equal

    frames = []
    for name in (_sql("main.{t}", table), _sql("{previous}", table)):
        rows = con.sql(f"select count(*) from {name}").fetchall()[0][0]  # noqa: S608 - _sql
        if rows > ROUNDING_ROWS:
            return False
        frame = con.sql(f"from {name}").pl()  # noqa: S608 - a name made by _sql
        exact = [c for c, t in frame.schema.items() if not t.is_float() and not t.is_nested()]
        floats = [c for c, t in frame.schema.items() if t.is_float()]
        frames.append(frame.sort(exact + floats, nulls_last=True))
    try:
        assert_frame_equal(*frames, check_exact=False, rel_tol=1e-9, abs_tol=1e-9)
    except AssertionError:
        return False
    return True


def _differs(con: duckdb.DuckDBPyConnection, left: str, right: str) -> bool:
    """True when the two relations (table names or parenthesised queries of this module) do not
    hold the same rows, counting duplicates."""
    query = (
        "select exists (select * from {a} except all select * from {b}) "
        "or exists (select * from {b} except all select * from {a})"
    )
    return bool(con.sql(query.format(a=left, b=right)).fetchall()[0][0])
