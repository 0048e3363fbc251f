"""The what-if simulator: its rules on hand-made frames, and against the warehouse it re-scores.

The hand-made cases state their arithmetic; the warehouse cases hold the promises that matter to a
user: the policy in force reproduces the warehouse exactly, a saved scenario builds to what the
simulator showed, raising a cut-off never makes a grade worse, and nothing is written.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date

import duckdb
import polars as pl
import pytest

from data import warehouse
from data.policy import Policy, PolicyError, load_policy
from queries import whatif
from queries.filters import Filters
from queries.whatif_simulation import (
    Actions,
    calibrate,
    flag_watchlist,
    hit_rate,
    prepare_history,
    rescore,
    scenario_policy,
    scenario_toml,
    simulate,
)
from tests.conftest import ROOT

D = date.fromisoformat
FACTOR_COLUMNS = [
    "dpd_score",
    "late_score",
    "rating_score",
    "utilisation_score",
    "operational_score",
    "legal_score",
]


def policy_with(**changes: object) -> Policy:
    """The default policy with dotted-key changes, e.g. {"pd.min_observations": 1}."""
    raw = load_policy().to_dict()
    for key, value in changes.items():
        *path, leaf = key.split("__")
        node = raw
        for part in path:
            node = node[part]
        node[leaf] = value
    return Policy.from_dict(raw)


def month_end(day: date, months: int) -> date:
    """The last day of the month `months` after (or before) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    first_next = date(year + (month == 11), (month + 1) % 12 + 1, 1)
    return date.fromordinal(first_next.toordinal() - 1)


def history_rows(rows: list[tuple], downgrade_months: int = 3) -> pl.DataFrame:
    """(customer_id, as_of, factor score for every factor, max_dpd, defaulted, other_trigger), with
    what whatif_history.sql reads from the build worked out here by its definitions (default_12m,
    pd_observation, earlier_on), prepared as the page prepares the warehouse's history."""
    records = [(c, D(day), float(s), dpd, dflt, other) for c, day, s, dpd, dflt, other in rows]
    last = max(day for _, day, *_ in records)
    defaulted_on = [(c, day) for c, day, _, _, dflt, _ in records if dflt]
    frame = pl.DataFrame(
        [
            {
                "customer_id": c,
                "as_of": day,
                **dict.fromkeys(FACTOR_COLUMNS, s),
                "max_dpd": dpd,
                "defaulted": dflt,
                "other_trigger": other,
                "default_12m": any(
                    c == d_c and day < d_day <= month_end(day, 12) for d_c, d_day in defaulted_on
                ),
                "pd_observation": day == month_end(day, 0)
                and not dflt
                and month_end(day, 12) <= last,
                "earlier_on": month_end(day, -downgrade_months),
            }
            for c, day, s, dpd, dflt, other in records
        ],
        schema_overrides={"max_dpd": pl.Int32},
    )
    return prepare_history(frame, downgrade_months)


# --- rules on hand-made frames ----------------------------------------------------------------


def test_score_is_the_weighted_sum_and_the_grade_follows_the_cut_offs():
    frame = pl.DataFrame(
        {
            "dpd_score": [50.0],
            "late_score": [20.0],
            "rating_score": [40.0],
            "utilisation_score": [60.0],
            "operational_score": [0.0],
            "legal_score": [10.0],
        }
    )
    # .30*50 + .15*20 + .20*40 + .15*60 + .10*0 + .10*10 = 15 + 3 + 8 + 9 + 0 + 1 = 36
    scored = rescore(frame, load_policy())
    assert scored["score"][0] == pytest.approx(36.0)
    assert scored["grade"][0] == "B"  # 20 <= 36 < 40
    assert rescore(frame, policy_with(grades__C=35.0))["grade"][0] == "C"  # 35 <= 36 < 60
    # all weight on the DPD factor: the score is the DPD score, 50 -> C
    only_dpd = dict.fromkeys(["dpd", "late", "rating", "utilisation", "operational", "legal"], 0.0)
    assert rescore(frame, policy_with(weights={**only_dpd, "dpd": 1.0}))["score"][0] == 50.0


