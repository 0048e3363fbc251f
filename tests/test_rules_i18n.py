"""Ingestion messages: one rule code per message, English on the command line, the reader's
language on the Data page."""

from __future__ import annotations

import string

import pytest

from dashboard.components.rule_text import notes_text, rule_text, with_rule_text
from dashboard.i18n import catalogue, set_language
from data import warehouse
from data.ingest import prepare
from queries import data_page
from schemas.rules import RULES, describe, identify
from tests import sample_files


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    set_language("en")


@pytest.fixture
def con(tmp_path):
    connection = warehouse.connect(tmp_path / "w.duckdb")
    yield connection
    connection.close()


def _sample(code: str) -> dict[str, str]:
    names = [n for _, n, _, _ in string.Formatter().parse(RULES[code]) if n]
    return {name: f"{name}-{i}" for i, name in enumerate(names)}


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_message_round_trips_to_its_code(code):
    parameters = _sample(code)
    assert identify(describe(code, **parameters)) == (code, parameters)


def test_the_english_catalogue_repeats_the_rules_word_for_word():
    english = catalogue("en")
    assert {code: english[f"rules.{code}"] for code in RULES} == RULES


def test_text_that_is_no_rule_is_left_alone():
    assert identify("something else entirely") is None
    assert rule_text("something else entirely") == "something else entirely"
    assert rule_text(None) is None


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("must be >= 0", "必须 >= 0"),
        ("must be > 0", "必须 > 0"),
        ("required: value is missing", "必填：缺少值"),
        ("not a valid date in ISO format YYYY-MM-DD", "不是有效的 ISO 日期格式 YYYY-MM-DD"),
        (
            "contract_id must exist in contracts.contract_id",
            "contract_id 必须在 contracts.contract_id 中存在",
        ),
        ("must be one of ['CNY']", "必须是以下取值之一：CNY"),  # the list as words, not Python
        ("customers.csv: the file is empty", "customers.csv：文件为空"),
        (
            "clients.csv: cannot tell which table this file is for; name it after one of "
            "customers, contracts, payments, risk_events (for example customers.csv), or give a "
            "mapping file whose [[file]] pattern matches it (--mapping FILE)",
            "clients.csv：无法判断该文件对应哪张表；请以下列表名之一命名："
            "customers, contracts, payments, risk_events（例如 customers.csv），或提供一个 "
            "[[file]] 模式与之匹配的映射文件（--mapping FILE）",
        ),
    ],
)
def test_messages_in_chinese(english, chinese):
    set_language("zh")
    assert rule_text(english) == chinese
    set_language("en")
    # the dashboard's English is the stored text, a Python list in it written as words
    assert rule_text(english) == english.replace("['CNY']", "CNY")


def test_failures_of_a_real_file_in_chinese(con):
    bad = sample_files.PAYMENTS + 'P5,K1,2024/05/01,1000,,0\nP6,K9,2024-05-01,"1,000",,0\n'
    files = {name: text.encode() for name, text in sample_files.ALL.items()}
    files["payments.csv"] = bad.encode()
    reports = [p.report for p in prepare(con, list(files.items()))]
    failures = reports[2].failures
    # The English stays what the command line and the quarantine show.
    assert "not a valid date in ISO format YYYY-MM-DD" in failures["rule"].to_list()
    set_language("zh")
    shown = with_rule_text(failures)["rule"].to_list()
    assert "不是有效的 ISO 日期格式 YYYY-MM-DD" in shown
    assert "不是纯数字（不能含千位分隔符、货币符号或文字）" in shown
    assert "contract_id 必须在 contracts.contract_id 中存在" in shown


def test_refused_files_and_notes_in_chinese(con):
    semicolons = sample_files.CUSTOMERS.replace(",", ";") + "\n"
    reports = [
        p.report
        for p in prepare(
            con,
            [("clients.csv", b"a,b\n1,2\n"), ("customers.csv", semicolons.encode("gb18030"))],
        )
    ]
    set_language("zh")
    by_name = {r.source: r for r in reports}
    assert rule_text(by_name["clients.csv"].error).startswith(
        "clients.csv：无法判断该文件对应哪张表"
    )
    assert "以“;”作为列分隔符读取" in notes_text(by_name["customers.csv"].notes)


def test_every_data_quality_check_has_a_message(demo_con):
    names = data_page.data_quality(demo_con)["check_name"].unique().to_list()
    for lang in ("en", "zh"):
        missing = [n for n in names if f"data_quality.{n.replace(' ', '_')}" not in catalogue(lang)]
        assert missing == [], lang
