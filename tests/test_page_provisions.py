"""Provisions page with AppTest on the demo warehouse; its query helpers on tiny frames."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.components.formats import money, percent
from queries import provisions
from tests.conftest import page_path


def independent(demo_con, as_of: date, where: str = "true") -> tuple[float, float]:
    """Allowance and coverage of one date straight from ecl_month."""
    allowance, gross = demo_con.sql(
        "select sum(allowance)::double, sum(gross_carrying_amount)::double from ecl_month "
        f"where as_of = $d and {where}",
        params={"d": as_of},
    ).fetchall()[0]
    return allowance, allowance / gross


@pytest.fixture(scope="module")
def latest(demo_db) -> date:
    from data import warehouse

    con = warehouse.connect(demo_db, read_only=True)
    found = con.sql("select max(as_of) from month_grid").fetchall()[0][0]
    con.close()
    return found


def test_page_shows_allowance_and_coverage_and_a_segment_filter_changes_them(demo_con, latest):
    at = AppTest.from_file(page_path("provisions"), default_timeout=90).run()
    assert not at.exception
    allowance, coverage = independent(demo_con, latest)
    assert at.metric[0].value == money(allowance)
    assert at.metric[1].value == percent(coverage, 2)
    assert len(at.get("plotly_chart")) == 3  # by stage, by bucket, trend
    frames = [d.value for d in at.dataframe]
    movement = frames[-2]
    closing = movement[movement["line"] == "Closing allowance"]["total"].iloc[0]
    assert closing == pytest.approx(allowance, abs=0.01)
    largest = frames[-1]
    assert largest["link"].str.startswith("customer?customer=").all()

    at.session_state["f_segment"] = ["Small"]
    at.run()
    assert not at.exception
    small, small_coverage = independent(demo_con, latest, "segment = 'Small'")
    assert at.metric[0].value == money(small) != money(allowance)
    assert at.metric[1].value == percent(small_coverage, 2)


def test_the_movement_period_control_changes_the_opening(demo_con, latest):
    at = AppTest.from_file(page_path("provisions"), default_timeout=90).run()
    quarter = at.dataframe[-2].value
    at.session_state["provisions_months"] = 1
    at.run()
    assert not at.exception
    month_table = at.dataframe[-2].value

    def opening(frame):
        return frame[frame["line"] == "Opening allowance"]["total"].iloc[0]

    last_month_closing = demo_con.sql(
        "select sum(closing)::double from ecl_movement where as_of = "
        "(select max(as_of) from month_grid where as_of < $d)",
        params={"d": latest},
    ).fetchall()[0][0]
    assert opening(month_table) == pytest.approx(last_month_closing, abs=0.01)
    assert opening(quarter) != opening(month_table)


def test_a_filter_matching_nothing_shows_the_empty_state(demo_db):
    at = AppTest.from_file(page_path("provisions"), default_timeout=90)
    at.session_state["f_segment"] = ["nobody"]
    at.run()
    assert not at.exception
    assert at.info and not at.metric


def test_movement_table_lines_add_up_stage_by_stage():
    by_stage = pl.DataFrame(
        {
            "stage": ["stage_1", "stage_2"],
            "opening": [100.0, 50.0],
            "new_business": [10.0, 0.0],
            "transfers_in": [0.0, 30.0],
            "transfers_out": [-30.0, 0.0],
            "changes_in_risk": [5.0, 20.0],
            "derecognised": [-15.0, 0.0],
            "write_offs": [0.0, -10.0],
            "closing": [70.0, 90.0],
            "first_period": [date(2026, 8, 31)] * 2,
        }
    )
    table = provisions.movement_table(by_stage)
    assert table["line"].to_list() == list(provisions.MOVEMENT_LINES)
    rows = {r["line"]: r for r in table.iter_rows(named=True)}
    assert rows["opening"]["total"] == 150.0 and rows["closing"]["total"] == 160.0
    assert rows["transfers_in"]["total"] + rows["transfers_out"]["total"] == 0.0
    assert rows["opening"]["stage_3"] == 0.0
    for stage in provisions.STAGES:
        moves = sum(rows[line][stage] for line in provisions.MOVEMENT_LINES[1:-1])
        assert rows["opening"][stage] + moves == rows["closing"][stage]


def test_impaired_share_and_totals_by_hand():
    stages = pl.DataFrame(
        {
            "as_of": [date(2026, 9, 30)] * 4,
            "stage": ["simplified", "stage_1", "stage_2", "stage_3"],
            "gross_carrying_amount": [500.0, 600.0, 300.0, 100.0],
            "allowance": [50.0, 6.0, 15.0, 45.0],
            "units": [1, 1, 1, 1],
        }
    )
    # loans 600 + 300 + 100 = 1 000, of which 400 in stage 2 or 3; receivables do not count
    assert provisions.impaired_share(stages) == pytest.approx(0.4)
    total = provisions.totals(stages).row(0, named=True)
    assert (total["gross_carrying_amount"], total["allowance"]) == (1500.0, 116.0)
    assert total["coverage"] == pytest.approx(116 / 1500)


def test_overview_card_shows_allowance_coverage_and_the_change(demo_con, latest):
    at = AppTest.from_file(page_path("overview"), default_timeout=90).run()
    assert not at.exception
    card = next(m for m in at.metric if m.label == "Loss allowance")
    allowance, coverage = independent(demo_con, latest)
    assert card.value == money(allowance)  # whole in the five-card row; the coverage in its help
    assert f"It covers {percent(coverage, 2)} of the gross carrying amount (" in card.help
    before = demo_con.sql(
        "select max(as_of) from month_grid where as_of < $d", params={"d": latest}
    ).fetchall()[0][0]
    earlier, _ = independent(demo_con, before)
    change = allowance - earlier
    assert card.delta.startswith(("+" if change >= 0 else "-") + money(abs(change)))
