"""Credit control & contracts page on the demo warehouse, and its chart builders on tiny frames."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.components import credit_control_charts
from tests.conftest import page_path

# Independent of the page's SQL: the last review per customer is the latest contract review or credit
# review on or before the date (docs/data_dictionary.md, customer_month.last_review), band frequency
# 1/3/12 months.
OVER_NEAR_OVERDUE = """
with reviews as (
    select customer_id, max(reviewed_on) as last_review
    from (
        select customer_id, last_reviewed_on as reviewed_on from contracts
        union all
        select customer_id, effective_on from credit_reviews
    )
    where reviewed_on <= $d
    group by customer_id
)
select
    count(*) filter (where cm.exposure > cm.credit_limit),
    count(*) filter (where cm.exposure <= cm.credit_limit and cm.exposure >= 0.8 * cm.credit_limit),
    count(*) filter (where r.last_review is null or r.last_review
        + to_months(case cm.band when 'High' then 1 when 'Medium' then 3 else 12 end) < $d)
from customer_month as cm
left join reviews as r using (customer_id)
where cm.as_of = $d and cm.exposure > 0 and cm.industry = $industry
"""


def _latest(con):
    return con.sql("select max(as_of) from month_grid").fetchall()[0][0]


def test_page_renders(demo_db):
    at = AppTest.from_file(page_path("credit_control"), default_timeout=60).run()
    assert not at.exception
    assert len(at.metric) == 5
    assert len(at.get("plotly_chart")) == 2
    assert at.dataframe[0].value.shape[0] == 3  # one row per band


def test_industry_filter_changes_the_counts(demo_db, demo_con):
    at = AppTest.from_file(page_path("credit_control"), default_timeout=60).run()
    at.session_state["f_industry"] = ["Retail"]
    at.run()
    assert not at.exception
    over, near, overdue = demo_con.sql(
        OVER_NEAR_OVERDUE, params={"d": _latest(demo_con), "industry": "Retail"}
    ).fetchall()[0]
    assert [m.value for m in at.metric[:3]] == [f"{over:,}", f"{near:,}", f"{overdue:,}"]
    # The first customer tab lists the over- and near-limit customers (at most 200 rows).
    assert at.dataframe[1].value.shape[0] == min(over + near, 200)
    assert at.tabs[0].label.endswith(f"({over + near:,})")


def test_contract_tabs_count_live_contracts(demo_db, demo_con):
    at = AppTest.from_file(page_path("credit_control"), default_timeout=60).run()
    as_of = _latest(demo_con)
    disputes = demo_con.sql(
        "select count(*) from contracts as k join customer_month as cm "
        "on cm.customer_id = k.customer_id and cm.as_of = $d "
        "where k.status = 'in_dispute' and k.signed_on <= $d",
        params={"d": as_of},
    ).fetchall()[0][0]
    assert at.metric[4].value == f"{disputes:,}"
    assert at.tabs[-1].label.endswith(f"({disputes:,})")


def test_impossible_filter_shows_the_empty_state(demo_db):
    at = AppTest.from_file(page_path("credit_control"), default_timeout=60)
    at.session_state["f_industry"] = ["Nothing"]
    at.run()
    assert not at.exception
    assert "No customer with exposure" in at.info[0].value


def test_limits_vs_exposure_grade_traces_and_limit_lines():
    customers = pl.DataFrame(
        {
            "name": ["a", "b", "c"],
            "grade": ["A", "E", "A"],
            "credit_limit": [100.0, 1000.0, 0.0],  # c has no limit: not drawn on log axes
            "exposure": [120.0, 500.0, 5.0],
            "utilisation": [1.2, 0.5, None],
        }
    )
    figure = credit_control_charts.limits_vs_exposure(customers, "Limits", "Limit", "Exposure")
    names = [t.name for t in figure.data]
    assert names == ["A", "E", "100 %", "80 %"]
    assert list(figure.data[0].x) == [100.0] and list(figure.data[0].y) == [120.0]
    assert list(figure.data[2].y) == [100.0, 1000.0]
    assert list(figure.data[3].y) == pytest.approx([80.0, 800.0])
    assert figure.layout.xaxis.type == "log" and figure.layout.yaxis.type == "log"


def test_utilisation_histogram_bars_and_threshold_lines():
    bins = pl.DataFrame({"bin": [10, 80, 120, 200], "customers": [5, 3, 2, 1]})
    figure = credit_control_charts.utilisation_histogram(bins, "Utilisation", "Customers", "Use")
    bar = figure.data[0]
    assert isinstance(bar, go.Bar)
    assert list(bar.x) == [15, 85, 125, 205]  # bin centres
    assert list(bar.y) == [5, 3, 2, 1]
    assert list(bar.marker.color) == ["#91cf60", "#fc8d59", "#d73027", "#d73027"]
    assert list(bar.customdata)[-1] == "≥ 200 %"
    assert sorted(s.x0 for s in figure.layout.shapes) == [80, 100]
