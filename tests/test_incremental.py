"""Incremental builds equal full ones (data.incremental): the same loads, built both ways, give the
same derived tables row by row.

Each scenario starts from a small demo warehouse built once, loads a sequence of files through the
real load path (`load_files`, one transaction, the build it triggers), and after every load compares
every derived table with a full rebuild of a copy of the same sources (floating point within 1e-9
relative). The scenarios cover the daily case (activity after the as-of date), late corrections of
old months, upserts of customers and contracts, adjustments, a month-end that moves the as-of date,
a load without a build, a policy change and a re-sent file; hypothesis draws further sequences.
Kill tests stop an incremental load at several statements and find the previous warehouse intact.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from data import warehouse
from data.build import build_steps, rebuild
from data.incremental import AS_OF_BOUNDED, PER_CUSTOMER, forces_full, step_inputs, update
from data.ingest import load_files
from data.policy import load_policy
from tests.spare_helpers import assert_spare_catches_up

AS_OF = date(2026, 10, 31)  # the demo's as-of date: its latest activity is that month-end
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bases(tmp_path_factory) -> dict[str, Path]:
    """A small manufacturer and a small lender warehouse, built once for this module."""
    from data.demo import build_demo

    found = {}
    for scenario, customers in (("manufacturer", 120), ("lender", 80)):
        path = tmp_path_factory.mktemp(f"incremental-{scenario}") / "warehouse.duckdb"
        build_demo(path, scenario=scenario, customers=customers, seed=11)
        found[scenario] = path
    return found


def derived(con: duckdb.DuckDBPyConnection, table: str) -> pl.DataFrame:
    """The table's rows in one order: sorted by every column that is not floating point, then by
    the floating-point ones (rows that differ only within rounding keep their places)."""
    frame = con.sql(f"select * from {table}").pl()  # noqa: S608 - the build's own table names
    exact = [c for c, t in frame.schema.items() if not t.is_float() and not t.is_nested()]
    floats = [c for c, t in frame.schema.items() if t.is_float()]
    return frame.sort(exact + floats, nulls_last=True) if exact or floats else frame


def assert_equals_full_rebuild(db: Path, work: Path) -> list[str]:
    """Rebuild a copy of `db` in full and compare every derived table; returns the tables compared."""
    full = work / "full.duckdb"
    shutil.copyfile(db, full)
    with warehouse.writing(full) as con:
        con.execute("begin transaction")
        rebuild(con)
        con.execute("commit")
    tables = [table for _step, table in build_steps()]
    with (
        warehouse.connect(db, read_only=True) as inc,
        warehouse.connect(full, read_only=True) as ref,
    ):
        for table in tables:
            (
                assert_frame_equal(
                    derived(inc, table),
                    derived(ref, table),
                    check_exact=False,
                    rel_tol=1e-9,
                    abs_tol=1e-9,
                ),
                table,
            )
    full.unlink()
    return tables


def load(db: Path, folder: Path) -> str:
    """Load every CSV file in `folder` into `db` as `python -m data ingest` does; the build's mode."""
    with warehouse.writing(db) as con:
        result = load_files(con, [folder])
    refused = [
        (r.summary(), r.failures.head(3).rows()) for r in result.reports if r.status != "loaded"
    ]
    assert not refused
    # the file this load replaced is the spare: brought up to date, it is this one exactly
    assert_spare_catches_up(db, db.parent)
    return result.built.mode


def write(folder: Path, frames: dict[str, pl.DataFrame]) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for table, frame in frames.items():
        if frame.height:
            frame.write_csv(folder / f"{table}.csv")
    return folder


# -- the loads: rows drawn from the warehouse itself, changed as an extract of that day reports them


def settle(con, n: int, paid_on: date, seed: int = 1) -> pl.DataFrame:
    """n open instalments due by `paid_on`, paid in full on that day (whole rows, upserted)."""
    return con.sql(
        """select payment_id, contract_id, issued_on, due_on, amount_due,
                  $paid_on::date as paid_on, amount_due as amount_paid
           from payments
           where paid_on is null and due_on <= $paid_on::date
             and coalesce(issued_on, due_on) <= $paid_on::date
           order by hash(payment_id || $seed::varchar) limit $n""",
        params={"paid_on": paid_on, "n": n, "seed": seed},
    ).pl()


def events(con, n: int, occurred_on: date, seed: int = 1) -> pl.DataFrame:
    """n new risk events (litigation, severity 4) of n customers on `occurred_on`."""
    return con.sql(
        """select 'INC-E-' || $tag || '-' || row_number() over (order by customer_id) as event_id,
                  customer_id, $on::date as occurred_on, 'legal' as category,
                  'litigation' as kind, 4 as severity, 'court_records' as source, '' as note
           from (select customer_id from customers
                 order by hash(customer_id || $seed::varchar) limit $n)""",
        params={"on": occurred_on, "n": n, "seed": seed, "tag": f"{occurred_on}-{seed}"},
    ).pl()


