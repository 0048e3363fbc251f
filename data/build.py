"""Rebuild the derived tables (customer_month and everything read from it) from the source tables.

`rebuild` runs a fixed list of SQL build steps (data/sql/build_*.sql) through `data.runner.execute`,
each binding the as-of date and the policy's values. It never begins or commits a transaction:
callers wrap it, so a failed build leaves the warehouse as it was.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb

from data.policy import FACTORS, Policy, load_policy
from data.runner import SQL_DIR, execute, sql_text
from data.warehouse import table_counts

# The version of the risk definitions the build SQL implements: bumped whenever a definition or a
# derived table's columns change, so warehouses built before are rebuilt (see `is_current`); and
# when the demo generator's rows change, so the case warehouses are generated anew (data.cases).
# 5: contracts.interest_rate (migration 5) is loaded, and the demo's lender loans carry their rate.
# 6: the demo part-pays only the last 25 days' invoices (an open remainder stays within 30 DPD).
# 7: the demo's contract disputes happen over the whole history and are settled (the instalments
#    withheld meanwhile paid on that day), not only in the last 76 days before the as-of date.
# 8: month_exposure (each month's portfolio exposure, customer_month.exposure_share's denominator)
#    is a table of its own, so an incremental build (data.incremental) divides by the whole book's.
# 9: of several credit reviews of a customer on one day, the greatest review_id is in force (the
#    ASOF join picked either, so two builds of the same rows could differ); month_exposure sums
#    decimals, the same total in every build.
BUILD_VERSION = 9

# (SQL file, table or view it creates), in dependency order.
CORE_STEPS: tuple[tuple[str, str], ...] = (
    ("build_policy_in_force", "policy_in_force"),
    ("build_policy_factors", "policy_factors"),
    ("build_policy_bins", "policy_bins"),
    ("build_month_grid", "month_grid"),
    ("build_payment_events", "payment_events"),
    ("build_payment_book", "payment_book"),
    ("build_cm_exposure", "cm_exposure"),
    ("build_cm_behaviour", "cm_behaviour"),
    ("build_cm_scorecard", "cm_scorecard"),
    ("build_cm_scores", "cm_scores"),
    ("build_pd_calibration", "pd_calibration"),
    ("build_lgd_calibration", "lgd_calibration"),
    ("build_month_exposure", "month_exposure"),
    ("build_customer_month", "customer_month"),
    ("build_score_explanation", "score_explanation"),
)
# Tables built on customer_month; each step runs when its SQL file exists.
EXTENSION_STEPS: tuple[tuple[str, str], ...] = (
    ("build_concentration_month", "concentration_month"),
    ("build_watchlist_month", "watchlist_month"),
    ("build_watchlist_cube", "watchlist_cube"),
    ("build_watchlist_spells", "watchlist_spells"),
    ("build_early_warning", "early_warning"),
    ("build_collections_month", "collections_month"),
    ("build_rating_migration", "rating_migration"),
    ("build_data_quality", "data_quality"),
    # IFRS 9 provisions (docs/data_dictionary.md, "Provisions")
    ("build_receivable_aging", "receivable_aging"),
    ("build_provision_loss_rates", "provision_loss_rates"),
    ("build_receivable_ecl", "receivable_ecl"),
    ("build_provision_matrix", "provision_matrix"),
    ("build_contract_rates", "contract_rates"),
    ("build_loan_ecl", "loan_ecl"),
    ("build_ecl_month", "ecl_month"),
    ("build_ecl_movement", "ecl_movement"),
)

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class BuildResult:
    """What a build did: the as-of date used, rows per table built, and seconds per step."""

    as_of: date
    policy_name: str
    tables: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    mode: str = "full"  # or "incremental: N customers" (data.incremental.update)
    # The derived tables rewritten whole (None: every one, a full build) and those whose touched
    # customers' rows were replaced (an incremental build): what data.delta ships to the spare.
    whole: frozenset[str] | None = None
    spliced: frozenset[str] = frozenset()

    def __str__(self) -> str:
        total = sum(self.seconds.values())
        rows = ", ".join(f"{name} {count:,}" for name, count in self.tables.items())
        return (
            f"built as of {self.as_of} ({self.policy_name}, {self.mode}) in {total:.1f} s: {rows}"
        )


def last_month_end_on_or_before(day: date) -> date:
    """`day` when it is a month-end, else the last day of the previous month."""
    if (day + timedelta(days=1)).day == 1:
        return day
    return day.replace(day=1) - timedelta(days=1)


def default_as_of(con: duckdb.DuckDBPyConnection) -> date:
    """The last month-end on or before the latest recorded activity (payment made, event, contract
    signed); the last month-end before today when the warehouse holds no activity."""
    # on `con` itself, not a cursor: a cursor would not see rows the caller's open transaction loaded
    latest = con.sql(sql_text("build_latest_activity")).fetchall()[0][0]
    return last_month_end_on_or_before(latest if latest is not None else date.today())


def build_steps() -> list[tuple[str, str]]:
    """The steps a build runs now: the core ones, then each extension whose SQL file exists."""
    extensions = [s for s in EXTENSION_STEPS if (SQL_DIR / f"{s[0]}.sql").is_file()]
    return [*CORE_STEPS, *extensions]


def _variant(con: duckdb.DuckDBPyConnection, step: str) -> str:
    """The SQL file a step runs: contract rates come from the optional contracts.interest_rate
    column only when the warehouse has it."""
    if step != "build_contract_rates":
        return step
    has_rate = con.sql(
        "select count(*) from duckdb_columns() where database_name = current_database() "
        "and schema_name = 'main' and table_name = 'contracts' and column_name = 'interest_rate'"
    ).fetchall()[0][0]
    return step if has_rate else "build_contract_rates_none"


def step_params(as_of: date, policy: Policy) -> dict[str, object]:
    """Every value a build step may bind: the as-of date, the policy's values, and the policy
    itself as lists for the policy_in_force and policy_factors tables."""
    entries = policy.flat()
    return {
        "as_of": as_of,
        **policy.sql_params(),
        "policy_keys": list(entries),
        "policy_values": list(entries.values()),
        "factor_names": list(FACTORS),
        "factor_weights": [float(policy.weights[f]) for f in FACTORS],
        "factor_descriptions": list(FACTORS.values()),
        **policy.scorecard_params(),
        **policy.provision_params(),
    }


def rebuild(
    con: duckdb.DuckDBPyConnection,
    as_of: date | None = None,
    policy: Policy | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Rebuild every derived table as of `as_of` (default: `default_as_of`) under `policy` (default:
    data/policy.toml), then record the build in warehouse_state and bump its load_version.

    `progress(label, steps done, steps total)` is called before each step and once at the end.
    Approved credit decisions of the worklog are written into credit_reviews first
    (data.worklog_decisions.sync_to_warehouse), so they survive every load and replacement.
    """
    from data.worklog_decisions import sync_to_warehouse  # late: the worklog reads the query layer

    sync_to_warehouse(con)
    policy = policy if policy is not None else load_policy()
    as_of = as_of if as_of is not None else default_as_of(con)
    params = step_params(as_of, policy)
    steps = build_steps()
    seconds: dict[str, float] = {}
    for done, (step, _table) in enumerate(steps):
        if progress is not None:
            progress(f"build {step.removeprefix('build_')}", done, len(steps) + 1)
        started = time.perf_counter()
        execute(con, _variant(con, step), **params)
        seconds[step] = time.perf_counter() - started
    return record(con, as_of, policy, seconds, progress)


