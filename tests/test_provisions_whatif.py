"""The what-if scenario's effect on the IFRS 9 allowance (queries/whatif_allowance.py)."""

from __future__ import annotations

import polars as pl
import pytest

from data import warehouse
from data.policy import FACTORS, GRADES
from queries import whatif, whatif_allowance
from queries.filters import Filters
from queries.whatif_simulation import Actions, scenario_policy, simulate


@pytest.fixture(scope="module")
def lender(tmp_path_factory):
    from data.demo import build_demo

    path = tmp_path_factory.mktemp("lender") / "w.duckdb"
    build_demo(path, scenario="lender", customers=300, seed=7)
    con = warehouse.connect(path, read_only=True)
    policy = whatif.current_policy(con)
    history = whatif.history(con)
    as_of = history["as_of"].max()
    inputs = {
        "policy": policy,
        "history": history,
        "as_of": as_of,
        "snapshot": whatif.snapshot(con, Filters(as_of=as_of)),
        "defaults": whatif.defaults(con, Filters(as_of=as_of)),
        "units": whatif_allowance.units(con, Filters(as_of=as_of)),
    }
    yield inputs
    con.close()


def run(inputs, policy, actions: Actions | None = None):
    result = simulate(
        inputs["history"],
        inputs["snapshot"],
        inputs["defaults"],
        policy,
        actions or Actions(),
        inputs["as_of"],
    )
    return whatif_allowance.rescored(inputs["units"], result.customers, policy)


def test_the_policy_in_force_reproduces_the_warehouse_allowance(lender):
    frame = run(lender, lender["policy"])
    loans = frame.filter(pl.col("approach") == "general")
    assert loans.height > 100 and set(loans["stage"]) >= {"stage_1", "stage_2", "stage_3"}
    assert (frame["stage_new"] == frame["stage"]).all()
    # the same rule as the SQL, to the cent (a floating-point tie may round the other way)
    assert (frame["allowance_new"] - frame["allowance"]).abs().max() <= 0.011
    effect = whatif_allowance.effect(lender["units"], run_customers(lender), lender["policy"])
    assert effect["allowance_new"] == pytest.approx(effect["allowance"], abs=0.01 * frame.height)


def run_customers(inputs):
    return simulate(
        inputs["history"], inputs["snapshot"], inputs["defaults"], inputs["policy"], Actions(),
        inputs["as_of"],
    ).customers  # fmt: skip


def test_a_stricter_watchlist_moves_loans_to_stage_2_and_raises_the_allowance(lender):
    current = lender["policy"]
    stricter = scenario_policy(
        current,
        weights={f: current.weights[f] for f in FACTORS},
        cut_offs={g: current.grades[g] for g in GRADES[1:]},
        watchlist_dpd=0,  # any day past due puts a customer on the watchlist
        name="stricter",
    )
    frame = run(lender, stricter)
    moved = frame.filter((pl.col("stage") == "stage_1") & (pl.col("stage_new") == "stage_2"))
    assert moved.height > 0
    # lifetime PD >= 12-month PD: equal when 12 months or less remain (the lifetime floor)
    assert (moved["allowance_new"] >= moved["allowance"]).all()
    assert moved["allowance_new"].sum() > moved["allowance"].sum()
    assert (frame.filter(pl.col("approach") == "simplified")["allowance_new"]
            == frame.filter(pl.col("approach") == "simplified")["allowance"]).all()  # fmt: skip


def test_ecl_factor_by_hand():
    frame = pl.DataFrame(
        {
            "stage": [1, 2, 2, 3],
            "pd": [0.12, 0.12, 0.12, 0.5],
            "h": [12, 24, 24, 24],
            "r": [None, None, 0.1, 0.1],
        }  # fmt: skip
    )
    got = frame.select(
        whatif_allowance.ecl_factor(pl.col("stage"), pl.col("pd"), pl.col("h"), pl.col("r"))
    ).to_series()
    s, v = 0.88 ** (1 / 12), 1.1 ** (-1 / 12)
    expected = [0.12, 1 - 0.88**2, sum(s ** (m - 1) * (1 - s) * v**m for m in range(1, 25)), 1.0]
    assert got.to_list() == pytest.approx(expected)


def test_the_whatif_page_shows_the_allowance_under_the_scenario(demo_db, demo_con):
    from streamlit.testing.v1 import AppTest

    from dashboard.components.formats import money
    from tests.conftest import page_path

    at = AppTest.from_file(page_path("whatif"), default_timeout=120).run()
    assert not at.exception
    now = demo_con.sql(
        "select sum(allowance)::double from ecl_month "
        "where as_of = (select max(as_of) from ecl_month)"
    ).fetchall()[0][0]
    text = next(c.value for c in at.caption if c.value.startswith("IFRS 9 loss allowance"))
    # the manufacturer has receivables only: the scenario leaves the allowance as it is
    assert f"scenario: {money(now)} against {money(now)} now" in text
