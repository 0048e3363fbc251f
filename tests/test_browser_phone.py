"""The Overview on a phone (issue 17, item 8), in a real Chromium at 390 × 844: "What changed" above
the first card, nothing wider than the screen (a wide table scrolls inside its own frame), the
charts' toolbars and legends clear of their titles, in both languages. Screenshots of the phone
and desktop views go to test-artifacts/screenshots/. Waits are for the state asserted, never for
a time."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from dashboard.i18n import catalogue
from tests.browser_helpers import ARTIFACTS, VIEWPORT, dashboard_server, exception_text, settle

SHOTS = ARTIFACTS / "screenshots"
PHONE = {"width": 390, "height": 844}
WAIT = 90_000  # ms

# Elements of the main area wider than the viewport or reaching past its right edge.
_OVERFLOW_JS = """
(width) => {
  const main = document.querySelector('[data-testid="stMain"]');
  const wide = [];
  main.querySelectorAll('[data-testid="stElementContainer"], [data-testid="stPlotlyChart"], ' +
                        '[data-testid="stDataFrame"], [data-testid="stMetric"]').forEach(el => {
    const box = el.getBoundingClientRect();
    if (box.width > 0 && (box.left < -1 || box.right > width + 1)) {
      wide.push((el.dataset.testid || '') + ' ' + Math.round(box.left) + '..' +
                Math.round(box.right) + ' ' + (el.innerText || '').slice(0, 40));
    }
  });
  return {wide, page: document.documentElement.scrollWidth,
          inner: main.scrollWidth};
}
"""

# The grid of a dataframe: its full width and the width shown (a wider one scrolls inside).
_TABLE_JS = """
() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stDataFrame"]')]
  .map(frame => {
    const scroller = frame.querySelector('.dvn-scroller');
    const style = scroller ? getComputedStyle(scroller) : null;
    return {shown: frame.getBoundingClientRect().width,
            full: scroller ? scroller.scrollWidth : 0,
            visible: scroller ? scroller.clientWidth : 0,
            scrolls: style ? ['auto', 'scroll'].includes(style.overflowX) : false};
  })
"""


@pytest.fixture(scope="module")
def server(demo_db):
    with dashboard_server(demo_db, ARTIFACTS / "streamlit-phone.log") as url:
        yield url


def _intersect(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_overview_on_a_phone(server, browser, lang):
    messages = catalogue(lang)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    tab = context.new_page()
    try:
        tab.goto(f"{server}/?lang={lang}")
        settle(tab)
        assert exception_text(tab) is None
        main = tab.locator('[data-testid="stMain"]')
        heading = main.get_by_text(messages["overview.summary"], exact=True).first
        heading.wait_for(timeout=WAIT)
        first_card = main.locator('[data-testid="stMetric"]').first
        first_card.wait_for(timeout=WAIT)
        summary_box, card_box = heading.bounding_box(), first_card.bounding_box()
        assert summary_box["y"] + summary_box["height"] <= card_box["y"], (summary_box, card_box)

        # nothing reaches past the screen's right edge, and the page does not scroll sideways
        overflow = tab.evaluate(_OVERFLOW_JS, PHONE["width"])
        assert overflow["wide"] == [], overflow
        assert overflow["page"] <= PHONE["width"] and overflow["inner"] <= PHONE["width"]
        # a table wider than the screen scrolls inside its frame instead of being cut
        tables = tab.evaluate(_TABLE_JS)
        assert tables
        for table in tables:
            assert table["shown"] <= PHONE["width"]
            assert table["full"] <= table["visible"] + 1 or table["scrolls"], table

        # each chart's toolbar, shown when the chart is touched, is clear of its title
        charts = main.locator('[data-testid="stPlotlyChart"]')
        assert charts.count() == 3
        for i in range(charts.count()):
            chart = charts.nth(i)
            chart.scroll_into_view_if_needed()
            chart.hover()
            bar = chart.locator(".modebar")
            bar.wait_for(state="visible", timeout=WAIT)
            title = chart.locator(".gtitle")
            assert not _intersect(bar.bounding_box(), title.bounding_box()), i
            legend = chart.locator(".legend")
            if legend.count():  # nor does the legend grow into the title
                assert not _intersect(legend.first.bounding_box(), title.bounding_box()), i
        # and each chart's data is offered below it
        assert main.get_by_text(messages["chart.data_csv"]).count() == 3

        SHOTS.mkdir(parents=True, exist_ok=True)
        tab.mouse.move(0, 0)
        # a tall viewport of the same width: the screenshot then holds the whole page
        tab.set_viewport_size({"width": PHONE["width"], "height": 6400})
        settle(tab)
        tab.screenshot(path=str(SHOTS / f"phone-overview-{lang}.png"))
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_overview_on_a_desktop_reads_what_changed_first(server, browser, lang):
    messages = catalogue(lang)
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    tab = context.new_page()
    try:
        tab.goto(f"{server}/?lang={lang}")
        settle(tab)
        assert exception_text(tab) is None
        main = tab.locator('[data-testid="stMain"]')
        heading = main.get_by_text(messages["overview.summary"], exact=True).first
        first_card = main.locator('[data-testid="stMetric"]').first
        assert heading.bounding_box()["y"] < first_card.bounding_box()["y"]
        SHOTS.mkdir(parents=True, exist_ok=True)
        tab.mouse.move(0, 0)
        tab.screenshot(path=str(SHOTS / f"desktop-overview-{lang}.png"))

        # the grade chart's data, downloaded as a reader would: its file, its rows
        with tab.expect_download(timeout=WAIT) as download:
            main.locator('[data-testid="stDownloadButton"]').filter(
                has_text=messages["chart.data_csv"]
            ).first.click()
        assert download.value.suggested_filename == "overview_grades.csv"
        rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"))))
        assert rows[0][:3] == [messages[f"chart.col_{c}"] for c in ("series", "x", "y")]
        customers = [r for r in rows[1:] if r[0] == messages["overview.grade_customers"]]
        assert [r[1] for r in customers][:5] == ["A", "B", "C", "D", "E"]
        assert all(float(r[2]).is_integer() and float(r[2]) >= 0 for r in customers)
        # and its picture, from the chart's toolbar
        chart = main.locator('[data-testid="stPlotlyChart"]').first
        chart.hover()
        with tab.expect_download(timeout=WAIT) as picture:
            # the camera: the first button of the toolbar's first group ("Download plot as a PNG")
            chart.locator(".modebar-group").first.locator(".modebar-btn").first.click()
        assert picture.value.suggested_filename == "overview_grades.png"
        assert Path(picture.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    finally:
        context.close()