def record(
    con: duckdb.DuckDBPyConnection,
    as_of: date,
    policy: Policy,
    seconds: dict[str, float],
    progress: Progress | None = None,
    mode: str = "full",
) -> BuildResult:
    """Record a finished build (full or incremental) in warehouse_state and say what it built."""
    steps = build_steps()
    if progress is not None:
        progress("build record", len(steps), len(steps) + 1)
    execute(con, "record_build", as_of=as_of, policy_name=policy.name, build_version=BUILD_VERSION)
    counts = table_counts(con)
    built = {table: counts[table] for _step, table in steps if table in counts}
    if progress is not None:
        progress("build done", len(steps) + 1, len(steps) + 1)
    return BuildResult(
        as_of=as_of, policy_name=policy.name, tables=built, seconds=seconds, mode=mode
    )


def is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the warehouse has every migration and its derived tables were built by this
    release's definitions (BUILD_VERSION); an empty or older warehouse needs `upgrade`."""
    from data.warehouse import migrations, schema_version

    latest = max(version for version, _ in migrations())
    if schema_version(con) < latest:
        return False
    built = con.sql("select build_version from warehouse_state").fetchall()
    return bool(built) and built[0][0] == BUILD_VERSION


def upgrade(path: str | None = None, progress: Progress | None = None) -> bool:
    """Migrate and rebuild the warehouse at `path` from its own source rows when it is not current
    (nothing is generated or lost: loaded data stays as it is). All-or-nothing, like a load.
    Returns True when it rebuilt."""
    from data import warehouse

    with warehouse.connect(path, read_only=True) as con:
        try:
            if is_current(con):
                return False
        except duckdb.Error:
            pass  # too old to even tell: rebuild
    with warehouse.writing(path) as con:
        con.execute("begin transaction")
        try:
            rebuild(con, progress=progress)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    return True
