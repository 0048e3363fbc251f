"""Concentration queries on a hand-made customer_month: Lorenz and Gini, top-N, HHI for a filtered
portfolio (shares within it) and from concentration_month for the whole one, treemap, breaches."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from queries import concentration
from queries.filters import Filters

D0, D1 = date(2025, 12, 31), date(2026, 1, 31)
OLD = date(2023, 12, 31)  # outside the 24-month window of D1

# customer_id, as_of, name, industry, region, segment, owner, grade, exposure, credit_limit
ROWS = [
    ("a", D1, "Alpha", "Retail", "East", "S", "li", "A", 10.0, 100.0),
    ("b", D1, "Beta", "Retail", "East", "S", "li", "B", 20.0, 10.0),  # over its limit by 10
    ("c", D1, "Gamma", "Energy", "West", "L", "wu", "C", 70.0, 60.0),  # over by 10, 70 % share
    ("z", D1, "Zeta", "Energy", "West", "S", "wu", "A", 0.0, 50.0),  # no exposure: not a name
    ("a", D0, "Alpha", "Retail", "East", "S", "li", "A", 50.0, 100.0),
    ("c", D0, "Gamma", "Energy", "West", "L", "wu", "C", 50.0, 60.0),
]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    con = duckdb.connect(str(tmp_path_factory.mktemp("conc") / "c.duckdb"))
    con.execute(
        "create table customer_month (customer_id varchar, as_of date, name varchar, industry varchar, "
        "region varchar, segment varchar, owner varchar, grade varchar, exposure double, "
        "credit_limit double, utilisation double, exposure_share double)"
    )
    con.executemany(
        "insert into customer_month values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, null)", ROWS
    )
    con.execute("update customer_month set utilisation = exposure / credit_limit")
    con.execute(
        "update customer_month as cm set exposure_share = cm.exposure / t.total from "
        "(select as_of, sum(exposure) as total from customer_month group by as_of) as t "
        "where t.as_of = cm.as_of"
    )
    con.execute(
        "create table concentration_month (as_of date, dimension varchar, names bigint, "
        "top10_share double, hhi double, effective_names double)"
    )
    con.execute(
        "insert into concentration_month values "
        "('2026-01-31', 'customer', 3, 1.0, 5400, 10000 / 5400), "
        "('2026-01-31', 'industry', 2, 1.0, 5800, 10000 / 5800), "
        "('2026-01-31', 'region', 2, 1.0, 5800, 10000 / 5800), "
        "('2025-12-31', 'customer', 2, 1.0, 5000, 2), "
        "('2023-12-31', 'customer', 1, 1.0, 10000, 1)"
    )
    con.execute(
        "create table policy_in_force as select 'watchlist.single_name_share' as key, '0.5' as value"
    )
    yield con
    con.close()


def test_gini_and_lorenz_by_hand(tiny):
    curve = concentration.lorenz(tiny, Filters(as_of=D1))
    # Ascending 10, 20, 70 (total 100): G = 2(1·10 + 2·20 + 3·70) / (3 · 100) − 4/3 = 0.4.
    assert curve["gini"][0] == pytest.approx(0.4)
    assert curve["names"][0] == 3
    assert curve["names_share"].to_list() == pytest.approx([0.0, 1 / 3, 2 / 3, 1.0])
    assert curve["exposure_share"].to_list() == pytest.approx([0.0, 0.1, 0.3, 1.0])


def test_lorenz_is_sampled_for_big_portfolios(tmp_path):
    con = duckdb.connect(str(tmp_path / "big.duckdb"))
    # 1 000 names of exposure 1..1000: every 5th name is kept (ceil(1000 / 200) = 5), plus the origin.
    con.execute(
        "create table customer_month as select 'c' || i as customer_id, date '2026-01-31' as as_of, "
        "'S' as segment, 'East' as region, 'Retail' as industry, i::double as exposure "
        "from range(1, 1001) t(i)"
    )
    curve = concentration.lorenz(con, Filters(as_of=D1))
    assert curve.height == 201
    # x = 1..n: G = 2 Σ i² / (n · n(n+1)/2) − (n+1)/n = 2(2n+1)/(3n) − (n+1)/n = (n − 1) / (3n)
    assert curve["gini"][0] == pytest.approx(999 / 3000)
    assert curve["names_share"][-1] == pytest.approx(1.0)


def test_top_shares_and_cumulative(tiny):
    top = concentration.top(tiny, Filters(as_of=D1), limit=2)
    assert top["customer_id"].to_list() == ["c", "b"]
    assert top["share"].to_list() == pytest.approx([0.7, 0.2])
    assert top["cumulative_share"].to_list() == pytest.approx([0.7, 0.9])
    assert top["rank"].to_list() == [1, 2]


def _hhi(frame, as_of, dimension):
    return frame.filter((frame["as_of"] == as_of) & (frame["dimension"] == dimension)).row(
        0, named=True
    )


def test_filtered_hhi_uses_shares_within_the_filter(tiny):
    trend = concentration.hhi_trend(tiny, Filters(as_of=D1, segments=("S",)))
    assert set(trend["scope"]) == {"filtered"}
    # Segment S at D1: a 10, b 20 → shares 1/3, 2/3 → HHI = 33.3² + 66.7² = 5 555.6; 1.8 names.
    customer = _hhi(trend, D1, "customer")
    assert customer["hhi"] == pytest.approx(50_000 / 9)
    assert customer["effective_names"] == pytest.approx(1.8)
    assert customer["names"] == 2
    assert _hhi(trend, D1, "industry")["hhi"] == pytest.approx(10_000)  # Retail only
    assert _hhi(trend, D0, "customer")["hhi"] == pytest.approx(10_000)  # a alone at D0


def test_filtered_hhi_by_dimension_over_time(tiny):
    # Both regions chosen: the same customers as the portfolio, but computed from customer_month.
    trend = concentration.hhi_trend(tiny, Filters(as_of=D1, regions=("East", "West")))
    assert _hhi(trend, D1, "customer")["hhi"] == pytest.approx(10**2 + 20**2 + 70**2)
    assert _hhi(trend, D1, "industry")["hhi"] == pytest.approx(
        30**2 + 70**2
    )  # Retail 30, Energy 70
    assert _hhi(trend, D1, "region")["hhi"] == pytest.approx(30**2 + 70**2)
    assert _hhi(trend, D0, "customer")["hhi"] == pytest.approx(50**2 + 50**2)
    assert concentration.latest_and_previous(trend, D1, "customer", "hhi") == pytest.approx(
        (5400, 5000)
    )
    assert concentration.latest_and_previous(trend, D0, "customer", "hhi")[1] is None


def test_portfolio_hhi_reads_concentration_month_within_24_months(tiny):
    trend = concentration.hhi_trend(tiny, Filters(as_of=D1))
    assert set(trend["scope"]) == {"portfolio"}
    assert OLD not in trend["as_of"].to_list()
    assert trend.height == 4
    assert _hhi(trend, D1, "industry")["hhi"] == 5800


def test_treemap_keeps_the_largest_per_industry_and_one_other_tile(tiny):
    tiles = concentration.treemap(tiny, Filters(as_of=D1), per_industry=1)
    rows = sorted(tiles.select("industry", "customer_id", "exposure").rows(), key=str)
    # Energy: c alone (z has no exposure); Retail: b, and a folded into "other" (customer null).
    assert rows == sorted(
        [("Energy", "c", 70.0), ("Retail", "b", 20.0), ("Retail", None, 10.0)], key=str
    )


def test_single_name_breaches_use_the_policy_limit(tiny):
    assert concentration.policy(tiny)["single_name_share"][0] == pytest.approx(0.5)
    rows = concentration.breaches(tiny, Filters(as_of=D1), kind="single_name")
    assert rows["customer_id"].to_list() == ["c"]  # 70 % > 50 %; b holds 20 %
    assert rows["single_name_limit"][0] == pytest.approx(0.5)


def test_limit_breaches_are_limited_with_the_full_count(tiny):
    rows = concentration.breaches(tiny, Filters(as_of=D1), kind="limit", limit=1)
    # b (20 against 10) and c (70 against 60) breach; the largest is shown, both are counted.
    assert rows["customer_id"].to_list() == ["c"]
    assert rows["matching"][0] == 2
    assert rows["excess"][0] == pytest.approx(10.0)
    with pytest.raises(ValueError, match="kind must be one of"):
        concentration.breaches(tiny, Filters(as_of=D1), kind="x' or 1=1")
