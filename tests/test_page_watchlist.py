"""Watchlist page on the demo warehouse (counts checked against independent SQL), its chart and the
selection-to-customer mapping."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.components import watchlist_charts
from dashboard.components.selection import selected_id
from tests.conftest import page_path
from tests.work_page_helpers import button, field, frame_with, message, work_store

__all__ = ["work_store"]  # the fixture


def latest(con) -> date:
    return con.sql("select max(as_of) from month_grid").fetchall()[0][0]


def count(con, where: str = "true", **params) -> int:
    sql = f"select count(*) from customer_month where as_of = $d and on_watchlist and {where}"
    return con.sql(sql, params={"d": latest(con), **params}).fetchall()[0][0]


def members_table(at: AppTest) -> pl.DataFrame | None:
    tables = [d.value for d in at.dataframe if "months_on_list" in d.value.columns]
    return pl.from_pandas(tables[0]) if tables else None


def exports(at: AppTest) -> list:
    """The page's own export buttons (each chart has a data download of its own)."""
    return [b for b in at.get("download_button") if not (b.key or "").startswith("chart_csv_")]


@pytest.fixture
def page(demo_db) -> AppTest:
    return AppTest.from_file(page_path("watchlist"), default_timeout=60)


def test_page_renders_alerts_first_table_exports_and_trend(page, demo_con):
    at = page.run()
    assert not at.exception
    new = demo_con.sql(
        "select count(*) from customer_month as c where c.as_of = $d and c.on_watchlist and not "
        "exists (select 1 from customer_month as p where p.customer_id = c.customer_id and "
        "p.on_watchlist and p.as_of = (select max(as_of) from month_grid where as_of < $d))",
        params={"d": latest(demo_con)},
    ).fetchall()[0][0]
    assert new > 0
    assert at.expander[0].label.startswith(f"New alerts: {new} customer")
    matching = count(demo_con)
    table = members_table(at)
    assert table.height == min(500, matching)
    assert f"of {matching:,} customers shown" in at.caption[1].value
    closed_owing = demo_con.sql(
        "select count(*) from customer_month as m join customers as c using (customer_id) "
        "where m.as_of = $d and m.on_watchlist and m.exposure > 0 and c.status = 'closed'",
        params={"d": latest(demo_con)},
    ).fetchall()[0][0]
    # the Account column (closed, still owing) is there only when some member is such a customer
    account = ["account"] if closed_owing else []
    assert table.columns[:4] == ["customer_id", "name", *account, "grade", "score"][:4]
    if closed_owing and table.height == matching:
        assert (table["account"] != "").sum() == closed_owing
    assert len(exports(at)) == 2
    assert len(at.get("plotly_chart")) == 1
    # the trend's own data download, under the chart
    assert [b.key for b in at.get("download_button")] == [
        *[b.key for b in exports(at)],
        "chart_csv_watchlist_flows",
    ]


def test_global_segment_filter_narrows_the_list(page, demo_con):
    segment = demo_con.sql("select min(segment) from customers").fetchall()[0][0]
    page.session_state["f_segment"] = [segment]
    at = page.run()
    assert not at.exception
    expected = count(demo_con, "segment = $s", s=segment)
    assert members_table(at).height == min(500, expected)
    assert f"of {expected:,} customers shown" in at.caption[1].value
    assert "sidebar" in at.caption[-1].value  # the trend says it follows the sidebar filters


def test_page_filters_and_sort(page, demo_con):
    at = page.run()
    at.multiselect(key="wl_grades").select("E").run()
    assert not at.exception
    table = members_table(at)
    expected = count(demo_con, "grade = 'E'")
    assert (table.height if table is not None else 0) == expected
    at.radio(key="wl_sort").set_value("score").run()
    top = demo_con.sql(
        "select customer_id from customer_month where as_of = $d and on_watchlist and grade = 'E' "
        "order by score desc, customer_id limit 1",
        params={"d": latest(demo_con)},
    ).fetchall()[0][0]
    assert members_table(at)["customer_id"][0] == top


def test_no_match_shows_the_empty_state(page):
    at = page.run()
    at.text_input(key="wl_search").input("no customer is called this").run()
    assert not at.exception
    assert "No customer on the watchlist matches" in at.info[0].value
    assert not exports(at)


def test_impossible_global_filter_shows_empty_states(page):
    page.session_state["f_segment"] = ["no such segment"]
    at = page.run()
    assert not at.exception
    assert "No customer joined the watchlist" in at.success[0].value
    assert "No customer on the watchlist matches" in at.info[0].value