def test_pd_calibration_counts_defaults_within_twelve_months_of_month_ends():
    policy = policy_with(pd__min_observations=3)
    history = history_rows(
        [
            # X: two observed month-ends, defaulted at 2024-09-30 (within 12 months of both)
            ("X", "2024-01-31", 10, 0, False, False),
            ("X", "2024-06-30", 10, 0, False, False),
            ("X", "2024-09-30", 10, 120, True, False),  # in default: not an observation
            # Y: one good observation; 2024-03-15 is no month-end; 2025-06-30's year is not over
            ("Y", "2024-01-31", 10, 0, False, False),
            ("Y", "2024-03-15", 10, 0, False, False),
            ("Y", "2025-06-30", 10, 0, False, False),
            # Z: graded C; 2 observations
            ("Z", "2024-01-31", 50, 0, False, False),
            ("Z", "2024-02-29", 50, 0, False, False),
        ]
    )
    table = calibrate(rescore(history, policy), policy)
    a = table.filter(pl.col("grade") == "A").row(0, named=True)
    # A: 3 observations (X Jan, X Jun, Y Jan), 2 of them followed by X's default -> 2/3; with the
    # prior 0.005 weighing 50 observations the posterior is (2 + 50 * 0.005) / (3 + 50)
    assert (a["observations"], a["defaults_12m"], a["source"]) == (3, 2, "posterior")
    assert a["observed_rate"] == pytest.approx(2 / 3)
    assert a["pd_used"] == pytest.approx(2.25 / 53)
    c = table.filter(pl.col("grade") == "C").row(0, named=True)
    # C: 2 observations, no default: (0 + 50 * 0.08) / 52, below the prior
    assert (c["observations"], c["defaults_12m"], c["source"]) == (2, 0, "posterior")
    assert c["pd_used"] == pytest.approx(4 / 52)
    b = table.filter(pl.col("grade") == "B").row(0, named=True)
    assert (b["observations"], b["pd_used"], b["source"]) == (0, policy.pd.prior["B"], "prior")
    # without prior weight the observed rate itself
    unweighted = calibrate(rescore(history, policy), policy_with(pd__prior_weight=0.0))
    assert unweighted.filter(pl.col("grade") == "A")["pd_used"][0] == pytest.approx(2 / 3)


def test_a_default_after_the_horizon_does_not_count_and_the_floor_applies():
    policy = policy_with(pd__min_observations=1, pd__floor=0.01)
    history = history_rows(
        [
            ("X", "2024-01-31", 10, 0, False, False),
            ("X", "2025-02-28", 10, 120, True, False),  # after last_day(2024-01-31 + 12 months)
        ]
    )
    a = calibrate(rescore(history, policy), policy).row(0, named=True)
    assert (a["observations"], a["defaults_12m"]) == (1, 0)
    assert a["pd_used"] == 0.01  # observed 0 % lifted to the floor


def test_downgrade_and_overdue_triggers_are_re_evaluated_other_triggers_kept():
    policy = load_policy()  # downgrade: 2 notches against 3 months before; overdue above 30 days
    history = history_rows(
        [
            ("Z", "2024-01-31", 10, 0, False, False),  # A
            ("Z", "2024-02-29", 30, 0, False, False),  # B: no month-end 3 months before
            ("Z", "2024-03-31", 45, 0, False, False),  # C: 2023-12-31 missing -> no downgrade
            ("Z", "2024-04-30", 50, 0, False, False),  # C vs A at 2024-01-31: 2 notches
            ("W", "2024-01-31", 10, 31, False, False),  # overdue 31 > 30
            ("W", "2024-02-29", 10, 30, False, True),  # not overdue, another trigger fired
            ("W", "2024-03-31", 10, 30, False, False),  # nothing
        ]
    )
    flagged = flag_watchlist(rescore(history, policy), policy).sort("customer_id", "as_of")
    z = flagged.filter(pl.col("customer_id") == "Z")
    assert z["downgraded"].to_list() == [False, False, False, True]
    assert z["on_watchlist"].to_list() == [False, False, False, True]
    w = flagged.filter(pl.col("customer_id") == "W")
    assert w["on_watchlist"].to_list() == [True, True, False]
    looser = policy_with(watchlist__dpd=31)
    assert not flag_watchlist(rescore(history, looser), looser)["on_watchlist"][4]