def reviews(con, n: int, effective_on: date, seed: int = 1) -> pl.DataFrame:
    """n new credit reviews cutting the limit to 10 000 from `effective_on`."""
    return con.sql(
        """select 'INC-R-' || $tag || '-' || row_number() over (order by customer_id)
                      as review_id,
                  customer_id, $on::date as effective_on, 10000.0 as credit_limit,
                  null::varchar as external_rating, 'Test' as decided_by, 'cut' as note
           from (select customer_id from customers
                 order by hash(customer_id || $seed::varchar) limit $n)""",
        params={"on": effective_on, "n": n, "seed": seed, "tag": f"{effective_on}-{seed}"},
    ).pl()


def customer_changes(con, n: int, seed: int = 1) -> pl.DataFrame:
    """n customers upserted with another segment's... region and a halved credit limit."""
    return con.sql(
        """select customer_id, name, industry,
                  case region when 'East' then 'West' else 'East' end as region,
                  segment, onboarded_on, annual_revenue, external_rating,
                  credit_limit / 2 as credit_limit, owner, status
           from customers order by hash(customer_id || $seed::varchar) limit $n""",
        params={"n": n, "seed": seed},
    ).pl()


def contract_changes(con, seed: int = 1) -> pl.DataFrame:
    """One contract marked defaulted and another moved to a different customer."""
    return con.sql(
        """with picked as (
               select *, row_number() over (order by hash(contract_id || $seed::varchar)) as nth
               from contracts
           ),
           other as (select min(customer_id) as customer_id from customers)
           select contract_id,
                  case nth when 2 then (select customer_id from other) else customer_id end
                      as customer_id,
                  kind, signed_on, start_on, end_on, amount, currency, payment_terms_days,
                  collateral_value,
                  case nth when 1 then 'defaulted' else status end as status,
                  approved_by, last_reviewed_on, interest_rate
           from picked where nth <= 2""",
        params={"seed": seed},
    ).pl()


def write_offs(con, n: int, occurred_on: date, seed: int = 1) -> pl.DataFrame:
    """n open rows without adjustments written off whole on `occurred_on` (not the rows `settle`
    draws with the same seed)."""
    return con.sql(
        """select 'INC-A-' || $tag || '-' || row_number() over (order by payment_id)
                      as adjustment_id,
                  payment_id, 'write_off' as kind, $on::date as occurred_on,
                  amount_due as amount, 'uncollectable' as note
           from (select * from payments as p
                 where paid_on is null and due_on <= $on::date
                   and not exists (from adjustments as a where a.payment_id = p.payment_id)
                 order by hash(payment_id || 'write-off' || $seed::varchar) limit $n)""",
        params={"on": occurred_on, "n": n, "seed": seed, "tag": f"{occurred_on}-{seed}"},
    ).pl()


def read(db: Path, make) -> dict[str, pl.DataFrame]:
    with warehouse.connect(db, read_only=True) as con:
        return make(con)


@pytest.fixture
def work(tmp_path, bases):
    """A copy of the manufacturer base to load into; `work.scenario(name)` for another base."""

    class Work:
        folder = tmp_path

        def copy(self, scenario: str = "manufacturer") -> Path:
            db = tmp_path / f"{scenario}.duckdb"
            shutil.copyfile(bases[scenario], db)
            return db

    return Work()


def test_the_daily_case_recomputes_a_few_customers_and_equals_a_full_rebuild(work):
    db = work.copy()
    day = AS_OF + timedelta(days=3)
    frames = read(
        db,
        lambda con: {
            "payments": settle(con, 6, day),
            "risk_events": events(con, 4, day),
            "credit_reviews": reviews(con, 3, day),
        },
    )
    mode = load(db, write(work.folder / "day", frames))
    assert mode.startswith("incremental:") and "in full" not in mode
    customers = int(mode.split()[1])
    assert 0 < customers <= 6 + 4 + 3
    assert_equals_full_rebuild(db, work.folder)
    with warehouse.connect(db, read_only=True) as con:  # the day's rows reached the derived tables
        paid = con.sql(
            "select count(*) from payment_events where occurred_on = $d and kind = 'payment'",
            params={"d": day},
        ).fetchall()[0][0]
    assert paid >= 6


@pytest.mark.parametrize("scenario", ["manufacturer", "lender"])
def test_late_corrections_of_old_months_equal_a_full_rebuild(work, scenario):
    db = work.copy(scenario)
    old = date(2025, 11, 30)
    frames = read(
        db,
        lambda con: {
            "payments": settle(con, 5, AS_OF - timedelta(days=10), seed=2),
            "risk_events": events(con, 3, old, seed=2),
            "credit_reviews": reviews(con, 2, date(2026, 3, 15), seed=2),
            "adjustments": write_offs(con, 2, date(2026, 6, 30), seed=2),
        },
    )
    mode = load(db, write(work.folder / "late", frames))
    assert mode.startswith("incremental:")
    assert_equals_full_rebuild(db, work.folder)


