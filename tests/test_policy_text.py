"""A policy file's words (its name, limit actions, forward-looking reasons) and the stored codes of
contracts and risk events in the reader's language (issue 17); a user's own text stays as written."""

from __future__ import annotations

import polars as pl
import pytest

from dashboard.components.policy_text import limit_action, policy_text, with_policy_labels
from dashboard.components.value_text import labelled
from dashboard.i18n import catalogue, set_language
from data.policy import load_policy


@pytest.fixture
def chinese():
    set_language("zh")
    yield
    set_language("en")


def test_limit_actions_in_chinese(chinese):
    assert limit_action("maintain") == "维持"
    assert limit_action("hold") == "冻结"
    assert limit_action("cut 25 %") == "削减 25 %"
    assert limit_action("cut 12.5%") == "削减 12.5 %"  # what-if writes f"cut {share:g} %"
    assert limit_action("call the customer") == "call the customer"  # a user's own words
    assert limit_action(None) == "—"


def test_limit_actions_relabel_a_column_and_keep_its_rows(chinese):
    frame = pl.DataFrame(
        {"band": ["Low", "High", "Medium"], "limit_action": ["maintain", "cut 25 %", None]}
    )
    assert with_policy_labels(frame)["limit_action"].to_list() == ["维持", "削减 25 %", None]


def test_the_shipped_policys_texts_are_in_both_catalogues(chinese):
    policy = load_policy()
    texts = [policy.name] + [entry.reason for entry in policy.provisions.forward_looking.values()]
    for text in texts:
        assert f"values.policy_text.{text}" in catalogue("en"), text
        assert policy_text(text) != text, text  # Chinese, not the file's English
    assert policy_text("My own policy") == "My own policy"


def test_event_and_contract_codes_in_chinese(chinese):
    events = pl.DataFrame(
        {"kind": ["production_halt", "mine"], "source": ["account_manager", "news"]}
    )
    shown = labelled(events, kind="event_kind", source="event_source")
    assert shown.rows() == [("停产", "客户经理"), ("mine", "新闻")]
    assert (
        labelled(pl.DataFrame({"status": ["in_dispute"]}), status="contract_status").item()
        == "争议中"
    )


def test_rule_parameters_read_as_words_not_python(chinese):
    from dashboard.components.rule_text import rule_text
    from schemas.rules import describe

    assert (
        rule_text(describe("one_of", values="['AAA', 'AA', 'A']"))
        == "必须是以下取值之一：AAA、AA、A"
    )
    assert rule_text(describe("at_least", limit="-200000.0")) == "必须 >= -200,000"
    assert rule_text(describe("below", limit="0.5")) == "必须 < 0.5"
