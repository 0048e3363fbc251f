"""What-if page under AppTest: renders against the policy in force, a scenario changes the figures the
test works out itself, bad input is explained, the saved file is a policy, a case can be chosen."""

from __future__ import annotations

import os
import tomllib

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.components.formats import money, number
from data.cases import ensure_case
from data.policy import Policy
from tests.conftest import page_path


def page() -> AppTest:
    return AppTest.from_file(page_path("whatif"), default_timeout=120)


def metric(at: AppTest, label: str):
    return next(m for m in at.metric if m.label == label)


def stored(demo_db, sql: str) -> float:
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        return con.sql(sql).fetchall()[0][0]
    finally:
        con.close()


LATEST = "(select max(as_of) from customer_month)"


def test_untouched_the_page_shows_the_policy_in_force(demo_db):
    at = page().run()
    assert not at.exception
    el = stored(demo_db, f"select sum(expected_loss) from customer_month where as_of = {LATEST}")
    watch = stored(
        demo_db,
        f"select count(*) filter (where on_watchlist) from customer_month where as_of = {LATEST}",
    )
    assert metric(at, "Expected loss").value == money(el)
    assert not metric(at, "Expected loss").delta  # unchanged: no delta shown
    assert metric(at, "Watchlist").value == number(watch)
    assert metric(at, "Grade changes").value == "0"
    assert any("No customer changes grade" in i.value for i in at.info)
    assert len(at.get("plotly_chart")) == 2


def test_a_lower_e_cut_off_moves_exactly_the_customers_between_the_cut_offs(demo_db):
    at = page().run()
    at.number_input(key="wi_main_cut_E").set_value(70.0)
    at.button[0].click()  # Run scenario
    at.run()
    assert not at.exception
    # the scores do not change, so exactly the D customers scoring 70 or more become E
    moved = stored(
        demo_db,
        f"select count(*) from customer_month where as_of = {LATEST} and grade = 'D' and score >= 70",
    )
    assert moved > 0
    assert metric(at, "Grade changes").value == number(moved)
    assert at.dataframe[0].value.shape[0] == moved
    assert set(at.dataframe[0].value["grade_new"]) == {"E"}
    # recalibrated under the scenario, E still carries a higher PD than D. Only performing D and E
    # customers can change the EL (those in default carry PD 1 in any grade): with some, it moves
    # and its change is shown; with none, the EL is the policy's and no change is shown
    performing = stored(
        demo_db,
        f"select count(*) from customer_month where as_of = {LATEST} and grade in ('D', 'E')"
        " and not defaulted",
    )
    assert bool(metric(at, "Expected loss").delta) == (performing > 0)
    calibration = next(d.value for d in at.dataframe if "prior_pd" in d.value.columns)
    pd_by_grade = dict(zip(calibration["grade"], calibration["pd_used"], strict=True))
    assert pd_by_grade["E"] > pd_by_grade["D"]


def test_an_overdue_threshold_change_resizes_the_watchlist(demo_db):
    at = page().run()
    before = metric(at, "Watchlist").value
    at.number_input(key="wi_main_dpd").set_value(90)
    at.button[0].click()
    at.run()
    assert not at.exception
    after = metric(at, "Watchlist").value
    assert int(after.replace(",", "")) < int(before.replace(",", ""))


def test_actions_show_their_effects(demo_db):
    at = page().run()
    at.slider(key="wi_main_limit_cut").set_value(50)
    at.number_input(key="wi_main_collateral").set_value(5_000_000.0)
    at.checkbox(key="wi_main_stop_e").check()
    at.button[0].click()
    at.run()
    assert not at.exception
    limits = stored(
        demo_db,
        f"select sum(credit_limit) * 0.5 from customer_month where as_of = {LATEST} and grade in ('D', 'E')",
    )
    assert metric(at, "Credit limits cut").value == money(limits)
    assert metric(at, "Collateral to call").value != money(0)


def test_cut_offs_that_do_not_rise_are_refused_with_the_key_named(demo_db):
    at = page().run()
    at.number_input(key="wi_main_cut_C").set_value(10.0)  # below B's 20
    at.button[0].click()
    at.run()
    assert not at.exception
    # the message is shown as text (Markdown-escaped): read it without the escapes
    shown = [e.value.replace("\\", "").replace("\u2060", "") for e in at.error]
    assert any("grades.C" in text and "rise" in text for text in shown)
    assert not at.metric


def test_weights_not_adding_up_are_scaled_and_said_so(demo_db):
    at = page().run()
    at.number_input(key="wi_main_w_dpd").set_value(50.0)  # 50+15+20+15+10+10 = 120 %
    at.button[0].click()
    at.run()
    assert not at.exception
    assert any("120.0 %" in i.value for i in at.info)


def test_reset_returns_to_the_policy_in_force(demo_db):
    at = page().run()
    at.number_input(key="wi_main_cut_E").set_value(70.0)
    at.button[0].click()
    at.run()
    assert metric(at, "Grade changes").value != "0"
    at.button[1].click()  # Reset
    at.run()
    assert metric(at, "Grade changes").value == "0"
    assert at.number_input(key="wi_main_cut_E").value == 80.0


def test_the_download_is_a_valid_policy_with_the_scenario(demo_db, monkeypatch):
    import queries.whatif_simulation as simulation

    written: list[str] = []
    original = simulation.scenario_toml

    def spy(policy, comments):
        written.append(original(policy, comments))
        return written[-1]

    # the page imports scenario_toml on every run, so it picks up the spy
    monkeypatch.setattr(simulation, "scenario_toml", spy)
    at = page().run()
    at.number_input(key="wi_main_cut_B").set_value(25.0)
    at.slider(key="wi_main_limit_cut").set_value(30)
    at.button[0].click()
    at.run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download policy file (TOML)" in labels
    text = written[-1]
    assert "# Actions assumed: D/E limits cut by 30 %" in text
    parsed = Policy.from_dict(tomllib.loads(text))  # what `build --policy` reads
    assert parsed.grades["B"] == 25.0 and parsed.grades["C"] == 40.0
    assert parsed.controls["High"].limit_action == "cut 30 %"


@pytest.fixture(scope="module")
def case_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("whatif_cases")
    previous = os.environ.get("RISK_CASES_DIR")
    os.environ["RISK_CASES_DIR"] = str(folder)
    ensure_case("lender", customers=300)
    yield folder
    if previous is None:
        os.environ.pop("RISK_CASES_DIR", None)
    else:
        os.environ["RISK_CASES_DIR"] = previous


def test_a_case_warehouse_can_be_simulated_and_is_chosen_by_link(demo_db, case_dir):
    at = page()
    at.query_params["case"] = "lender"
    at.run()
    assert not at.exception
    assert at.radio(key="wi_source").value == "lender"
    main_el = stored(
        demo_db, f"select sum(expected_loss) from customer_month where as_of = {LATEST}"
    )
    assert metric(at, "Expected loss").value != money(main_el)
    at.number_input(key="wi_lender_cut_E").set_value(60.5)
    at.button[0].click()
    at.run()
    assert not at.exception
    assert metric(at, "Grade changes").value != "0"