def test_a_back_dated_event_alone_recomputes_its_customers_months(work):
    db = work.copy()
    frames = read(db, lambda con: {"risk_events": events(con, 2, date(2026, 9, 10), seed=3)})
    mode = load(db, write(work.folder / "event", frames))
    assert mode.startswith("incremental:")
    assert_equals_full_rebuild(db, work.folder)


@pytest.mark.parametrize("scenario", ["manufacturer", "lender"])
def test_upserted_customers_and_contracts_equal_a_full_rebuild(work, scenario):
    db = work.copy(scenario)
    frames = read(
        db,
        lambda con: {
            "customers": customer_changes(con, 3, seed=4),
            "contracts": contract_changes(con, seed=4),
        },
    )
    load(db, write(work.folder / "upserts", frames))
    assert_equals_full_rebuild(db, work.folder)


def test_daily_files_over_a_month_end_move_the_as_of_date_and_build_in_full(work):
    db = work.copy()
    modes = []
    for offset in (2, 9, 30):  # Nov 2, Nov 9, Nov 30: the last one is a month-end
        day = AS_OF + timedelta(days=offset)
        frames = read(
            db,
            lambda con, day=day, offset=offset: {
                "payments": settle(con, 4, day, seed=offset),
                "risk_events": events(con, 2, day, seed=offset),
            },
        )
        modes.append(load(db, write(work.folder / f"day{offset}", frames)))
        assert_equals_full_rebuild(db, work.folder)
    assert modes[0].startswith("incremental:") and modes[1].startswith("incremental:")
    assert modes[2] == "full: the as-of date moves from 2026-10-31 to 2026-11-30"


def test_a_load_without_a_build_makes_the_next_load_build_in_full(work):
    db = work.copy()
    day = AS_OF + timedelta(days=4)
    first = write(work.folder / "first", read(db, lambda con: {"payments": settle(con, 3, day)}))
    with warehouse.writing(db) as con:
        assert load_files(con, [first], rebuild=False).built is None
    second = read(db, lambda con: {"risk_events": events(con, 2, day, seed=5)})
    mode = load(db, write(work.folder / "second", second))
    assert mode == "full: a load since the last build was not built"
    assert_equals_full_rebuild(db, work.folder)


def test_a_re_sent_file_changes_nothing(work, tmp_path):
    db = work.copy()
    day = AS_OF + timedelta(days=5)
    folder = write(work.folder / "day", read(db, lambda con: {"payments": settle(con, 3, day)}))
    load(db, folder)
    # the same rows again, in another order (the same file would be refused as already loaded)
    again = tmp_path / "again"
    again.mkdir()
    pl.read_csv(folder / "payments.csv").reverse().write_csv(again / "payments.csv")
    assert load(db, again) == "incremental: 0 customers"
    assert_equals_full_rebuild(db, work.folder)


def policy_file(tmp_path: Path, name: str, watchlist_dpd: int) -> Path:
    """data/policy.toml under another name, with the watchlist's overdue threshold moved."""
    text = (ROOT / "data" / "policy.toml").read_text(encoding="utf-8")
    text = text.replace('name = "Baseline credit-control policy"', f'name = "{name}"', 1)
    head, watchlist = text.split("[watchlist]\n", 1)
    watchlist = watchlist.replace("dpd = 30 ", f"dpd = {watchlist_dpd} ", 1)
    path = tmp_path / f"{name}.toml"
    path.write_text(head + "[watchlist]\n" + watchlist, encoding="utf-8")
    return path


def built_under(db: Path, policy) -> str:
    from data.runner import execute

    with warehouse.writing(db) as con:
        con.execute("begin transaction")
        execute(con, "load_touched_start")  # what a load without rows records
        result = update(con, policy=policy)
        con.execute("commit")
    return result.mode


def test_a_policy_change_builds_in_full(work, tmp_path):
    db = work.copy()
    stricter = load_policy(policy_file(tmp_path, "Stricter", 15))
    assert built_under(db, stricter) == (
        "incremental: 0 customers, in full from policy_in_force (it changed)"
    )
    with warehouse.connect(db, read_only=True) as con:
        assert warehouse.scalar(con, "select policy_name from warehouse_state") == "Stricter"
    full = work.folder / "full.duckdb"
    shutil.copyfile(db, full)
    with warehouse.writing(full) as con:
        con.execute("begin transaction")
        rebuild(con, policy=stricter)
        con.execute("commit")
    with (
        warehouse.connect(db, read_only=True) as inc,
        warehouse.connect(full, read_only=True) as ref,
    ):
        for _step, table in build_steps():
            assert_frame_equal(derived(inc, table), derived(ref, table), check_exact=False)


