"""Values from data are shown as text everywhere (hardening issue, items 1-4).

Unit tests of the escaping helpers (dashboard/components/plain_text.py), then every page run on
the hostile book (tests/hostile_book.py): no Markdown string holds a hostile value unescaped, no
chart label carries Plotly's HTML, and no table cell reaches the toolbar's "Download as CSV" (or
the clipboard) as a formula.
"""

from __future__ import annotations

import re
import string

import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.components.chart_style import styled
from dashboard.components.plain_text import WORD_JOINER, chart_text, markdown_text, visible
from dashboard.i18n import t
from data.export import FORMULA_PREFIXES, neutralise
from tests.conftest import page_path
from tests.hostile_book import (
    CHART_MARKERS,
    EVIL,
    NAMES,
    OWNERS,
    chart_strings,
    formula_cells,
    markdown_strings,
    raw_markers,
    table_cells,
)

HOSTILE = (*NAMES, *OWNERS, "a\\*b", "line one\n# line two", "tab\there", "\u200bzero width")


def read_markdown_escapes(text: str) -> str:
    """What a CommonMark reader shows for text that only uses backslash escapes (and the word
    joiners markdown_text adds): the escapes dropped."""
    punctuation = re.escape(string.punctuation)
    return re.sub(rf"\\([{punctuation}])", r"\1", text).replace(WORD_JOINER, "")


# --- the helpers -----------------------------------------------------------------------------------
@pytest.mark.parametrize("value", HOSTILE)
def test_markdown_text_escapes_every_punctuation_mark_and_loses_nothing(value):
    shown = markdown_text(value)
    # every ASCII punctuation mark is escaped (a backslash before it), so no syntax starts
    unescaped = re.sub(r"\\.", "", shown)
    assert not set(unescaped) & set(string.punctuation), shown
    assert raw_markers(shown) == [], shown
    assert "\n" not in shown  # one line: a line break could start a heading or a list
    # read back, it is the value itself (hidden characters written out)
    assert read_markdown_escapes(shown) == visible(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("\u202e1nimda", "\\u202e1nimda"),  # displays as what it holds, not as "admin1"
        ("a\u200bb", "a\\u200bb"),
        ("two\nlines\r\tend", "two lines  end"),
        ("Müller 客户", "Müller 客户"),
    ],
)
def test_visible_writes_hidden_characters_out(value, expected):
    assert visible(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            '<a href="http://evil.example/">x</a>',
            '&lt;a href="http://evil.example/"&gt;x&lt;/a&gt;',
        ),
        ("Smith & Sons", "Smith &amp; Sons"),
        ("&lt;b&gt;", "&amp;lt;b&amp;gt;"),  # an entity in the data shows as typed
        ("plain", "plain"),
    ],
)
def test_chart_text_escapes_plotly_html(value, expected):
    assert chart_text(value) == expected


def test_styled_escapes_every_label_once_and_keeps_the_treemap_tree():
    name, industry = '<a href="http://evil.example/">x</a>', "<b>Steel</b> & Co"
    figure = go.Figure(
        go.Treemap(
            ids=["all", industry, f"{industry}/C1"],
            labels=["all", industry, name],
            parents=["", "all", industry],
            values=[1, 1, 1],
            customdata=[[name], [industry], [name]],
        )
    )
    figure.add_trace(go.Bar(x=[name, "B"], y=[1, 2], name=industry, hovertext=[name, "b"]))
    figure.add_annotation(text=name, x=0, y=0)
    figure = styled(figure, f"Exposure of {name}")
    tree, bars = figure.data
    assert tree.labels[2] == chart_text(name) and tree.ids[1] == chart_text(industry)
    # parents still point at the escaped ids, so the tree is the same tree
    assert tree.parents[2] == tree.ids[1]
    assert tree.customdata[0][0] == chart_text(name)
    assert list(bars.x) == [chart_text(name), "B"] and bars.name == chart_text(industry)
    assert bars.hovertext[0] == chart_text(name)
    assert figure.layout.title.text == chart_text(f"Exposure of {name}")
    assert figure.layout.annotations[0].text == chart_text(name)
    # the builders' templates are theirs: not escaped
    assert "<extra>" in (tree.hovertemplate or "<extra>")