def test_newly_e_is_a_downgrade_even_by_one_notch():
    policy = load_policy()
    history = history_rows(
        [("V", "2024-01-31", 70, 0, False, False), ("V", "2024-04-30", 85, 0, False, False)]
    )
    flagged = flag_watchlist(rescore(history, policy), policy).sort("as_of")
    assert flagged["grade"].to_list() == ["D", "E"]
    assert flagged["downgraded"].to_list() == [False, True]


def test_hit_rate_counts_flags_in_the_twelve_months_before_the_default():
    flagged = pl.DataFrame(
        {
            "customer_id": ["P", "P", "Q", "R"],
            "as_of": [D("2023-05-31"), D("2024-06-30"), D("2024-01-31"), D("2024-02-29")],
            "on_watchlist": [True, False, True, True],
        }
    )
    defaults = pl.DataFrame(
        {
            "customer_id": ["P", "Q", "R"],
            # P: only flagged 13 months before; Q: flagged 5 months before; R: flagged after
            "defaulted_on": [D("2024-06-30"), D("2024-06-30"), D("2024-01-31")],
        }
    )
    assert hit_rate(flagged, defaults) == (1, 3)
    assert hit_rate(flagged, defaults.head(0)) == (0, 0)


def tiny_snapshot() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "customer_id": ["K", "L"],
            "name": ["K Ltd", "L Ltd"],
            "segment": ["corporate", "sme"],
            "region": ["East", "West"],
            "industry": ["x", "y"],
            "exposure": [1_000_000.0, 50_000.0],
            "collateral": [100_000.0, 0.0],
            "credit_limit": [1_200_000.0, 100_000.0],
            "max_dpd": pl.Series([0, 0], dtype=pl.Int32),
            "score": [70.0, 10.0],
            "grade": ["D", "A"],
            "band": ["High", "Low"],
            "pd": [0.3, 0.005],
            "lgd": [0.42, 0.45],
            "lgd_unsecured": [0.45, 0.45],
            "defaulted": [False, False],
            "expected_loss": [126_000.0, 112.5],
            "on_watchlist": [False, False],
            "triggers": [[], []],
        },
        schema_overrides={"triggers": pl.List(pl.String)},
    )


def test_actions_cut_limits_call_collateral_and_close_headroom_as_worked_by_hand():
    policy = load_policy()  # haircut 0.40, unsecured LGD 0.45, floor 0.05, PD fallback D 0.30
    history = history_rows(
        [("K", "2026-10-31", 70, 0, False, False), ("L", "2026-10-31", 10, 0, False, False)]
    )
    actions = Actions(limit_cut=0.5, collateral_above=400_000.0, stop_new_e=True)
    result = simulate(history, tiny_snapshot(), pl.DataFrame(), policy, actions, D("2026-10-31"))
    k = result.customers.filter(pl.col("customer_id") == "K").row(0, named=True)
    assert k["grade_new"] == "D"
    assert k["credit_limit_new"] == 600_000.0  # 1 200 000 cut by 50 %
    assert k["on_watchlist_new"]  # exposure 1 000 000 > new limit 600 000: a limit breach
    # excess over the threshold 1 000 000 - 400 000 = 600 000 must be covered after a 40 % haircut:
    # 600 000 / 0.6 = 1 000 000 of collateral, of which 100 000 is held -> call 900 000
    assert k["collateral_call"] == pytest.approx(900_000.0)
    # LGD = 0.45 * (1 - min(1, 1 000 000 * 0.6 / 1 000 000)) = 0.45 * 0.4 = 0.18
    assert k["lgd_new"] == pytest.approx(0.18)
    assert k["expected_loss_new"] == pytest.approx(0.30 * 0.18 * 1_000_000)
    assert k["headroom_closed"] == 0.0  # D, not E
    l_row = result.customers.filter(pl.col("customer_id") == "L").row(0, named=True)
    assert (l_row["credit_limit_new"], l_row["collateral_call"]) == (100_000.0, 0.0)
    s = result.summary
    assert (s["limit_reduction"], s["limits_cut"]) == (600_000.0, 1)
    assert (s["collateral_call"], s["collateral_customers"]) == (pytest.approx(900_000.0), 1)
    assert (s["watchlist"], s["watchlist_new"]) == (0, 1)
    assert (s["defaults"], s["hit_rate_new"]) == (0, None)


