"""Collections page with AppTest on the demo warehouse, and its chart builders on tiny frames.

The ratios themselves are tested on hand-made data in tests/test_collections_queries.py.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import plotly.graph_objects as go
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.components import collections_charts
from dashboard.components.formats import money, percent
from tests.conftest import ROOT, page_path

LABELS = {b: b for b in collections_charts.BUCKET_COLOURS}


def independent(demo_con, as_of: date, where: str = "true") -> dict:
    """Receivables and collection rate of one date straight from collections_month."""
    row = demo_con.sql(
        "select sum(receivables), sum(collected) / sum(opening_overdue + due_in_period) "
        f"from collections_month where as_of = $d and {where}",
        params={"d": as_of},
    ).fetchall()[0]
    return {"receivables": row[0], "collection_rate": row[1]}


@pytest.fixture(scope="module")
def dates(demo_db) -> list[date]:
    from data import warehouse

    con = warehouse.connect(demo_db, read_only=True)
    found = [r[0] for r in con.sql("select as_of from month_grid order by as_of desc").fetchall()]
    con.close()
    return found


def test_page_shows_the_latest_month_and_a_segment_filter_changes_it(demo_con, dates):
    at = AppTest.from_file(page_path("collections_page"), default_timeout=60).run()
    assert not at.exception
    whole = independent(demo_con, dates[0])
    assert at.metric[0].value == money(whole["receivables"])
    assert at.metric[1].value == percent(whole["collection_rate"])
    assert len(at.get("plotly_chart")) == 5  # aging, three ratio lines, roll rates

    at.session_state["f_segment"] = ["Small"]
    at.run()
    assert not at.exception
    small = independent(demo_con, dates[0], "segment = 'Small'")
    assert at.metric[0].value == money(small["receivables"]) != money(whole["receivables"])
    assert at.metric[1].value == percent(small["collection_rate"])


def test_an_earlier_as_of_date_shows_that_month(demo_con, dates):
    at = AppTest.from_file(page_path("collections_page"), default_timeout=60)
    at.session_state["f_as_of"] = dates[6]
    at.run()
    assert not at.exception
    assert at.metric[0].value == money(independent(demo_con, dates[6])["receivables"])


def test_counts_toggle_redraws_aging_by_count(demo_db):
    at = AppTest.from_file(page_path("collections_page"), default_timeout=60).run()
    amounts = at.get("plotly_chart")[0].proto.spec
    at.toggle(key="collections_counts").set_value(True).run()
    assert not at.exception
    counts = at.get("plotly_chart")[0].proto.spec
    assert "Open instalments" in counts and "Open instalments" not in amounts


def test_a_filter_matching_nothing_shows_the_empty_state(demo_db):
    at = AppTest.from_file(page_path("collections_page"), default_timeout=60)
    at.session_state["f_segment"] = ["nobody"]
    at.run()
    assert not at.exception
    assert at.info[0].value == "No receivables for these filters."
    assert not at.metric and not at.get("plotly_chart")


def test_messages_exist_in_both_languages():
    def keys(lang: str) -> set[str]:
        path = Path(ROOT) / "dashboard" / "messages" / lang / "collections.toml"
        return set(tomllib.loads(path.read_text(encoding="utf-8"))["collections"])

    assert keys("en") == keys("zh")


MONTHLY = pl.DataFrame(
    {
        "as_of": [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)],
        "current_receivables": [100.0, 110.0, 120.0],
        "overdue_1_30": [10.0, 11.0, 12.0],
        "overdue_31_60": [5.0, 6.0, 7.0],
        "overdue_61_90": [2.0, 3.0, 4.0],
        "overdue_90p": [1.0, 1.0, 1.0],
        "count_current": [9, 8, 7],
        "count_1_30": [3, 2, 1],
        "count_31_60": [1, 1, 1],
        "count_61_90": [0, 1, 0],
        "count_90p": [1, 1, 2],
        "collection_rate": [0.5, 0.25, None],
        "dso": [60.0, 61.5, 63.0],
        "roll_current_1_30": [None, 0.05, 0.1],
        "roll_1_30_31_60": [None, 0.5, 0.4],
    }
)


def test_aging_stacks_every_bucket_from_current_to_90_plus():
    figure = collections_charts.aging(MONTHLY, "Aging", LABELS)
    assert isinstance(figure, go.Figure)
    assert figure.layout.barmode == "stack"
    assert [trace.name for trace in figure.data] == ["current", "1_30", "31_60", "61_90", "90p"]
    assert list(figure.data[0].y) == [100.0, 110.0, 120.0]
    assert list(figure.data[4].y) == [1.0, 1.0, 1.0]
    assert figure.layout.title.text == "Aging"


def test_aging_by_count_uses_the_count_columns():
    figure = collections_charts.aging(MONTHLY, "Counts", LABELS, counts=True)
    assert list(figure.data[0].y) == [9, 8, 7]
    assert list(figure.data[3].y) == [0, 1, 0]
    assert figure.layout.yaxis.tickprefix == ""


def test_ratio_line_shows_shares_as_percent_and_keeps_gaps():
    figure = collections_charts.ratio_line(MONTHLY, "collection_rate", "Rate", percent=True)
    assert list(figure.data[0].y) == [50.0, 25.0, None]
    assert figure.layout.yaxis.ticksuffix == " %"
    days = collections_charts.ratio_line(MONTHLY, "dso", "DSO")
    assert list(days.data[0].y) == [60.0, 61.5, 63.0]


def test_roll_rates_heatmap_has_one_row_per_transition_for_the_latest_months():
    labels = {"roll_current_1_30": "current → 1–30", "roll_1_30_31_60": "1–30 → 31–60"}
    figure = collections_charts.roll_rates(MONTHLY, "Rolls", labels, months=2)
    heatmap = figure.data[0]
    assert isinstance(heatmap, go.Heatmap)
    assert list(heatmap.x) == ["Feb 2026", "Mar 2026"]
    assert list(heatmap.y) == ["current → 1–30", "1–30 → 31–60"]
    assert [list(row) for row in heatmap.z] == [[5.0, 10.0], [50.0, 40.0]]
    assert [list(row) for row in heatmap.text] == [["5 %", "10 %"], ["50 %", "40 %"]]
    assert figure.layout.yaxis.autorange == "reversed"  # first transition on top


def test_roll_rates_hover_carries_the_amount_each_rate_is_a_share_of():
    monthly = MONTHLY.with_columns(rolled_from_current=pl.Series([0.0, 200.0, 300.0]))
    figure = collections_charts.roll_rates(
        monthly,
        "Rolls",
        {"roll_current_1_30": "current → 1–30"},
        months=2,
        bases={"roll_current_1_30": "rolled_from_current"},
        base_label="Base",
    )
    assert [list(row) for row in figure.data[0].customdata] == [[200.0, 300.0]]
    # the amounts in the product's money format, cell by cell (chart_locale)
    assert "Base: %{hovertext}" in figure.data[0].hovertemplate
    assert [list(row) for row in figure.data[0].hovertext] == [["¥200", "¥300"]]