def test_neutralise_prefixes_formula_text_and_leaves_numbers():
    import polars as pl

    frame = pl.DataFrame({"name": ["=cmd|' /C calc'!A0", "@SUM(1)", "+1", "-2", "ok"]})
    frame = frame.with_columns(amount=pl.Series([-1.0, 2.0, 3.0, -4.0, 5.0]))
    shown = neutralise(frame)
    assert shown["name"].to_list() == ["'=cmd|' /C calc'!A0", "'@SUM(1)", "'+1", "'-2", "ok"]
    assert shown["amount"].to_list() == frame["amount"].to_list()


# --- every page on the hostile book ----------------------------------------------------------------
def evil_customer(con) -> tuple[str, str]:
    """The id and name of the customer with the largest exposure whose name is a Markdown link."""
    return con.sql(
        "select c.customer_id, c.name from customers c join customer_month m using (customer_id)"
        " where m.as_of = (select max(as_of) from month_grid) and c.name like '[Session%'"
        " order by m.exposure desc limit 1"
    ).fetchall()[0]


def hostile_shown(at: AppTest) -> bool:
    """Whether the run shows hostile values at all (escaped): else the checks prove nothing."""
    return (
        any(markdown_text(EVIL) in s for s in markdown_strings(at))
        or any("&lt;" in s for s in chart_strings(at))
        or any(cell.startswith("'") and "cmd|" in cell for cell in table_cells(at))
    )


def check_rendered(at: AppTest) -> None:
    assert not at.exception, at.exception
    for text in markdown_strings(at):
        assert raw_markers(text) == [], text
    for text in chart_strings(at):
        assert not any(marker in text for marker in CHART_MARKERS), text
    assert formula_cells(table_cells(at)) == []


# page -> whether it shows values from data (names, owners, industries, file names)
PAGES = {
    "overview": True,
    "grades": True,
    "concentration": True,
    "watchlist": True,
    "credit_control": True,
    "collections_page": False,  # figures only: amounts and months
    "provisions": True,  # the largest allowances: customer names
    "data_sources": True,
    "model": False,  # grades and scores only
    "whatif": False,  # names only once a scenario moves grades (the browser test runs one)
}


@pytest.mark.parametrize("name", PAGES)
def test_page_on_the_hostile_book_shows_data_only_as_text(hostile_book, name):
    at = AppTest.from_file(page_path(name), default_timeout=90).run()
    check_rendered(at)
    assert hostile_shown(at) == PAGES[name]


def test_customer_page_heading_and_facts_are_text(hostile_book):
    import duckdb

    with duckdb.connect(str(hostile_book), read_only=True) as con:
        customer_id, name = evil_customer(con)
    at = AppTest.from_file(page_path("customer"), default_timeout=90)
    at.query_params["customer"] = customer_id
    at.run()
    check_rendered(at)
    assert at.header[0].value == markdown_text(name)
    assert read_markdown_escapes(at.header[0].value) == name
    # events, contracts: the notes and approvers are there, as text that starts no formula
    assert any(cell.startswith("'=") for cell in table_cells(at))


def test_customer_page_echoes_an_unknown_id_from_the_link_as_text(hostile_book):
    crafted = (
        "x”. [Session expired: sign in again](http://evil.example/) ![](http://evil.example/i.png)"
    )
    at = AppTest.from_file(page_path("customer"), default_timeout=90)
    at.query_params["customer"] = crafted
    at.run()
    check_rendered(at)
    assert at.error[0].value == t("customer.unknown", id=markdown_text(crafted))


def test_customer_search_echoes_the_search_text_as_text(hostile_book):
    at = AppTest.from_file(page_path("customer"), default_timeout=90).run()
    at.text_input(key="customer_search").input("![](http://evil.example/q.png) zzz").run()
    check_rendered(at)
    assert at.warning[0].value == t(
        "customer.none_found", text=markdown_text("![](http://evil.example/q.png) zzz")
    )


def test_concentration_treemap_labels_are_escaped(hostile_book):
    at = AppTest.from_file(page_path("concentration"), default_timeout=90).run()
    check_rendered(at)
    labels = [s for s in chart_strings(at) if "Clickable" in s]
    assert labels and all("&lt;a href=" in s for s in labels)


def test_every_table_on_the_watchlist_is_neutralised(hostile_book):
    at = AppTest.from_file(page_path("watchlist"), default_timeout=90).run()
    check_rendered(at)
    cells = table_cells(at)
    # the hostile names are in the table, each behind the apostrophe the exports use
    assert any(c.startswith("'=cmd|") for c in cells)
    assert any(c.startswith(("'@", "'+", "'-")) for c in cells)
    assert not any(c.startswith(FORMULA_PREFIXES) for c in cells)
