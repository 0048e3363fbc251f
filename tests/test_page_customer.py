"""Customer page on the demo warehouse (by link, by search, from the largest exposures, at another
as-of date, unknown and not-yet-onboarded ids) and its chart builders on tiny frames."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.components import customer_charts
from dashboard.components.formats import GRADE_COLOURS, money
from dashboard.components.plain_text import markdown_text
from tests.conftest import page_path
from tests.work_page_helpers import button, field, frame_with, message, work_store

__all__ = ["work_store"]  # the fixture


def latest(con) -> date:
    return con.sql("select max(as_of) from month_grid").fetchall()[0][0]


def one(con, sql: str, **params):
    return con.sql(sql, params=params).fetchall()[0]


@pytest.fixture
def biggest(demo_con) -> str:
    return one(
        demo_con,
        "select customer_id from customer_month where as_of = $d order by exposure desc limit 1",
        d=latest(demo_con),
    )[0]


@pytest.fixture
def page(demo_db) -> AppTest:
    return AppTest.from_file(page_path("customer"), default_timeout=60)


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_page_by_link_shows_profile_kpis_charts_and_tables(page, demo_con, biggest):
    page.query_params["customer"] = biggest
    at = page.run()
    assert not at.exception
    name, exposure, grade, score = one(
        demo_con,
        "select c.name, m.exposure, m.grade, m.score from customers c join customer_month m "
        "using (customer_id) where customer_id = $c and m.as_of = $d",
        c=biggest,
        d=latest(demo_con),
    )
    assert at.header[0].value == markdown_text(name)  # a name is shown as text, not Markdown
    assert metric(at, "Exposure") == money(exposure)
    assert metric(at, "Grade · score") == f"{grade} · {score:,.1f}"
    assert len(at.get("plotly_chart")) == 3  # waterfall, history, payments
    contracts = one(demo_con, "select count(*) from contracts where customer_id = $c", c=biggest)[0]
    assert any(len(d.value) == contracts and "contract_id" in d.value.columns for d in at.dataframe)


def test_an_earlier_as_of_date_shows_that_dates_position(page, demo_con, biggest):
    earlier = one(
        demo_con,
        "select max(as_of) from month_grid where as_of < (select max(as_of) from month_grid) "
        "- interval 6 month",
    )[0]
    exposure = one(
        demo_con,
        "select exposure from customer_month where customer_id = $c and as_of = $d",
        c=biggest,
        d=earlier,
    )[0]
    page.query_params["customer"] = biggest
    page.session_state["f_as_of"] = earlier
    at = page.run()
    assert not at.exception
    assert metric(at, "Exposure") == money(exposure)


def test_unknown_id_says_so(page):
    page.query_params["customer"] = "NOPE-1"
    at = page.run()
    assert not at.exception
    assert "There is no customer with id" in at.error[0].value


def test_a_customer_before_onboarding_gets_an_explanation(page, demo_con):
    customer_id, first = one(
        demo_con,
        "select customer_id, min(as_of) from customer_month group by customer_id "
        "having min(as_of) > (select min(as_of) from month_grid) order by 2 desc, 1 limit 1",
    )
    before = one(demo_con, "select max(as_of) from month_grid where as_of < $f", f=first)[0]
    page.query_params["customer"] = customer_id
    page.session_state["f_as_of"] = before
    at = page.run()
    assert not at.exception
    assert "no risk position" in at.info[0].value
    assert not at.metric


def test_without_a_customer_the_largest_exposures_are_offered(page, demo_con, biggest):
    at = page.run()
    assert not at.exception
    assert "Search for a customer" in at.info[0].value
    largest = at.dataframe[0].value
    assert largest["customer_id"].iloc[0] == biggest and len(largest) == 20


def test_search_opens_a_customer(page, biggest):
    at = page.run()
    at.text_input(key="customer_search").input(biggest.lower()).run()
    assert not at.exception
    assert at.text[0].value.startswith(biggest)
    at.text_input(key="customer_search").input("no customer is called this").run()
    assert not at.exception
    assert "No customer matches" in at.warning[0].value


# --- chart builders ------------------------------------------------------------------------------


def test_waterfall_stacks_contributions_up_to_the_score():
    frame = pl.DataFrame(
        {
            "factor": ["dpd", "rating"],
            "factor_score": [50.0, 20.0],
            "weight": [0.6, 0.4],
            "contribution": [30.0, 8.0],
        }
    )
    figure = customer_charts.score_waterfall(frame, "Why", ["Days past due", "rating"], "Score")
    bars = figure.data[0]
    assert bars.type == "waterfall"
    assert list(bars.x) == ["Days past due", "rating", "Score"]
    assert list(bars.measure) == ["relative", "relative", "total"]
    assert list(bars.y) == [30.0, 8.0, 38.0]
    assert figure.layout.title.text == "Why"


def test_risk_history_colours_each_month_by_its_grade():
    history = pl.DataFrame(
        {
            "as_of": [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)],
            "exposure": [100.0, 150.0, 120.0],
            "overdue_amount": [0.0, 20.0, 60.0],
            "credit_limit": [200.0, 200.0, 200.0],
            "grade": ["A", "C", "E"],
        }
    )
    figure = customer_charts.risk_history(history, "History", "Exposure", "Overdue", "Limit")
    grades, exposure, overdue, limit = figure.data
    assert list(grades.marker.color) == [GRADE_COLOURS[g] for g in ("A", "C", "E")]
    assert list(grades.text) == ["A", "C", "E"]
    assert (exposure.name, list(exposure.y)) == ("Exposure", [100.0, 150.0, 120.0])
    assert (overdue.name, list(overdue.y)) == ("Overdue", [0.0, 20.0, 60.0])
    assert (limit.name, list(limit.y), limit.line.dash) == ("Limit", [200.0] * 3, "dash")


def test_payments_timeline_colours_lateness_and_opens_outstanding_rows():
    payments = pl.DataFrame(
        {
            "payment_id": ["P1", "P2", "P3", "P4", "P5"],
            "due_on": [date(2026, 1, d) for d in (1, 2, 3, 4, 5)],
            "amount_due": [100.0] * 5,
            "outstanding": [0.0, 0.0, 0.0, 100.0, 50.0],
            "days_late": [-3, 10, 45, 120, None],
        },
        schema_overrides={"days_late": pl.Int64},
    )
    figure = customer_charts.payments_timeline(payments, "Payments", "Days late", "outstanding")
    points = figure.data[0]
    assert list(points.y) == [-3, 10, 45, 120, 0]  # not yet late: drawn at 0
    assert list(points.marker.color) == [
        GRADE_COLOURS["A"],
        GRADE_COLOURS["C"],
        GRADE_COLOURS["D"],
        GRADE_COLOURS["E"],
        GRADE_COLOURS["A"],
    ]
    assert list(points.marker.symbol) == [
        "circle",
        "circle",
        "circle",
        "circle-open",
        "circle-open",
    ]
    assert "Days late" in points.hovertemplate


# --- the customer's work and "Request a credit decision" (issue 16) ---------------------------


def test_the_customers_work_history_and_a_decision_request(page, demo_con, biggest, work_store):
    from data import worklog
    from data.worklog_access import open_user
    from data.worklog_collections import record_contact

    record_contact(
        demo_con, open_user("li"), biggest, channel="phone", outcome="no_answer",
        note="tried twice", store=work_store,
    )  # fmt: skip
    page.query_params["customer"] = biggest
    page.session_state["work_as"] = "li"
    at = page.run()
    assert not at.exception
    assert message("work.customer_title") in [s.value for s in at.subheader]
    history = frame_with(at, "what")
    assert history.select("kind", "state", "what", "note", "author").rows() == [
        ("Contact", "Recorded", "Phone · No answer", "tried twice", "li")
    ]
    field(at.radio, "_kind_" + biggest).set_value("limit")
    field(at.number_input, "_limit_" + biggest).set_value(250_000.0)
    field(at.text_area, "_reason_" + biggest).input("overdue for 60 days")
    button(at, message("work.request")).click().run()
    assert not at.exception
    (decision,) = worklog.items("decision", [biggest], work_store)
    assert at.success[0].value == message("work.requested", id=f"DEC-{decision.item_id}")
    assert (decision.state, decision.fields["new_limit"]) == ("pending", 250_000.0)
    kinds = frame_with(at, "what").select("kind", "state").rows()
    assert ("Credit decision", "Pending") in kinds
    # a second request while one is pending is refused with a message, the reason kept
    field(at.text_area, "_reason_" + biggest).input("again")
    button(at, message("work.request")).click().run()
    assert at.error[0].value.startswith("Not possible in this state: customer")
    assert field(at.text_area, "_reason_" + biggest).value == "again"
