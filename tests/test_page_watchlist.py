"""Watchlist: filters and sort, the filtered trend against the materialised one, selection, exports, page."""

from __future__ import annotations

import io
from datetime import date

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.components.export import to_csv, to_xlsx
from dashboard.components.selection import selected_id
from queries import watchlist
from tests.conftest import page_path


def latest(con) -> date:
    return con.sql("select max(as_of) from month_grid").fetchall()[0][0]


def test_members_filters_match_independent_sql(demo_con):
    as_of = latest(demo_con)
    got = watchlist.members(
        demo_con, as_of=as_of, grades=("C", "D"), triggers=("overdue",), limit=100_000
    )
    expected = demo_con.sql(
        "select count(*) from customer_month where as_of = $d and on_watchlist and grade in ('C', 'D') "
        "and list_contains(triggers, 'overdue')",
        params={"d": as_of},
    ).fetchall()[0][0]
    assert got.height == expected == got["matching"][0]
    assert set(got["grade"]) <= {"C", "D"}


@pytest.mark.parametrize(
    "sort, column",
    [
        ("exposure", "exposure"),
        ("score", "score"),
        ("overdue", "overdue_amount"),
        ("months_on_list", "months_on_list"),
    ],
)
def test_sort_orders_descending_and_limit_keeps_matching_count(demo_con, sort, column):
    rows = watchlist.members(demo_con, as_of=latest(demo_con), sort=sort, limit=20)
    assert rows.height == 20
    assert rows[column].to_list() == sorted(rows[column].to_list(), reverse=True)
    assert rows["matching"][0] > 20


def test_unknown_sort_is_refused(demo_con):
    with pytest.raises(ValueError, match="sort must be one of"):
        watchlist.members(demo_con, as_of=latest(demo_con), sort="name; drop table customers")


def test_search_is_a_bound_value_not_sql(demo_con):
    as_of = latest(demo_con)
    assert watchlist.members(demo_con, as_of=as_of, search="' or 1=1 --").is_empty()
    some = watchlist.members(demo_con, as_of=as_of, limit=1)
    found = watchlist.members(demo_con, as_of=as_of, search=some["customer_id"][0].lower())
    assert found["customer_id"].to_list() == some["customer_id"].to_list()


def test_exposure_range_is_inclusive(demo_con):
    as_of = latest(demo_con)
    one = watchlist.members(demo_con, as_of=as_of, limit=1).row(0, named=True)
    got = watchlist.members(
        demo_con, as_of=as_of, min_exposure=one["exposure"], max_exposure=one["exposure"]
    )
    assert one["customer_id"] in got["customer_id"].to_list()


def test_filtered_trend_equals_materialised_watchlist_month_when_filter_covers_everything(demo_con):
    as_of = latest(demo_con)
    segments = tuple(
        r[0] for r in demo_con.sql("select distinct segment from customers").fetchall()
    )
    portfolio = watchlist.trend(demo_con, as_of=as_of)
    filtered = watchlist.trend(demo_con, as_of=as_of, segments=segments)
    key = ["as_of", "trigger"]
    assert portfolio.sort(key).equals(filtered.sort(key))
    assert portfolio["as_of"].n_unique() == 24


def test_new_entrants_were_off_the_list_at_the_previous_date(demo_con):
    as_of = latest(demo_con)
    entrants = watchlist.new_entrants(demo_con, as_of=as_of)
    previous = demo_con.sql(
        "select customer_id from customer_month where on_watchlist and as_of = "
        "(select max(as_of) from month_grid where as_of < $d)",
        params={"d": as_of},
    ).fetchall()
    assert entrants.height > 0
    assert not set(entrants["customer_id"]) & {r[0] for r in previous}
    assert all(len(x) > 0 for x in entrants["new_triggers"])


def test_selection_maps_position_in_sent_frame_to_id():
    frame = pl.DataFrame({"customer_id": ["C3", "C1", "C2"]})
    assert selected_id({"selection": {"rows": [2]}}, frame) == "C2"
    assert selected_id({"selection": {"rows": []}}, frame) is None
    assert selected_id({"selection": {"rows": [7]}}, frame) is None
    assert selected_id(None, frame) is None


def test_exports_hold_exactly_the_rows_and_neutralise_formulas():
    rows = pl.DataFrame(
        {
            "customer_id": ["C1", "C2", "C3", "C4"],
            "name": ['=HYPERLINK("http://x","y")', "华东精密", "+cmd", "@SUM(A1)"],
            "note": ["-2+3", "\tx", "\rz", "<script>alert(1)</script>"],
            "exposure": [-5.0, 10.0, 20.0, 30.0],
            "triggers": [["overdue"], [], ["legal", "overdue"], None],
        }
    )
    back = pl.read_csv(io.BytesIO(to_csv(rows)))
    assert back.height == 4
    assert back["name"].to_list() == [
        '\'=HYPERLINK("http://x","y")',
        "华东精密",
        "'+cmd",
        "'@SUM(A1)",
    ]
    assert back["note"].to_list()[0] == "'-2+3"
    assert back["note"].to_list()[3] == "<script>alert(1)</script>"
    assert back["exposure"].to_list() == [-5.0, 10.0, 20.0, 30.0]
    assert back["triggers"].to_list()[2] == "legal, overdue"
    sheet = pl.read_excel(io.BytesIO(to_xlsx(rows)))
    assert sheet["name"][0].startswith("'=")
    assert sheet["exposure"].to_list() == [-5, 10, 20, 30]  # numbers stay numbers


def test_page_renders_filters_and_shows_empty_state(demo_db, demo_con):
    at = AppTest.from_file(page_path("watchlist"), default_timeout=60).run()
    assert not at.exception
    table = [d.value for d in at.dataframe if "months_on_list" in d.value.columns][0]
    assert len(table) == min(
        500, watchlist.members(demo_con, as_of=latest(demo_con), limit=1)["matching"][0]
    )
    at.multiselect(key="wl_grades").select("E").run()
    assert not at.exception
    expected = demo_con.sql(
        "select count(*) from customer_month where as_of = $d and on_watchlist and grade = 'E'",
        params={"d": latest(demo_con)},
    ).fetchall()[0][0]
    table = [d.value for d in at.dataframe if "months_on_list" in d.value.columns]
    assert (len(table[0]) if table else 0) == expected
    at.text_input(key="wl_search").input("no customer is called this").run()
    assert not at.exception
    assert "No customer on the watchlist matches" in at.info[0].value
