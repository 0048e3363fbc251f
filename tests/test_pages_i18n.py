"""Every page renders in English and in Simplified Chinese, and the app keeps the language.

Each page file in dashboard/pages runs alone under AppTest with ?lang=en and ?lang=zh on the
session's demo warehouse (the case studies on small case warehouses of their own).
"""

from __future__ import annotations

import os
import re

import pytest
from streamlit.testing.v1 import AppTest

import data.cases
from dashboard.i18n import catalogue, set_language
from data.cases import ensure_case
from tests.conftest import ROOT

CJK = re.compile(r"[\u4e00-\u9fff]")
PAGES = sorted(p.stem for p in (ROOT / "dashboard" / "pages").glob("*.py") if p.stem != "__init__")


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    set_language("en")


def _shown_in(lang: str) -> None:
    # AppTest formats a widget's value with its format_func in the test's thread, outside the
    # script run, where the language is this thread's: keep it in step with what the page shows.
    set_language(lang)


@pytest.fixture(scope="module")
def small_cases(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cases-i18n")
    previous = os.environ.get("RISK_CASES_DIR")
    os.environ["RISK_CASES_DIR"] = str(folder)
    for scenario in data.cases.CASES:
        for lang in ("en", "zh"):
            ensure_case(scenario, customers=300, lang=lang)
    yield folder
    if previous is None:
        os.environ.pop("RISK_CASES_DIR", None)
    else:
        os.environ["RISK_CASES_DIR"] = previous


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", PAGES)
def test_page_renders_in_the_language(page, lang, demo_db, small_cases):
    at = AppTest.from_file(str(ROOT / "dashboard" / "pages" / f"{page}.py"), default_timeout=90)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, "the page shows no title"
    title = at.title[0].value
    assert title in catalogue(lang).values(), f"title {title!r} is not a {lang} message"
    if lang == "zh":
        assert CJK.search(title), title
        # The page's text is Chinese: most headings and captions carry Chinese characters.
        texts = [e.value for e in [*at.subheader, *at.caption, *at.markdown] if e.value]
        chinese = [text for text in texts if CJK.search(text)]
        assert len(chinese) >= len(texts) / 2, texts
    else:
        assert not CJK.search(title), title


def test_the_language_survives_a_page_change(demo_db):
    at = AppTest.from_file(str(ROOT / "main.py"), default_timeout=90)
    at.query_params["lang"] = "zh"
    at.run()
    _shown_in("zh")
    at.switch_page("dashboard/pages/watchlist.py")
    at.query_params.pop("lang", None)  # a page change clears the query string
    at.run()
    assert not at.exception
    assert at.title[0].value == catalogue("zh")["watchlist.title"]
    assert at.query_params["lang"] == ["zh"] or at.query_params["lang"] == "zh"


def test_choosing_a_language_in_the_sidebar_writes_the_url(demo_db):
    at = AppTest.from_file(str(ROOT / "main.py"), default_timeout=90).run()
    assert at.title[0].value == "Portfolio overview"
    at.sidebar.selectbox(key="language").set_value("zh").run()
    assert not at.exception
    assert at.title[0].value == "组合总览"
    assert at.query_params["lang"] in ("zh", ["zh"])
    _shown_in("zh")
    # and back: the URL follows the sidebar, not the other way round
    at.sidebar.selectbox(key="language").set_value("en").run()
    assert at.title[0].value == "Portfolio overview"


def test_case_warehouses_follow_the_language(small_cases):
    import duckdb

    from data.cases import case_path

    assert case_path("lender", "zh").name == "lender-zh.duckdb"
    names = {}
    for lang in ("en", "zh"):
        con = duckdb.connect(str(case_path("lender", lang)), read_only=True)
        try:
            names[lang] = con.sql("select customer_id, name from customers order by 1").fetchall()
        finally:
            con.close()
    # the same customers, named in the language
    assert [c for c, _ in names["en"]] == [c for c, _ in names["zh"]]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in name) for _, name in names["zh"])
    assert all(en != zh for (_, en), (_, zh) in zip(names["en"], names["zh"], strict=True))
