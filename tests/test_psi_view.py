"""The Model page's PSI chart: the last 24 months by default, an axis that early outliers do not
stretch, and the months left out or clipped reported for the note under the chart."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from dashboard.components import model_charts
from dashboard.components.month_axis import month_middle


def months(n: int, first: date = date(2024, 1, 31)) -> list[date]:
    return (
        pl.date_range(first, first.replace(year=first.year + 4), "1mo", eager=True)
        .dt.month_end()[:n]
        .to_list()
    )


def frame(psi: list[float]) -> pl.DataFrame:
    return pl.DataFrame({"as_of": months(len(psi)), "rows": [100] * len(psi), "psi": psi})


def test_the_last_24_months_are_shown_and_the_earlier_ones_counted():
    # 30 months: six immature ones far from the reference, then a calm book
    psi = [3.27, 2.1, 1.4, 0.9, 0.6, 0.45] + [0.05] * 23 + [0.12]
    view = model_charts.psi_view(frame(psi))
    assert view.earlier == 6
    assert view.shown.height == 24
    assert view.shown["as_of"][0] == months(30)[6]
    assert view.shown["psi"].to_list() == [0.05] * 23 + [0.12]
    # highest shown 0.12 × 1.08 is below 1.6 × 0.25 = 0.4: the axis keeps room for the act band
    assert view.top == pytest.approx(0.4)
    assert view.above.is_empty()


def test_all_months_keep_the_axis_at_four_times_the_action_threshold():
    psi = [3.27, 2.1, 1.4, 0.9, 0.6, 0.45] + [0.05] * 24
    view = model_charts.psi_view(frame(psi), months=None)
    assert view.earlier == 0 and view.shown.height == 30
    assert view.top == pytest.approx(1.0)  # min(cap 4 × 0.25, 3.27 × 1.08)
    assert view.above["psi"].to_list() == [3.27, 2.1, 1.4]
    figure = model_charts.psi_chart(view, months(30)[12], "PSI", "PSI", "w", "a", "Ref")
    line = figure.data[0]
    # clipped months sit on the top edge as triangles; the hover keeps the real value
    assert list(line.y[:4]) == pytest.approx([1.0, 1.0, 1.0, 0.9])
    assert list(line.marker.symbol[:4]) == ["triangle-up"] * 3 + ["circle"]
    assert [row[1] for row in line.customdata[:3]] == [3.27, 2.1, 1.4]
    assert tuple(figure.layout.yaxis.range) == pytest.approx((0, 1.0))


def test_a_moderate_peak_sets_the_axis_just_above_it():
    view = model_charts.psi_view(frame([0.1, 0.5, 0.2]))
    assert view.top == pytest.approx(0.54)
    assert view.above.is_empty() and view.earlier == 0


def test_a_reference_before_the_months_shown_draws_no_line():
    psi = [0.3] * 30
    view = model_charts.psi_view(frame(psi))
    early = model_charts.psi_chart(view, months(30)[0], "PSI", "PSI", "w", "a", "Ref")
    assert not [a for a in early.layout.annotations if a.text.startswith("Ref")]
    inside = model_charts.psi_chart(view, months(30)[12], "PSI", "PSI", "w", "a", "Ref")
    vertical = [s for s in inside.layout.shapes if s.type == "line" and s.x0 == s.x1]
    assert [s.x0 for s in vertical] == [month_middle(months(30)[12])]


def test_the_model_page_shows_the_last_24_months_and_says_how_many_it_left_out(demo_db, demo_con):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import page_path

    scored = demo_con.sql(
        "select count(distinct as_of) from customer_month where as_of = last_day(as_of)"
    ).fetchall()[0][0]
    assert scored > model_charts.PSI_WINDOW_MONTHS  # the demo is longer than the window
    at = AppTest.from_file(page_path("model"), default_timeout=90).run()
    assert not at.exception
    notes = [c.value for c in at.caption if c.value.startswith("Shown from")]
    assert len(notes) == 1
    assert f"{scored - model_charts.PSI_WINDOW_MONTHS} earlier month(s)" in notes[0]
    at.button_group(key="md_psi_span").set_value("all").run()
    assert not at.exception
    assert not [c.value for c in at.caption if c.value.startswith("Shown from")]
