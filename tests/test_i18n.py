"""English and Simplified Chinese: the catalogue, the glossary, UI text, formats and languages."""

from __future__ import annotations

import re
import string
import tomllib
from datetime import date
from pathlib import Path

import pytest

from dashboard.i18n import (
    MESSAGES,
    catalogue,
    from_locale,
    glossary,
    resolve_language,
    set_language,
    t,
    term,
)
from queries.filters import Filters
from tests.conftest import ROOT
from tests.ui_text_scan import has_words, scan, scan_source

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    set_language("en")


def _keys(lang: str, file: Path) -> dict[str, str]:
    flat: dict[str, str] = {}

    def walk(prefix: str, node: dict) -> None:
        for key, value in node.items():
            if isinstance(value, dict):
                walk(f"{prefix}{key}.", value)
            else:
                flat[f"{prefix}{key}"] = value

    walk("", tomllib.loads((MESSAGES / lang / file.name).read_text(encoding="utf-8")))
    return flat


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


MESSAGE_FILES = sorted((MESSAGES / "en").glob("*.toml"))


@pytest.mark.parametrize("file", MESSAGE_FILES, ids=lambda p: p.name)
def test_every_message_exists_in_both_languages_with_the_same_placeholders(file):
    assert (MESSAGES / "zh" / file.name).exists(), f"no Chinese {file.name}"
    english, chinese = _keys("en", file), _keys("zh", file)
    assert sorted(set(english) - set(chinese)) == [], "missing in zh"
    assert sorted(set(chinese) - set(english)) == [], "only in zh"
    different = {
        key: (sorted(_placeholders(english[key])), sorted(_placeholders(chinese[key])))
        for key in english
        if _placeholders(english[key]) != _placeholders(chinese[key])
    }
    assert different == {}


def test_no_chinese_file_without_an_english_one():
    english = {p.name for p in MESSAGE_FILES}
    assert {p.name for p in (MESSAGES / "zh").glob("*.toml")} <= english


def test_chinese_messages_are_chinese():
    # A message copied untranslated from English would pass the key check.
    untranslated = [
        key
        for key, text in catalogue("zh").items()
        if has_words(text)
        and not CJK.search(text)
        and text == catalogue("en").get(key)
        # codes, abbreviations and names that read the same in both languages
        and not re.fullmatch(r"[A-Z0-9 ()/.,:%+\-–·{}_a-z]*", text.replace("HHI", ""))
    ]
    assert untranslated == []


# --- the glossary ---------------------------------------------------------------------------


def test_the_glossary_has_every_term_in_both_languages():
    for name, entry in glossary().items():
        assert entry["en"] and CJK.search(entry["zh"]), name
        re.compile(entry["match"])
    assert term("exposure") == "exposure"
    set_language("zh")
    assert term("exposure") == "风险敞口"
    assert t("glossary.watchlist") == "观察名单"


@pytest.mark.parametrize(
    ("name", "chinese"),
    [
        ("exposure", "风险敞口"),
        ("expected_loss", "预期损失"),
        ("watchlist", "观察名单"),
        ("risk_grade", "风险等级"),
        ("early_warning", "风险预警"),
        ("collection_rate", "回收率"),
        ("days_past_due", "逾期天数"),
        ("credit_limit", "信用额度"),
        ("probability_of_default", "违约概率"),
        ("loss_given_default", "违约损失率"),
    ],
)
def test_practitioners_terms(name, chinese):
    assert glossary()[name]["zh"] == chinese


def test_chinese_messages_use_the_glossary_terms():
    """Where an English message names a glossary concept, its Chinese uses the glossary word
    (or an accepted short form) and never a word the glossary rules out."""
    english, chinese = catalogue("en"), catalogue("zh")
    wrong = []
    for entry in glossary().values():
        accepted = [entry["zh"], *entry.get("zh_short", [])]
        for key, text in english.items():
            if key.startswith("glossary.") or not re.search(entry["match"], text, re.I):
                continue
            translated = chinese.get(key, "")
            if not any(word in translated for word in accepted):
                wrong.append(f"{key}: '{text}' -> '{translated}' lacks {entry['zh']}")
        for key, translated in chinese.items():
            for avoided in entry.get("zh_avoid", []):
                if avoided in translated:
                    wrong.append(f"{key}: '{translated}' says {avoided}, not {entry['zh']}")
    assert wrong == []


# --- no UI text outside the catalogue --------------------------------------------------------