def test_stop_new_contracts_closes_the_undrawn_limit_of_e_customers():
    policy = load_policy()
    history = history_rows(
        [("K", "2026-10-31", 90, 0, False, False), ("L", "2026-10-31", 10, 0, False, False)]
    )
    result = simulate(
        history, tiny_snapshot(), pl.DataFrame(), policy, Actions(stop_new_e=True), D("2026-10-31")
    )
    k = result.customers.filter(pl.col("customer_id") == "K").row(0, named=True)
    assert (k["grade"], k["grade_new"]) == ("D", "E")
    assert k["headroom_closed"] == 200_000.0  # limit 1 200 000 - exposure 1 000 000
    assert (result.summary["headroom_closed"], result.summary["stopped_customers"]) == (
        200_000.0,
        1,
    )
    assert result.summary["downgraded"] == 1 and result.summary["upgraded"] == 0
    assert result.transitions.filter(pl.col("grade") == "D")["grade_new"].to_list() == ["E"]


def test_actions_refuse_impossible_values():
    with pytest.raises(ValueError, match="limit_cut"):
        Actions(limit_cut=1.5)
    with pytest.raises(ValueError, match="collateral_above"):
        Actions(collateral_above=-1.0)


def test_scenario_policy_validates_and_records_the_limit_cut():
    current = load_policy()
    scenario = scenario_policy(
        current,
        weights=dict(current.weights),
        cut_offs={"B": 25.0, "C": 45.0, "D": 65.0, "E": 85.0},
        watchlist_dpd=60,
        name="test",
        limit_cut=0.25,
    )
    assert scenario.grades["E"] == 85.0 and scenario.watchlist.dpd == 60
    assert scenario.controls["High"].limit_action == "cut 25 %"
    with pytest.raises(PolicyError, match="grades.D"):
        scenario_policy(
            current,
            weights=dict(current.weights),
            cut_offs={"B": 25.0, "C": 45.0, "D": 40.0, "E": 85.0},
            watchlist_dpd=30,
            name="bad",
        )


def test_the_policy_in_force_round_trips_through_its_stored_entries():
    policy = load_policy()
    assert Policy.from_entries(policy.flat()) == policy


# --- against the demo warehouse -----------------------------------------------------------------


@pytest.fixture(scope="module")
def inputs(demo_db):
    con = warehouse.connect(demo_db, read_only=True)
    try:
        policy = whatif.current_policy(con)
        history = whatif.history(con)
        as_of = history["as_of"].max()
        snapshot = whatif.snapshot(con, Filters(as_of=as_of))
        defaults = whatif.defaults(con, Filters(as_of=as_of))
        stored = con.sql(
            "select customer_id, as_of, score, grade, pd, on_watchlist from customer_month"
        ).pl()
    finally:
        con.close()
    return policy, history, snapshot, defaults, as_of, stored


def test_the_policy_in_force_reproduces_the_warehouse_exactly(inputs):
    policy, history, snapshot, defaults, as_of, stored = inputs
    result = simulate(history, snapshot, defaults, policy, Actions(), as_of)
    c = result.customers
    for before, after in [
        ("score", "score_new"),
        ("grade", "grade_new"),
        ("band", "band_new"),
        ("pd", "pd_new"),
        ("lgd", "lgd_new"),
        ("expected_loss", "expected_loss_new"),
        ("on_watchlist", "on_watchlist_new"),
    ]:
        assert (c[before] == c[after]).all(), before  # equal to the last bit, not approximately
    # every customer-month of history, not only the as-of date
    rescored = flag_watchlist(rescore(history, policy), policy)
    joined = stored.join(rescored, on=["customer_id", "as_of"], suffix="_new")
    assert joined.height == stored.height == history.height
    assert (joined["score"] == joined["score_new"]).all()
    assert (joined["grade"] == joined["grade_new"]).all()
    assert (joined["on_watchlist"] == joined["on_watchlist_new"]).all()
    s = result.summary
    assert s["upgraded"] == s["downgraded"] == 0
    assert s["defaults"] > 0 and s["hits_new"] == s["hits"]  # the early_warning table's count