def test_flows_chart_draws_members_and_signed_flows_per_trigger():
    trend = pl.DataFrame(
        {
            "as_of": [date(2026, 1, 31)] * 3 + [date(2026, 2, 28)] * 3,
            "trigger": ["any", "overdue", "legal"] * 2,
            "members": [3, 2, 1, 4, 3, 1],
            "inflow": [0, 0, 0, 2, 1, 1],
            "outflow": [0, 0, 0, 1, 0, 1],
        }
    )
    figure = watchlist_charts.flows(trend, "Flows", {"overdue": "Overdue", "legal": "Legal"}, "On")
    assert isinstance(figure, go.Figure)
    line, *bars = figure.data
    assert line.type == "scatter" and list(line.y) == [3, 4] and line.name == "On"
    # per trigger present: an inflow bar (up) and an outflow bar (down), same colour
    assert [(b.name, list(b.y)) for b in bars] == [
        ("Overdue", [0, 1]),
        ("Overdue", [0, 0]),
        ("Legal", [0, 1]),
        ("Legal", [0, -1]),
    ]
    assert (
        bars[0].marker.color == bars[1].marker.color == watchlist_charts.TRIGGER_COLOURS["overdue"]
    )
    assert figure.layout.barmode == "relative"
    assert figure.layout.title.text == "Flows"
    # an outflow reads '-1' on hover, the product's minus (the bar is drawn at -1)
    assert list(bars[3].customdata) == [0, 1] and "-%{customdata:,}" in bars[3].hovertemplate


def test_selection_maps_a_position_in_the_frame_as_sent_to_its_id():
    # The user may have sorted the view; Streamlit still reports positions in the frame it was sent.
    frame = pl.DataFrame({"customer_id": ["C3", "C1", "C2"], "exposure": [5.0, 9.0, 1.0]})
    assert selected_id({"selection": {"rows": [2], "columns": []}}, frame) == "C2"
    assert selected_id({"selection": {"rows": [0]}}, frame) == "C3"

    class Event:  # the attribute form Streamlit's event object also offers
        class selection:  # noqa: N801
            rows = [1]

    assert selected_id(Event(), frame) == "C1"
    assert selected_id({"selection": {"rows": []}}, frame) is None
    assert selected_id({"selection": {"rows": [7]}}, frame) is None  # stale event, smaller frame
    assert selected_id(None, frame) is None


# --- alert reviews (issue 16) ---------------------------------------------------------------


def _reviews_page(working_as: str = "li") -> AppTest:
    at = AppTest.from_file(page_path("watchlist"), default_timeout=60)
    at.session_state["work_as"] = working_as
    return at.run()


def _state_of(at: AppTest, customer_id: str) -> str:
    shown = frame_with(at, "assignee")
    return shown.filter(pl.col("customer_id") == customer_id)["state"][0]


def test_an_alert_taken_and_closed_shows_its_state(demo_db, work_store):
    at = _reviews_page()
    assert at.subheader[0].value == message("work.watchlist_reviews")
    customer_id, alert_on = field(at.selectbox, "wl_alert").value.split("|")
    assert _state_of(at, customer_id) == "New"
    button(at, message("work.take")).click().run()
    assert not at.exception
    assert _state_of(at, customer_id) == "In review"
    field(at.text_area, "_close_note").input("paid after a call")
    button(at, message("work.close")).click().run()
    assert _state_of(at, customer_id) == "Closed · No action"
    assert at.success[0].value == message("work.closed", outcome="No action")
    assert field(at.text_area, "_close_note").value == ""  # a saved note leaves the field


def test_a_conflicting_close_shows_the_new_state_and_keeps_the_note(demo_db, demo_con, work_store):
    from data import worklog_reviews
    from data.worklog_access import open_user

    at = _reviews_page("li")
    customer_id, alert_on = field(at.selectbox, "wl_alert").value.split("|")
    button(at, message("work.take")).click().run()
    # meanwhile someone else takes the review over (version 2)
    worklog_reviews.take(
        demo_con, open_user("boss"), customer_id, date.fromisoformat(alert_on), 1, store=work_store
    )
    field(at.text_area, "_close_note").input("my long careful note")
    button(at, message("work.close")).click().run()
    assert not at.exception
    assert at.error[0].value.startswith(
        "Someone changed this meanwhile: it is now In review (by boss"
    )
    assert field(at.text_area, "_close_note").value == "my long careful note"
    review = worklog_reviews.review(customer_id, date.fromisoformat(alert_on), work_store)
    assert (review.state, review.author) == ("in_review", "boss")
    # the second try is based on what the page now shows, and goes through
    button(at, message("work.close")).click().run()
    assert _state_of(at, customer_id) == "Closed · No action"