def test_the_step_classes_are_consistent():
    inputs = step_inputs()
    assert set(inputs) >= set(PER_CUSTOMER) | AS_OF_BOUNDED
    # a per-customer step that is recomputed after the as-of date never reads one that is skipped
    for table in set(PER_CUSTOMER) - AS_OF_BOUNDED:
        assert not (inputs[table] & AS_OF_BOUNDED), table
    assert {"month_grid", "pd_calibration", "lgd_calibration", "month_exposure"} <= forces_full()
    assert "provision_loss_rates" in forces_full() and "policy_in_force" in forces_full()


def draw(con, op: str, on: date, n: int, seed: int) -> tuple[str, pl.DataFrame]:
    """One operation of a generated load: its table and rows."""
    if op == "settle":
        return "payments", settle(con, n, on, seed)
    if op == "event":
        return "risk_events", events(con, n, on, seed)
    if op == "review":
        return "credit_reviews", reviews(con, n, on, seed)
    if op == "write_off":
        return "adjustments", write_offs(con, n, on, seed)
    return "customers", customer_changes(con, n, seed)


OPS = st.sampled_from(["settle", "event", "review", "write_off", "customer"])
OFFSETS = st.sampled_from([-400, -45, -3, 1, 12, 25])


@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,  # the same sequences on every run: a failure is reproducible
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    loads=st.lists(
        st.lists(st.tuples(OPS, OFFSETS, st.integers(1, 4)), min_size=1, max_size=3),
        min_size=1,
        max_size=3,
    )
)
def test_hypothesis_sequences_of_small_loads_equal_a_full_rebuild(work, loads):
    db = work.copy()
    for number, ops in enumerate(loads):
        frames: dict[str, list[pl.DataFrame]] = {}
        for index, (op, offset, n) in enumerate(ops):
            on = AS_OF + timedelta(days=offset)
            table, frame = read(db, lambda con, a=(op, on, n, number * 10 + index): draw(con, *a))
            frames.setdefault(table, []).append(frame)
        merged = {
            t: pl.concat(fs).unique(subset=pl.concat(fs).columns[0], keep="last")
            for t, fs in frames.items()
        }
        merged = {t: f for t, f in merged.items() if f.height}
        if merged:  # a draw may find no row to change (nothing open to settle or write off)
            load(db, write(work.folder / f"load{number}", merged))
    assert_equals_full_rebuild(db, work.folder)


KILL_POINTS = ["incremental_scope", "build_payment_book", "build_data_quality", "record_build"]
KILLER = """
import os, signal, sys
import data.runner as runner
point = os.environ["KILL_AT"]
original = runner.Statements.execute
def execute(self, con, name, **params):
    if name == point:
        os.kill(os.getpid(), signal.SIGKILL)
    return original(self, con, name, **params)
runner.Statements.execute = execute
runner.execute = runner._STATEMENTS.execute
from commands.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("point", KILL_POINTS)
def test_an_incremental_load_killed_at_a_statement_leaves_the_warehouse_as_it_was(work, point):
    db = work.copy()
    day = AS_OF + timedelta(days=6)
    frames = read(
        db, lambda con: {"payments": settle(con, 4, day), "risk_events": events(con, 2, day)}
    )
    folder = write(work.folder / "day", frames)
    with warehouse.connect(db, read_only=True) as con:
        before = warehouse.checksum(con)
    killed = subprocess.run(
        [sys.executable, "-c", KILLER, "ingest", str(folder), "--db", str(db), "--quiet"],
        cwd=ROOT,
        env={**os.environ, "KILL_AT": point, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    with warehouse.connect(db, read_only=True) as con:
        assert warehouse.checksum(con) == before
    # the next load works, builds incrementally and equals a full rebuild
    assert load(db, folder).startswith("incremental:")
    assert not list(db.parent.glob(f"{db.name}.*.staging*"))
    assert_equals_full_rebuild(db, work.folder)


@pytest.mark.parametrize(("drift", "same"), [(1e-15, True), (1e-6, False)])
def test_a_portfolio_table_summed_in_another_order_counts_as_unchanged(drift, same):
    from data.incremental import _within_rounding

    con = duckdb.connect()
    con.execute("create schema build_scope")
    con.execute("create table lgd_calibration as select 'SME' as segment, 0.45::double as lgd")
    con.execute(
        "create table build_scope.previous_lgd_calibration as "
        "select 'SME' as segment, 0.45::double * (1 + $d) as lgd",
        {"d": drift},
    )
    assert _within_rounding(con, "lgd_calibration") is same
    con.close()
