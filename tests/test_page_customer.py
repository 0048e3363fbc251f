"""Customer page: explanation sums to the score, contract balances match exposure, page by link and search."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.components import customer_charts
from queries import customer
from tests.conftest import page_path


def latest(con) -> date:
    return con.sql("select max(as_of) from month_grid").fetchall()[0][0]


@pytest.fixture
def biggest(demo_con) -> str:
    return demo_con.sql(
        "select customer_id from customer_month where as_of = $d order by exposure desc limit 1",
        params={"d": latest(demo_con)},
    ).fetchall()[0][0]


def test_explanation_contributions_sum_to_the_score(demo_con, biggest):
    as_of = latest(demo_con)
    explanation = customer.explanation(demo_con, customer_id=biggest, as_of=as_of)
    score = customer.profile(demo_con, customer_id=biggest, as_of=as_of)["score"][0]
    assert explanation.height == 6
    assert explanation["contribution"].sum() == pytest.approx(score)


def test_contract_outstanding_adds_up_to_exposure_for_live_contracts(demo_con, biggest):
    as_of = latest(demo_con)
    contracts = customer.contracts(demo_con, customer_id=biggest, as_of=as_of)
    live = contracts.filter(
        (pl.col("start_on") <= as_of)
        & ~(pl.col("status").is_in(["completed", "terminated"]) & (pl.col("end_on") < as_of))
    )
    exposure = customer.profile(demo_con, customer_id=biggest, as_of=as_of)["exposure"][0]
    assert live["outstanding"].sum() == pytest.approx(exposure)


def test_search_finds_by_id_and_name_fragment(demo_con, biggest):
    as_of = latest(demo_con)
    assert customer.search(demo_con, text=biggest.lower(), as_of=as_of)["customer_id"][0] == biggest
    name = customer.profile(demo_con, customer_id=biggest, as_of=as_of)["name"][0]
    assert biggest in customer.search(demo_con, text=name[:6], as_of=as_of)["customer_id"].to_list()


def test_waterfall_ends_at_the_score():
    frame = pl.DataFrame(
        {
            "factor": ["dpd", "rating"],
            "factor_score": [50.0, 20.0],
            "weight": [0.6, 0.4],
            "contribution": [30.0, 8.0],
        }
    )
    figure = customer_charts.score_waterfall(frame, "t", {}, "Score")
    assert figure.data[0].type == "waterfall"
    assert list(figure.data[0].measure) == ["relative", "relative", "total"]
    assert list(figure.data[0].y)[-1] == pytest.approx(38.0)


def test_page_by_link_shows_the_customer(demo_db, demo_con, biggest):
    at = AppTest.from_file(page_path("customer"), default_timeout=60)
    at.query_params["customer"] = biggest
    at.run()
    assert not at.exception
    name = demo_con.sql(
        "select name from customers where customer_id = $c", params={"c": biggest}
    ).fetchall()[0][0]
    assert at.header[0].value == name
    assert len(at.get("plotly_chart")) >= 2


def test_page_with_unknown_id_says_so(demo_db):
    at = AppTest.from_file(page_path("customer"), default_timeout=60)
    at.query_params["customer"] = "NOPE-1"
    at.run()
    assert not at.exception
    assert "There is no customer with id" in at.error[0].value


def test_page_search_opens_a_customer(demo_db, demo_con, biggest):
    at = AppTest.from_file(page_path("customer"), default_timeout=60).run()
    assert "Search for a customer" in at.info[0].value
    at.text_input(key="customer_search").input(biggest).run()
    assert not at.exception
    assert at.text[0].value.startswith(biggest)