UI_FILES = [
    ROOT / "main.py",
    *sorted((ROOT / "dashboard").glob("*.py")),
    *sorted((ROOT / "dashboard" / "pages").glob("*.py")),
    *sorted((ROOT / "dashboard" / "components").glob("*.py")),
]


def test_no_ui_text_outside_the_catalogue():
    offenders = scan(UI_FILES, ROOT)
    assert not offenders, "UI text outside the catalogue:\n" + "\n".join(map(str, offenders))


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ('st.title("Portfolio overview")', ["Portfolio overview"]),
        ('st.title(t("overview.title"))', []),
        ("st.markdown(f\"**{t('x')}**\")", []),
        ('col.metric("Exposure", money(v))', ["Exposure"]),
        ('st.sidebar.selectbox("Language", OPTIONS)', ["Language"]),
        ('st.radio(t("a"), ["Count", "Exposure"])', ["Count", "Exposure"]),
        ('st.radio(t("a"), ["count", "exposure"], format_func=label)', []),
        ('st.tabs(["Trend", t("b")])', ["Trend"]),
        ('st.dataframe(f, column_config={"exposure": "Exposure", "id": "#"})', ["Exposure"]),
        ('st.column_config.NumberColumn("Share", format="%.1f %%")', ["Share"]),
        ('go.Bar(x=x, y=y, name="Customers")', ["Customers"]),
        ('go.Scatter(hovertemplate="%{x|%b %Y}: ¥%{y:,.0f}<extra></extra>")', []),
        ('go.Scatter(hovertemplate="limit ¥%{x:,.0f}")', ["limit ¥%{x:,.0f}"]),
        ('fig.update_layout(title={"text": "Trend", "xanchor": "left"})', ["Trend"]),
        ('fig.update_yaxes(title_text="Exposure", tickprefix="¥")', ["Exposure"]),
        ('make_subplots(rows=1, cols=2, subplot_titles=("Count", t("e")))', ["Count"]),
        ('st.download_button(t("d"), data=b, file_name="watchlist.csv", mime="text/csv")', []),
        ('st.error("加载失败")', ["加载失败"]),
    ],
)
def test_the_scan_finds_literal_ui_text(source, found):
    assert [o.text for o in scan_source(source, "x.py")] == found


# --- formats --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "english", "chinese"),
    [
        (None, "—", "—"),
        (float("nan"), "—", "—"),
        (0, "¥0", "¥0"),
        (950, "¥950", "¥950"),
        (9_500, "¥9.5K", "¥9,500"),
        (12_345, "¥12.3K", "¥1.2万"),
        (3_500_000, "¥3.5M", "¥350万"),
        (42_000_000, "¥42.0M", "¥4,200万"),
        (99_999_600, "¥100M", "¥1.0亿"),
        (99_990_000, "¥100M", "¥9,999万"),
        (120_000_000, "¥120M", "¥1.2亿"),
        (2_500_000_000, "¥2.5B", "¥25.0亿"),
        (-3_500_000, "-¥3.5M", "-¥350万"),
    ],
)
def test_money_in_both_languages(value, english, chinese):
    from dashboard.components.formats import money

    assert money(value, lang="en") == english
    assert money(value, lang="zh") == chinese


def test_formats_follow_the_current_language():
    from dashboard.components.formats import day, money, month, number, percent, points

    set_language("zh")
    assert money(1_234_567_890) == "¥12.3亿"
    assert money(1_234_567_890, digits=2) == "¥12.35亿"
    assert percent(0.1234) == "12.3%"
    assert percent(0.00042, 2) == "0.04%"
    assert points(0.012) == "+1.2 个百分点"
    assert number(1234567) == "1,234,567"
    assert day(date(2026, 10, 5)) == "2026年10月5日"
    assert month(date(2026, 10, 31)) == "2026年10月"
    assert month(date(2026, 10, 15)) == "2026年10月15日"
    set_language("en")
    assert money(1_234_567_890) == "¥1.2B"
    assert percent(0.1234) == "12.3 %"
    assert points(-0.012) == "-1.2 pp"
    assert number(1234.5, 1) == "1,234.5"
    assert day(date(2026, 10, 5)) == "2026-10-05"
    assert month(date(2026, 10, 31)) == "Oct 2026"
    assert month(date(2026, 10, 15)) == "2026-10-15"


@pytest.fixture
def _yuan_afterwards():
    yield
    from dashboard.components.formats import set_currency

    set_currency(None)


