"""Risk grades: migration rates on hand-made counts, filtered migration against the materialised table, page."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from queries import grades
from queries.filters import Filters
from tests.conftest import page_path


def test_migration_rates_are_row_shares_with_empty_rows_null():
    counts = pl.DataFrame(
        {"from_grade": ["A", "A", "B"], "to_grade": ["A", "B", "E"], "customers": [3, 1, 2]}
    )
    rates = grades.migration_rates(counts)
    assert rates["from_grade"].to_list() == ["A", "B", "C", "D", "E"]
    a = rates.row(0, named=True)
    # A: 3 stayed, 1 moved to B → 3/4 and 1/4.
    assert (a["A"], a["B"], a["C"]) == (0.75, 0.25, 0.0)
    assert rates.row(1, named=True)["E"] == 1.0
    assert rates.row(2, named=True)["A"] is None  # nobody started in C


def test_unknown_dimension_is_refused(demo_con):
    with pytest.raises(ValueError, match="dimension must be one of"):
        grades.by_dimension(demo_con, Filters(as_of=date(2026, 10, 31)), dimension="name")


def test_unfiltered_migration_equals_materialised_rating_migration(demo_con):
    row = demo_con.sql(
        "select from_as_of, to_as_of from rating_migration where horizon_months = 3 order by from_as_of desc limit 1"
    ).fetchall()[0]
    ours = grades.migration(demo_con, from_date=row[0], to_date=row[1])
    theirs = demo_con.sql(
        "select from_grade, to_grade, customers from rating_migration "
        "where horizon_months = 3 and from_as_of = $f and customers > 0 order by 1, 2",
        params={"f": row[0]},
    ).pl()
    assert ours.select("from_grade", "to_grade", "customers").equals(
        theirs.cast({"customers": pl.Int64})
    )


def test_grade_split_sums_to_portfolio(demo_con):
    as_of = demo_con.sql("select max(as_of) from month_grid").fetchall()[0][0]
    split = grades.by_dimension(demo_con, Filters(as_of=as_of), dimension="region")
    total = demo_con.sql(
        "select sum(exposure) from customer_month where as_of = $d", params={"d": as_of}
    ).fetchall()[0][0]
    assert split["exposure"].sum() == pytest.approx(total)


def test_page_renders_switches_dimension_and_shows_empty_state(demo_db):
    at = AppTest.from_file(page_path("grades"), default_timeout=60).run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 5
    at.session_state["gr_dim"] = "region"
    at.run()
    assert not at.exception
    at.session_state["f_region"] = ["nowhere"]
    at.run()
    assert "No customer matches" in at.info[0].value