@pytest.mark.parametrize("grade", ["B", "C", "D", "E"])
def test_raising_a_cut_off_only_ever_improves_grades(inputs, grade):
    policy, history, snapshot, defaults, as_of, _stored = inputs
    cut_offs = dict(policy.grades)
    upper = {"B": "C", "C": "D", "D": "E"}.get(grade)
    cut_offs[grade] = (cut_offs[grade] + cut_offs[upper]) / 2 if upper else 95.0
    raised = scenario_policy(
        policy,
        weights=dict(policy.weights),
        cut_offs=cut_offs,
        watchlist_dpd=policy.watchlist.dpd,
        name="raised",
    )
    before = rescore(history, policy)["grade"]
    after = rescore(history, raised)["grade"]
    assert (after <= before).all()  # "A" < "B" < ...: never a worse grade
    assert (after < before).any()  # and some customer-months do improve
    moved = before.filter(after != before)
    assert set(moved.unique()) == {grade}  # only customers of that grade move, one grade up


def test_a_scenario_writes_nothing_to_the_warehouse(demo_db, inputs):
    policy, history, snapshot, defaults, as_of, _stored = inputs
    with warehouse.connect(demo_db, read_only=True) as con:
        before = warehouse.checksum(con)
    version = warehouse.file_version(demo_db)
    raised = policy_with(grades__E=70.0, watchlist__dpd=60)
    simulate(history, snapshot, defaults, raised, Actions(0.3, 1e6, True), as_of)
    from streamlit.testing.v1 import AppTest

    from tests.conftest import page_path

    at = AppTest.from_file(page_path("whatif"), default_timeout=60)
    at.run()
    at.number_input(key="wi_main_cut_E").set_value(70.0)
    at.button[0].click()
    at.run()
    assert not at.exception
    with warehouse.connect(demo_db, read_only=True) as con:
        assert warehouse.checksum(con) == before
    assert warehouse.file_version(demo_db) == version


def test_a_saved_scenario_builds_to_what_the_simulator_showed(demo_db, inputs, tmp_path):
    policy, history, snapshot, defaults, as_of, _stored = inputs
    weights = {**policy.weights, "dpd": 0.4, "rating": 0.1}
    scenario = scenario_policy(
        policy,
        weights=weights,
        cut_offs={"B": 15.0, "C": 35.0, "D": 55.0, "E": 75.0},
        watchlist_dpd=45,
        name="Saved scenario",
        limit_cut=0.2,
    )
    result = simulate(history, snapshot, defaults, scenario, Actions(), as_of)
    file = tmp_path / "policy_whatif.toml"
    file.write_text(scenario_toml(scenario, ["a scenario", "actions: none"]), encoding="utf-8")
    assert load_policy(file) == scenario
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_db, copy)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "data",
            "build",
            "--db",
            str(copy),
            "--policy",
            str(file),
            "--quiet",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    con = duckdb.connect(str(copy), read_only=True)
    try:
        built = con.sql(
            "select customer_id, grade, band, pd, expected_loss, on_watchlist from customer_month"
            " where as_of = $as_of",
            params={"as_of": as_of},
        ).pl()
    finally:
        con.close()
    joined = result.customers.join(built, on="customer_id", suffix="_built")
    assert joined.height == snapshot.height
    assert (joined["grade_new"] == joined["grade_built"]).all()
    assert (joined["band_new"] == joined["band_built"]).all()
    assert (joined["pd_new"] == joined["pd_built"]).all()
    assert (joined["on_watchlist_new"] == joined["on_watchlist_built"]).all()
    assert (joined["expected_loss_new"] == joined["expected_loss_built"]).all()
    assert result.summary["upgraded"] + result.summary["downgraded"] > 0  # the scenario differs


def test_history_prepared_for_another_downgrade_look_back_is_refused():
    history = history_rows([("Z", "2024-01-31", 10, 0, False, False)], downgrade_months=3)
    other = policy_with(watchlist__downgrade_months=6)
    with pytest.raises(ValueError, match="prepare it again"):
        flag_watchlist(rescore(history, other), other)
