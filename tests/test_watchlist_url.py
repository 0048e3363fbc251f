"""The Watchlist page's own filters in the URL: parsing and writing (pure), and the round trip on the
page (a link opens the filtered list; a filter changed on the page is written back to the URL)."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.components.watchlist_url import from_query, to_query
from tests.conftest import page_path

GRADES = ("A", "B", "C", "D", "E")
TRIGGERS = ("overdue", "downgrade", "legal")
OWNERS = ("Li Na", "Wang, Lei", "Anna Berg")
SORTS = ("exposure", "score", "months_on_list", "overdue")


def parse(params: dict[str, list[str]]) -> dict[str, object]:
    return from_query(params, GRADES, TRIGGERS, OWNERS, SORTS)


def test_every_filter_is_read_from_its_parameter():
    state = parse(
        {
            "wl_grade": ["D,E"],
            "wl_trigger": ["legal"],
            "wl_owner": ["Li Na", "Anna Berg"],
            "wl_min": ["100000"],
            "wl_max": ["2500000"],
            "wl_q": ["Granite"],
            "wl_sort": ["score"],
        }
    )
    assert state == {
        "wl_grades": ["D", "E"],
        "wl_triggers": ["legal"],
        "wl_owners": ["Li Na", "Anna Berg"],
        "wl_min": 100_000.0,
        "wl_max": 2_500_000.0,
        "wl_search": "Granite",
        "wl_sort": "score",
    }


def test_values_the_page_does_not_offer_are_dropped_not_errors():
    state = parse(
        {
            "wl_grade": ["E,Z,,e"],  # Z is no grade, e is not E, empty parts ignored
            "wl_trigger": ["fraud"],
            "wl_owner": ["Nobody"],
            "wl_min": ["-5"],
            "wl_max": ["lots"],
            "wl_q": ["   "],
            "wl_sort": ["name"],
        }
    )
    assert state == {"wl_grades": ["E"]}
    assert parse({}) == {}
    assert parse({"wl_min": ["nan"], "wl_max": ["inf"]}) == {}


def test_an_owner_name_with_a_comma_survives():
    # owners are repeated parameters, so a name holding a comma is matched whole
    assert parse({"wl_owner": ["Wang, Lei"]}) == {"wl_owners": ["Wang, Lei"]}


def test_defaults_write_no_parameter_and_a_view_writes_what_reads_back():
    assert to_query({"wl_sort": "exposure", "wl_min": 0.0, "wl_search": ""}, "exposure") == {}
    state = {
        "wl_grades": ["E"],
        "wl_triggers": ["overdue", "legal"],
        "wl_owners": ["Wang, Lei"],
        "wl_min": 250_000.0,
        "wl_max": 0.0,  # 0 = no upper limit
        "wl_search": "Orient",
        "wl_sort": "months_on_list",
    }
    query = to_query(state, "exposure")
    assert query == {
        "wl_grade": ["E"],
        "wl_trigger": ["overdue,legal"],
        "wl_owner": ["Wang, Lei"],
        "wl_min": ["250000"],
        "wl_q": ["Orient"],
        "wl_sort": ["months_on_list"],
    }
    expected = {k: v for k, v in state.items() if k != "wl_max"}
    assert parse(query) == expected


# --- on the page ------------------------------------------------------------------------------


@pytest.fixture
def page(demo_db) -> AppTest:
    return AppTest.from_file(page_path("watchlist"), default_timeout=60)


def latest(con) -> date:
    return con.sql("select max(as_of) from month_grid").fetchall()[0][0]


def members(at: AppTest):
    tables = [d.value for d in at.dataframe if "months_on_list" in d.value.columns]
    return tables[0] if tables else None


def test_a_link_opens_the_list_filtered_and_sorted(page, demo_con):
    region = demo_con.sql("select min(region) from customers").fetchall()[0][0]
    expected = demo_con.sql(
        "select m.customer_id from customer_month as m join customers as c using (customer_id) "
        "where m.as_of = $d and m.on_watchlist and m.grade in ('D', 'E') and c.region = $r "
        "order by m.score desc, m.customer_id",
        params={"d": latest(demo_con), "r": region},
    ).fetchall()
    assert expected  # the demo has D/E members in that region: the check below can fail
    page.query_params["wl_grade"] = "D,E"
    page.query_params["wl_sort"] = "score"
    page.session_state["f_region"] = [region]  # the global filter, as the sidebar seeds it
    at = page.run()
    assert not at.exception
    assert at.multiselect(key="wl_grades").value == ["D", "E"]
    assert at.radio(key="wl_sort").value == "score"
    assert list(members(at)["customer_id"]) == [row[0] for row in expected]


def url(at: AppTest, name: str) -> list[str]:
    """A parameter's values as AppTest keeps them (one value as a string, several as a list)."""
    value = at.query_params.get(name, [])
    return [value] if isinstance(value, str) else list(value)


def test_a_filter_changed_on_the_page_goes_into_the_url(page):
    at = page.run()
    assert "wl_grade" not in at.query_params  # nothing chosen, nothing written
    at.multiselect(key="wl_grades").select("E").run()
    at.text_input(key="wl_search").input("Granite").run()
    owners = at.multiselect(key="wl_owners").options[:2]
    at.multiselect(key="wl_owners").set_value(owners).run()
    at.radio(key="wl_sort").set_value("overdue").run()
    assert not at.exception
    assert url(at, "wl_grade") == ["E"]
    assert url(at, "wl_q") == ["Granite"]
    assert url(at, "wl_owner") == owners and len(owners) == 2
    assert url(at, "wl_sort") == ["overdue"]
    at.multiselect(key="wl_grades").unselect("E").run()
    at.radio(key="wl_sort").set_value("exposure").run()  # back to the default: no parameter
    assert "wl_grade" not in at.query_params and "wl_sort" not in at.query_params
    assert url(at, "wl_q") == ["Granite"]


def test_the_url_written_opens_the_same_view_in_a_new_session(demo_db):
    first = AppTest.from_file(page_path("watchlist"), default_timeout=60).run()
    first.multiselect(key="wl_grades").select("D").select("E").run()
    first.number_input(key="wl_min").set_value(200_000.0).run()
    first.radio(key="wl_sort").set_value("score").run()
    shown = list(members(first)["customer_id"])
    assert shown  # a view with rows, so the comparison below can fail
    second = AppTest.from_file(page_path("watchlist"), default_timeout=60)
    for name in first.query_params:
        second.query_params[name] = first.query_params[name]
    second.run()
    assert not second.exception
    assert second.multiselect(key="wl_grades").value == ["D", "E"]
    assert second.number_input(key="wl_min").value == 200_000.0
    assert list(members(second)["customer_id"]) == shown
