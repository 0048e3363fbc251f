"""Overview: queries against independent SQL, the summary text, chart builders and the page itself."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.components import portfolio_charts
from dashboard.components.summary import SummaryInputs, summary_text
from queries import portfolio
from queries.filters import Filters
from tests.conftest import page_path
from tests.work_page_helpers import work_store

__all__ = ["work_store"]  # the fixture


def latest(con) -> date:
    return con.sql("select max(as_of) from month_grid").fetchall()[0][0]


def test_kpis_match_independent_sql(demo_con):
    as_of = latest(demo_con)
    kpis = portfolio.kpis(demo_con, Filters(as_of=as_of, segments=("Large",)))
    current = kpis.filter(pl.col("period") == "current").row(0, named=True)
    exposure, el, watch = demo_con.sql(
        "select sum(exposure), sum(expected_loss), count(*) filter (where on_watchlist) "
        "from customer_month where as_of = $d and segment = 'Large'",
        params={"d": as_of},
    ).fetchall()[0]
    assert current["exposure"] == pytest.approx(exposure)
    assert current["expected_loss"] == pytest.approx(el)
    assert current["watchlist"] == watch
    assert kpis.filter(pl.col("period") == "previous")["as_of"][0] < as_of


def test_grades_cover_all_five_and_sum_to_portfolio(demo_con):
    as_of = latest(demo_con)
    grades = portfolio.grades(demo_con, Filters(as_of=as_of))
    assert grades["grade"].to_list() == ["A", "B", "C", "D", "E"]
    total = demo_con.sql(
        "select sum(exposure) from customer_month where as_of = $d", params={"d": as_of}
    ).fetchall()[0][0]
    assert grades["exposure"].sum() == pytest.approx(total)


def test_concentration_on_hand_computed_shares(tmp_path):
    import duckdb

    con = duckdb.connect(str(tmp_path / "c.duckdb"))
    con.execute(
        "create table customer_month as select * from (values "
        "('a', date '2026-01-31', 60.0, 'S', 'R', 'I'), ('b', date '2026-01-31', 30.0, 'S', 'R', 'I'), "
        "('c', date '2026-01-31', 10.0, 'S', 'R', 'I'), ('d', date '2026-01-31', 0.0, 'S', 'R', 'I')) "
        "t(customer_id, as_of, exposure, segment, region, industry)"
    )
    row = portfolio.concentration(con, Filters(as_of=date(2026, 1, 31))).row(0, named=True)
    # Shares 0.6, 0.3, 0.1 (d has no exposure): HHI = 60² + 30² + 10² = 3600 + 900 + 100 = 4600.
    assert row["names"] == 3
    assert row["hhi"] == pytest.approx(4600)
    assert row["effective_names"] == pytest.approx(10000 / 4600)
    assert row["top10_share"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("el", "previous_el", "expected"),
    [
        (
            108.0,
            100.0,
            "Expected loss rose 8 % to ¥108. The 2 largest moves: Retail Co +¥6 (75 %), "
            "East Ltd +¥3 (38 %), together 112 % of the change.",
        ),
        (90.0, 100.0, "Expected loss fell 10 % to ¥90."),
        (100.2, 100.0, "Expected loss is steady at ¥100."),
        (50.0, None, "Expected loss stands at ¥50."),
    ],
)
def test_summary_wording(el, previous_el, expected):
    text = summary_text(
        SummaryInputs(
            exposure=1000.0,
            previous_exposure=None,
            expected_loss=el,
            previous_expected_loss=previous_el,
            # EL +8: Retail Co +6 and East Ltd +3 explain 9 of it (another customer fell by 1)
            drivers=(("Retail Co", 6.0, 0.75), ("East Ltd", 3.0, 0.375)),
            new_on_watchlist=12,
            top_trigger=("overdue", 9),
            watchlist=40,
        )
    )
    assert text.startswith(expected)
    assert text.endswith(
        "12 customers joined the watchlist (40 on it), 9 of them for overdue payments."
    )


def test_summary_without_new_entrants_and_falling_exposure():
    text = summary_text(SummaryInputs(900.0, 1000.0, 10.0, 10.0, None, 0, None, 7))
    assert "Exposure shrank 10.0 % to ¥900." in text
    assert text.endswith("No customer joined the watchlist (7 on it).")


def test_grade_chart_has_two_panels_in_grade_colours():
    grades = pl.DataFrame(
        {"grade": list("ABCDE"), "customers": [5, 4, 3, 2, 1], "exposure": [50.0, 40, 30, 20, 10]}
    )
    figure = portfolio_charts.grade_distribution(grades, "t", "Customers", "Exposure")
    assert [trace.type for trace in figure.data] == ["bar", "bar"]
    assert list(figure.data[0].y) == [5, 4, 3, 2, 1]
    assert figure.data[1].marker.color[4] == "#d73027"


def test_page_renders_and_segment_filter_changes_exposure(demo_db, demo_con):
    at = AppTest.from_file(page_path("overview"), default_timeout=60).run()
    assert not at.exception
    everything = at.metric[0].value
    segment = demo_con.sql(
        "select segment from customers group by 1 order by count(*) limit 1"
    ).fetchall()[0][0]
    at.session_state["f_segment"] = [segment]
    at.run()
    assert not at.exception
    as_of = latest(demo_con)
    expected = demo_con.sql(
        "select sum(exposure) from customer_month where as_of = $d and segment = $s",
        params={"d": as_of, "s": segment},
    ).fetchall()[0][0]
    from dashboard.components.formats import money

    assert at.metric[0].value == money(expected) != everything
    assert len(at.get("plotly_chart")) == 3


def test_page_shows_empty_state_for_impossible_filter(demo_db):
    at = AppTest.from_file(page_path("overview"), default_timeout=60)
    at.session_state["f_segment"] = ["no such segment"]
    at.run()
    assert not at.exception
    assert "No customer matches" in at.info[0].value


def test_the_action_row_counts_the_work(demo_db, demo_con, work_store):
    from data.worklog_access import open_user
    from data.worklog_decisions import request
    from queries import worklist

    customer_id = demo_con.sql("select min(customer_id) from customers").fetchall()[0][0]
    request(demo_con, open_user("li"), customer_id, reason="r", new_limit=1.0, store=work_store)
    at = AppTest.from_file(page_path("overview"), default_timeout=60).run()
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    as_of = latest(demo_con)
    on_list = demo_con.sql(
        "select count(*) from watchlist_spells where entered_on <= $d "
        "and (left_on is null or left_on > $d)",
        params={"d": as_of},
    ).fetchall()[0][0]
    counts = worklist.action_counts(
        demo_con, open_user(), Filters(as_of=as_of), store=work_store
    ).row(0, named=True)
    assert shown["Open alerts"] == f"{on_list:,}" == f"{counts['open_alerts']:,}"
    assert shown["Decisions pending"] == "1"
    assert shown["Promises broken this month"] == "0"
    assert "Reviews overdue" in shown
