"""Concentration: Lorenz/Gini and top-N on hand-made exposures, breaches, and the page."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from queries import concentration
from tests.conftest import page_path

D = date(2026, 1, 31)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    path = tmp_path_factory.mktemp("conc") / "c.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "create table customer_month as select * from (values "
        "('a', 'Alpha', 'Retail', 'East', 'S', 'A', 10.0, 100.0, 0.1, 0.1), "
        "('b', 'Beta', 'Retail', 'East', 'S', 'B', 20.0, 10.0, 2.0, 0.2), "
        "('c', 'Gamma', 'Energy', 'West', 'S', 'C', 70.0, 100.0, 0.7, 0.7)) "
        "t(customer_id, name, industry, region, segment, grade, exposure, credit_limit, utilisation, exposure_share)"
    )
    con.execute("alter table customer_month add column as_of date default date '2026-01-31'")
    for column in ("exposure", "credit_limit", "utilisation", "exposure_share"):
        con.execute(f"alter table customer_month alter {column} type double")
    con.execute(
        "create table policy_in_force as select 'watchlist.single_name_share' as key, '0.5' as value"
    )
    yield con
    con.close()


def test_gini_and_lorenz_by_hand(tiny):
    curve = concentration.lorenz(tiny, as_of=D)
    # Ascending 10, 20, 70 (total 100): G = 2(1·10 + 2·20 + 3·70) / (3 · 100) − 4/3 = 520/300 − 400/300 = 0.4.
    assert curve["gini"][0] == pytest.approx(0.4)
    assert curve["names_share"].to_list() == pytest.approx([0.0, 1 / 3, 2 / 3, 1.0])
    assert curve["exposure_share"].to_list() == pytest.approx([0.0, 0.1, 0.3, 1.0])


def test_top_shares_and_cumulative(tiny):
    top = concentration.top(tiny, as_of=D, limit=2)
    assert top["customer_id"].to_list() == ["c", "b"]
    assert top["share"].to_list() == pytest.approx([0.7, 0.2])
    assert top["cumulative_share"].to_list() == pytest.approx([0.7, 0.9])


def test_breaches_single_name_and_limit(tiny):
    rows = {
        r["customer_id"]: r for r in concentration.breaches(tiny, as_of=D).iter_rows(named=True)
    }
    # c holds 70 % > 50 % of the portfolio; b has 20 against a limit of 10; a is fine.
    assert set(rows) == {"b", "c"}
    assert rows["c"]["single_name_breach"] and not rows["c"]["limit_breach"]
    assert rows["b"]["limit_breach"] and not rows["b"]["single_name_breach"]


def test_hhi_trend_matches_materialised_table_without_filters(demo_con):
    as_of = demo_con.sql("select max(as_of) from month_grid").fetchall()[0][0]
    ours = concentration.hhi_trend(demo_con, as_of=as_of)
    theirs = dict(
        demo_con.sql(
            "select dimension, hhi from concentration_month where as_of = $d", params={"d": as_of}
        ).fetchall()
    )
    latest = {
        r["dimension"]: r["hhi"] for r in ours.filter(ours["as_of"] == as_of).iter_rows(named=True)
    }
    assert latest == pytest.approx(theirs)


def test_page_renders_and_filter_changes_names(demo_db, demo_con):
    at = AppTest.from_file(page_path("concentration"), default_timeout=60).run()
    assert not at.exception
    at.session_state["f_region"] = ["East"]
    at.run()
    assert not at.exception
    as_of = demo_con.sql("select max(as_of) from month_grid").fetchall()[0][0]
    names = demo_con.sql(
        "select count(*) from customer_month where as_of = $d and region = 'East' and exposure > 0",
        params={"d": as_of},
    ).fetchall()[0][0]
    assert at.metric[0].value == f"{names:,}"
    at.session_state["f_region"] = ["Atlantis"]
    at.run()
    assert "No customer with exposure" in at.info[0].value