@pytest.mark.parametrize(
    ("code", "value", "english", "chinese"),
    [
        # yuan: 万 / 亿 in Chinese
        ("CNY", 3_500_000, "¥3.5M", "¥350万"),
        ("CNY", 12_345, "¥12.3K", "¥1.2万"),
        # other currencies keep K / M / B in Chinese too
        ("USD", 3_500_000, "$3.5M", "$3.5M"),
        ("USD", 950, "$950", "$950"),
        ("USD", -12_345, "-$12.3K", "-$12.3K"),
        ("EUR", 2_500_000_000, "€2.5B", "€2.5B"),
        ("EUR", 9_500, "€9.5K", "€9.5K"),
        ("GBP", 3_500_000, "£3.5M", "£3.5M"),
        ("JPY", 3_500_000, "JP¥3.5M", "JP¥3.5M"),
        ("HKD", 3_500_000, "HK$3.5M", "HK$3.5M"),
        # a code without a symbol is written before the amount
        ("CHF", 1_234_567, "CHF 1.2M", "CHF 1.2M"),
        ("CHF", -950, "-CHF 950", "-CHF 950"),
        ("CHF", None, "—", "—"),
    ],
)
def test_money_follows_the_reporting_currency(_yuan_afterwards, code, value, english, chinese):
    from dashboard.components.formats import money, set_currency

    assert money(value, lang="en", code=code) == english
    assert money(value, lang="zh", code=code) == chinese
    set_currency(code)  # the warehouse's setting, as the app applies it
    assert money(value, lang="en") == english
    assert money(value, lang="zh") == chinese


@pytest.mark.parametrize(
    ("code", "prefix", "hover", "column"),
    [
        ("CNY", "¥", "¥%{y:,.0f}", "¥%,.0f"),
        ("USD", "$", "$%{y:,.0f}", "$%,.0f"),
        ("EUR", "€", "€%{y:,.0f}", "€%,.0f"),
        ("CHF", "CHF ", "CHF %{y:,.0f}", "CHF %,.0f"),
    ],
)
def test_chart_and_column_formats_follow_the_reporting_currency(
    _yuan_afterwards, code, prefix, hover, column
):
    from dashboard.components.formats import column_money, d3_money, money_prefix, set_currency

    set_currency(code)
    assert (money_prefix(), d3_money("y"), column_money()) == (prefix, hover, column)


def test_charts_in_dollars_mark_money_axes_and_keep_dollar_units_in_chinese(_yuan_afterwards):
    from dashboard.components import portfolio_charts
    from dashboard.components.formats import set_currency

    set_currency("USD")
    set_language("en")
    figure = portfolio_charts.exposure_trend(_trend(), "Exposure", "Exposure", "EL")
    assert "$100M" in figure.layout.yaxis.ticktext
    assert "%{hovertext}" in figure.data[0].hovertemplate
    assert list(figure.data[0].hovertext) == ["$180M", "$210M", "$260M"]
    set_language("zh")
    figure = portfolio_charts.exposure_trend(_trend(), "风险敞口与预期损失", "风险敞口", "预期损失")
    assert "$100M" in figure.layout.yaxis.ticktext
    assert not any(
        "万" in text or "亿" in text or "¥" in text for text in figure.layout.yaxis.ticktext
    )


def test_month_of_any_day():
    from dashboard.components.formats import month_of

    assert month_of(date(2025, 11, 1), lang="en") == "Nov 2025"
    assert month_of(date(2025, 11, 1), lang="zh") == "2025年11月"


# --- charts -----------------------------------------------------------------------------------


def _trend():
    import polars as pl

    return pl.DataFrame(
        {
            "as_of": [date(2026, 8, 31), date(2026, 9, 30), date(2026, 10, 31)],
            "exposure": [180_000_000.0, 210_000_000.0, 260_000_000.0],
            "expected_loss": [2_000_000.0, 2_400_000.0, 2_600_000.0],
            "watchlist": [40, 45, 52],
        }
    )


def test_charts_in_chinese_show_months_and_money_the_chinese_way():
    from dashboard.components import portfolio_charts

    set_language("zh")
    figure = portfolio_charts.exposure_trend(_trend(), "风险敞口与预期损失", "风险敞口", "预期损失")
    assert "%{x|%Y年%-m月}" in figure.data[0].hovertemplate
    assert figure.layout.xaxis.tickformatstops[1].value == "%Y年%-m月"
    assert "¥1亿" in figure.layout.yaxis.ticktext
    assert all(
        "亿" in text or "万" in text or text == "¥0" for text in figure.layout.yaxis.ticktext
    )
    assert "¥200万" in figure.layout.yaxis2.ticktext  # expected loss, right axis


