"""Collections ratios on a tiny hand-made collections_month; every answer is worked out by hand below.

Rows (the columns not listed are 0):

| as_of      | segment | region | industry | what matters                                              |
|------------|---------|--------|----------|-----------------------------------------------------------|
| 2026-02-28 | Large   | East   | Retail   | see LARGE                                                 |
| 2026-02-28 | Small   | West   | Services | see SMALL                                                 |
| 2026-01-31 | Large   | East   | Retail   | receivables 500 (current 450), credit sales 500, nothing  |
|            |         |        |          | due or collected, no 90-day sales                         |
| 2024-03-31 | Large   | East   | Retail   | receivables 10: inside the 24 months to 2026-02-28        |
| 2024-02-29 | Large   | East   | Retail   | receivables 20: the 25th month back from 2026-02-28       |
| 2026-03-31 | Large   | East   | Retail   | receivables 30: after the as-of date                      |
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl
import pytest

from queries import collections
from queries.filters import Filters

COMPONENTS = [
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
    "written_off",
    "credited",
    "recovered",
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
LARGE = dict(
    receivables=600,
    current_receivables=400,
    overdue_1_30=100,
    overdue_90p=100,
    count_current=4,
    count_1_30=2,
    count_90p=1,
    credit_sales=300,
    credit_sales_90d=900,
    collected=80,
    due_in_period=150,
    opening_overdue=50,
    opening_receivables=500,
    rolled_from_current=200,
    rolled_to_1_30=20,
    rolled_from_1_30=100,
    rolled_to_31_60=25,
    rolled_from_31_60=40,
    rolled_to_61_90=10,
)
SMALL = dict(
    receivables=400,
    current_receivables=300,
    overdue_1_30=100,
    count_current=3,
    count_1_30=5,
    credit_sales=200,
    credit_sales_90d=300,
    collected=20,
    due_in_period=50,
    opening_overdue=50,
    opening_receivables=400,
    rolled_from_current=300,
    rolled_to_1_30=10,
    rolled_from_1_30=100,
    rolled_to_31_60=75,
    rolled_from_31_60=60,
    rolled_to_61_90=30,
)
EAST_RETAIL = ("Large", "East", "Retail")
ROWS = [
    (date(2026, 2, 28), EAST_RETAIL, LARGE),
    (date(2026, 2, 28), ("Small", "West", "Services"), SMALL),
    (
        date(2026, 1, 31),
        EAST_RETAIL,
        dict(receivables=500, current_receivables=450, overdue_1_30=50, credit_sales=500),
    ),
    (date(2024, 3, 31), EAST_RETAIL, dict(receivables=10, current_receivables=10)),
    (date(2024, 2, 29), EAST_RETAIL, dict(receivables=20, current_receivables=20)),
    (date(2026, 3, 31), EAST_RETAIL, dict(receivables=30, current_receivables=30)),
]
FEB = date(2026, 2, 28)


@pytest.fixture(scope="module")
def con():
    frame = pl.DataFrame(
        [
            {
                "as_of": as_of,
                "segment": segment,
                "region": region,
                "industry": industry,
                **{
                    c: (int if c.startswith("count_") else float)(values.get(c, 0))
                    for c in COMPONENTS
                },
            }
            for as_of, (segment, region, industry), values in ROWS
        ]
    )
    connection = duckdb.connect()
    connection.register("hand_made", frame)
    connection.sql("create table collections_month as select * from hand_made")
    connection.unregister("hand_made")
    yield connection
    connection.close()


def at(result: pl.DataFrame, as_of: date) -> dict:
    rows = result.filter(pl.col("as_of") == as_of)
    assert rows.height == 1
    return rows.row(0, named=True)


def test_ratios_are_taken_on_the_summed_components(con):
    row = at(collections.monthly(con, Filters(as_of=FEB)), FEB)
    assert row["receivables"] == 1000
    assert row["current_receivables"] == 700
    assert (row["overdue_1_30"], row["overdue_90p"]) == (200, 100)
    assert (row["count_current"], row["count_1_30"], row["count_90p"]) == (7, 7, 1)
    # collected 100 / (opening overdue 100 + due 200) = 1/3; the average of the two segments'
    # own rates (80/200 = 0.4 and 20/100 = 0.2) would wrongly give 0.3.
    assert row["collection_rate"] == pytest.approx(1 / 3)
    # DSO = receivables 1000 / 90-day credit sales 1200 × 90 = 75 days.
    assert row["dso"] == pytest.approx(75.0)
    # CEI = (opening 900 + sales 500 − closing 1000) / (900 + 500 − current 700) × 100 = 400/700.
    assert row["cei"] == pytest.approx(400 / 7)
    # Roll rates: current 30/500, 1–30 100/200, 31–60 40/100; nothing was 61–90 a month earlier.
    assert row["roll_current_1_30"] == pytest.approx(0.06)
    assert row["roll_1_30_31_60"] == pytest.approx(0.5)
    assert row["roll_31_60_61_90"] == pytest.approx(0.4)
    assert row["roll_61_90_90p"] is None
    # The amounts the roll rates are shares of, summed like everything else.
    assert [row[collections.ROLLED_FROM[r]] for r in collections.ROLLS] == [500, 200, 100, 0]


@pytest.mark.parametrize(
    ("filters", "rate", "dso", "cei", "roll_1_30"),
    [
        # Large alone: 80 / (50 + 150); 600 / 900 × 90; (500 + 300 − 600) / (500 + 300 − 400); 25 / 100.
        ({"segments": ("Large",)}, 0.4, 60.0, 50.0, 0.25),
        ({"regions": ("East",)}, 0.4, 60.0, 50.0, 0.25),
        # Small alone: 20 / (50 + 50); 400 / 300 × 90; (400 + 200 − 400) / (400 + 200 − 300); 75 / 100.
        ({"industries": ("Services",)}, 0.2, 120.0, 200 / 3, 0.75),
        ({"segments": ("Small",), "regions": ("West",)}, 0.2, 120.0, 200 / 3, 0.75),
        # Both listed is everything.
        ({"segments": ("Large", "Small")}, 1 / 3, 75.0, 400 / 7, 0.5),
    ],
)
def test_filters_choose_the_rows_summed(con, filters, rate, dso, cei, roll_1_30):
    row = at(collections.monthly(con, Filters(as_of=FEB, **filters)), FEB)
    assert row["collection_rate"] == pytest.approx(rate)
    assert row["dso"] == pytest.approx(dso)
    assert row["cei"] == pytest.approx(cei)
    assert row["roll_1_30_31_60"] == pytest.approx(roll_1_30)


def test_filters_matching_nothing_give_no_rows(con):
    assert collections.monthly(
        con, Filters(as_of=FEB, segments=("Large",), industries=("Services",))
    ).is_empty()
    assert collections.monthly(con, Filters(as_of=FEB, regions=("North",))).is_empty()


def test_zero_denominators_give_null_ratios_not_zero(con):
    row = at(collections.monthly(con, Filters(as_of=FEB)), date(2026, 1, 31))
    # Nothing was overdue at the start or fell due: no collection rate; no 90-day sales: no DSO.
    assert row["collection_rate"] is None
    assert row["dso"] is None
    # CEI = (0 + 500 − 500) / (0 + 500 − 450) × 100 = 0: a real zero, the denominator is 50.
    assert row["cei"] == pytest.approx(0.0)
    assert [row[c] for c in collections.ROLLS] == [None, None, None, None]


@pytest.mark.parametrize(
    ("as_of", "dates"),
    [
        # 24 month-ends to Feb 2026 start in Mar 2024: the leap day 2024-02-29 is the 25th.
        (FEB, [date(2024, 3, 31), date(2026, 1, 31), FEB]),
        # 24 month-ends to Jan 2026 start in Feb 2024; March 2026 is after the as-of date.
        (date(2026, 1, 31), [date(2024, 2, 29), date(2024, 3, 31), date(2026, 1, 31)]),
    ],
)
def test_window_is_the_24_months_to_the_as_of_date(con, as_of, dates):
    result = collections.monthly(con, Filters(as_of=as_of))
    assert result["as_of"].to_list() == dates


def test_result_columns_are_what_the_page_reads(con):
    result = collections.monthly(con, Filters(as_of=FEB))
    for bucket in collections.BUCKETS:
        assert f"count_{bucket}" in result.columns
    assert set(collections.ROLLS) <= set(result.columns)
    assert {"collection_rate", "dso", "cei", "receivables", "current_receivables"} <= set(
        result.columns
    )
