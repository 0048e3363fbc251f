"""Collections: ratios from hand-made components, filters re-aggregate before ratios, the page."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from data import warehouse
from queries import collections
from tests.conftest import page_path

COLUMNS = [
    "receivables",
    "current_receivables",
    "overdue_1_30",
    "overdue_31_60",
    "overdue_61_90",
    "overdue_90p",
    "count_current",
    "count_1_30",
    "count_31_60",
    "count_61_90",
    "count_90p",
    "credit_sales",
    "credit_sales_90d",
    "collected",
    "due_in_period",
    "opening_overdue",
    "opening_receivables",
    "rolled_from_current",
    "rolled_from_1_30",
    "rolled_from_31_60",
    "rolled_from_61_90",
    "rolled_to_1_30",
    "rolled_to_31_60",
    "rolled_to_61_90",
    "rolled_to_90p",
]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    path = tmp_path_factory.mktemp("coll") / "c.duckdb"
    con = warehouse.connect(path)
    con.execute(
        "create table collections_month (as_of date, segment varchar, region varchar, industry varchar, "
        + ", ".join(f"{c} double" for c in COLUMNS)
        + ")"
    )
    # Two segments at one date; values chosen so the ratios are easy to check by hand.
    rows = {
        "Large": dict(
            receivables=600,
            current_receivables=400,
            overdue_1_30=100,
            overdue_90p=100,
            credit_sales=300,
            credit_sales_90d=900,
            collected=80,
            due_in_period=150,
            opening_overdue=50,
            opening_receivables=500,
            rolled_from_1_30=100,
            rolled_to_31_60=25,
        ),
        "Small": dict(
            receivables=400,
            current_receivables=300,
            overdue_1_30=100,
            credit_sales=100,
            credit_sales_90d=300,
            collected=20,
            due_in_period=50,
            opening_overdue=50,
            opening_receivables=400,
            rolled_from_1_30=100,
            rolled_to_31_60=75,
        ),
    }
    for segment, values in rows.items():
        record = [values.get(c, 0.0) for c in COLUMNS]
        con.execute(
            "insert into collections_month values (date '2026-01-31', $s, 'East', 'Retail', "
            + ", ".join(str(float(v)) for v in record)
            + ")",
            {"s": segment},
        )
    con.close()
    reader = duckdb.connect(str(path), read_only=True)
    yield reader
    reader.close()


def test_ratios_of_summed_components(tiny):
    row = collections.monthly(tiny, as_of=date(2026, 1, 31)).row(0, named=True)
    # Both segments: collected 100 / (opening overdue 100 + due 200) = 1/3.
    assert row["collection_rate"] == pytest.approx(100 / 300)
    # DSO = receivables 1000 / credit sales (90 days) 1200 × 90 = 75 days.
    assert row["dso"] == pytest.approx(75.0)
    # CEI = (900 + 400 − 1000) / (900 + 400 − 700) × 100 = 300 / 600 × 100 = 50.
    assert row["cei"] == pytest.approx(50.0)
    # Roll 1–30 → 31–60 = (25 + 75) / (100 + 100) = 0.5.
    assert row["roll_1_30_31_60"] == pytest.approx(0.5)
    assert row["roll_current_1_30"] is None  # nothing was current-and-rolling: no ratio, not zero


def test_filter_reaggregates_before_the_ratio(tiny):
    row = collections.monthly(tiny, as_of=date(2026, 1, 31), segments=("Small",)).row(0, named=True)
    # Small alone: 20 / (50 + 50) = 0.2; DSO 400 / 300 × 90 = 120; roll 75 / 100.
    assert row["collection_rate"] == pytest.approx(0.2)
    assert row["dso"] == pytest.approx(120.0)
    assert row["roll_1_30_31_60"] == pytest.approx(0.75)


def test_page_renders_and_segment_filter_changes_receivables(demo_db, demo_con):
    at = AppTest.from_file(page_path("collections_page"), default_timeout=60).run()
    assert not at.exception
    everything = at.metric[0].value
    at.session_state["f_segment"] = ["Small"]
    at.run()
    assert not at.exception
    as_of = demo_con.sql("select max(as_of) from month_grid").fetchall()[0][0]
    expected = demo_con.sql(
        "select sum(receivables) from collections_month where as_of = $d and segment = 'Small'",
        params={"d": as_of},
    ).fetchall()[0][0]
    from dashboard.components.formats import money

    assert at.metric[0].value == money(expected) != everything
    at.session_state["f_segment"] = ["nobody"]
    at.run()
    assert "No receivables" in at.info[0].value