def test_charts_in_english_keep_english_dates_and_get_money_ticks_in_the_product_format():
    from dashboard.components import portfolio_charts

    set_language("en")
    figure = portfolio_charts.exposure_trend(_trend(), "Exposure", "Exposure", "EL")
    assert "%{x|%b %Y}" in figure.data[0].hovertemplate
    assert figure.layout.yaxis.ticktext == ("¥0", "¥100M", "¥200M", "¥300M")
    assert not figure.layout.xaxis.tickformatstops


def test_nice_ticks():
    from dashboard.components.chart_locale import nice_ticks

    assert nice_ticks(0, 260_000_000) == [0, 100_000_000, 200_000_000, 300_000_000]
    assert nice_ticks(0, 9_000) == [0, 2_000, 4_000, 6_000, 8_000, 10_000]
    assert nice_ticks(0, 0) == [0]


# --- the language of a run ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "chosen", "locale", "expected"),
    [
        ("zh", None, None, "zh"),
        ("zh", "en", "en-US", "zh"),
        (None, "zh", "en-US", "zh"),
        (None, None, "zh-CN", "zh"),
        (None, None, "zh_TW", "zh"),
        (None, None, "en-GB", "en"),
        (None, None, "fr-FR", "en"),
        ("xx", None, "zh-Hans-CN", "zh"),
        (None, None, None, "en"),
    ],
)
def test_language_from_url_then_session_then_browser(url, chosen, locale, expected):
    assert resolve_language(url, chosen, locale) == expected


def test_from_locale():
    assert from_locale("zh-CN") == "zh"
    assert from_locale("EN-us") == "en"
    assert from_locale("de") is None
    assert from_locale("") is None


def test_dimension_values_are_shown_in_the_language():
    from dashboard.i18n import value_label

    set_language("zh")
    assert value_label("industry", "Manufacturing") == "制造业"
    assert value_label("region", "East") == "华东"
    assert value_label("segment", "Small") == "小型客户"
    assert value_label("industry", "Shipbuilding") == "Shipbuilding"  # a user's own value
    set_language("en")
    assert value_label("industry", "Manufacturing") == "Manufacturing"


def test_every_demo_dimension_value_has_a_display_name():
    from data.generate_config import INDUSTRIES, REGIONS
    from data.generate_customers import SEGMENTS

    for lang in ("en", "zh"):
        names = catalogue(lang)
        for dimension, values in (
            ("industry", INDUSTRIES),
            ("region", REGIONS),
            ("segment", SEGMENTS),
        ):
            assert all(f"values.{dimension}.{v}" in names for v in values), (lang, dimension)


def test_the_overview_summary_in_chinese():
    from dashboard.components.summary import SummaryInputs, summary_text

    set_language("zh")
    text = summary_text(
        SummaryInputs(
            exposure=900_000_000.0,
            previous_exposure=945_000_000.0,
            expected_loss=25_666_000.0,
            previous_expected_loss=21_388_000.0,
            drivers=(("华南制造", 953_000.0, 953_000.0 / 4_278_000.0),),
            new_on_watchlist=31,
            top_trigger=("overdue", 24),
            watchlist=170,
        )
    )
    assert text == (
        "预期损失上升 20% 至 ¥2,567万，变动最大的客户为华南制造（+¥95.3万），占变化的 22%。"
        "敞口减少 4.8% 至 ¥9.0亿。"
        "31 个客户新进入观察名单（共 170 个），其中 24 个因逾期付款。"
    )


def test_watchlist_export_headers_come_from_the_catalogue(demo_con):
    from dashboard.components.watchlist_export import export_frame
    from queries import watchlist

    as_of = demo_con.sql("select max(as_of) from customer_month").fetchall()[0][0]
    members = watchlist.members(demo_con, Filters(as_of=as_of), limit=5)
    set_language("zh")
    exported = export_frame(members)
    assert exported.columns[:3] == ["客户编号", "客户名称", "风险等级"]
    assert all(CJK.search(c) for c in exported.columns), exported.columns
    set_language("en")
    assert export_frame(members).columns == [c for c in members.columns if c != "matching"]
    assert export_frame(members).height == members.height
