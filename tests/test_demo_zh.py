"""The demo warehouse in Chinese: Chinese company names and event notes, the same ids and numbers."""

from __future__ import annotations

import re

import duckdb
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from commands.cli import main
from data.generate import generate, iter_generate
from data.generate_adjustments import ADJUSTMENT_NOTES
from data.generate_config import REGIONS
from data.generate_reviews import REVIEW_NOTES
from data.generate_zh import ZH_ADJUSTMENT_NOTES, ZH_CITIES, ZH_EVENT_NOTES, ZH_REVIEW_NOTES
from tests.conftest import ROOT

CJK = re.compile(r"[\u4e00-\u9fff]")
COMPANY = re.compile(r"^[\u4e00-\u9fff]{4,}(有限公司|股份有限公司|集团有限公司)$")


@pytest.fixture(scope="module")
def both():
    return generate("manufacturer", 400, seed=11, lang="en"), generate(
        "manufacturer", 400, seed=11, lang="zh"
    )


def test_only_names_and_notes_change_with_the_language(both):
    english, chinese = both
    for table, frame in english.tables.items():
        free_text = {"customers": ["name"]}.get(table, ["note"] if "note" in frame.columns else [])
        assert frame.drop(free_text).equals(chinese.tables[table].drop(free_text)), table


def test_chinese_company_names_look_real(both):
    _, chinese = both
    customers = chinese.tables["customers"]
    names = customers["name"].to_list()
    assert all(COMPANY.match(name) for name in names), [n for n in names if not COMPANY.match(n)]
    # the city of a name lies in the customer's region
    for name, region in zip(names, customers["region"], strict=True):
        assert any(name.startswith(city) for city in ZH_CITIES[region]), (name, region)
    # mostly distinct, like a real customer list
    assert customers["name"].n_unique() >= 0.97 * customers.height
    assert set(ZH_CITIES) == set(REGIONS)


def test_adjustment_and_review_notes_are_chinese(both):
    english, chinese = both
    for table, texts in (("adjustments", ZH_ADJUSTMENT_NOTES), ("credit_reviews", ZH_REVIEW_NOTES)):
        notes = chinese.tables[table]["note"].drop_nulls().to_list()
        assert notes and all(CJK.search(note) for note in notes), table
        assert set(english.tables[table]["note"].drop_nulls()) <= set(texts), table
        assert set(notes) <= set(texts.values()), table
    assert set(ADJUSTMENT_NOTES) == set(ZH_ADJUSTMENT_NOTES)
    assert set(REVIEW_NOTES) == set(ZH_REVIEW_NOTES)


def test_identifiers_stay_language_neutral(both):
    _, chinese = both
    customers = chinese.tables["customers"]
    assert customers["customer_id"].str.contains(r"^C\d{7}$").all()
    assert not any(CJK.search(v) for v in customers["industry"].unique().to_list())
    assert not any(CJK.search(v) for v in customers["segment"].unique().to_list())


def test_event_notes_are_chinese(both):
    english, chinese = both
    notes = chinese.tables["risk_events"]["note"].drop_nulls().to_list()
    assert notes and all(CJK.search(note) for note in notes)
    originals = english.tables["risk_events"]["note"].drop_nulls().unique().to_list()
    assert set(originals) <= set(ZH_EVENT_NOTES), "an English note without its Chinese"


def test_names_are_deterministic_per_seed_and_block_size():
    first = generate("lender", 250, seed=5, lang="zh").tables["customers"]["name"]
    again = pl.concat(
        b.tables["customers"]["name"] for b in iter_generate("lender", 250, 5, block=60, lang="zh")
    )
    other = generate("lender", 250, seed=6, lang="zh").tables["customers"]["name"]
    assert first.equals(again)
    assert not first.equals(other)


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="unknown language"):
        generate("manufacturer", 10, lang="fr")


def test_cli_builds_a_chinese_demo(tmp_path, capsys):
    target = tmp_path / "zh.duckdb"
    code = main(["demo", "--lang", "zh", "--customers", "150", "--db", str(target), "--quiet"])
    assert code == 0
    assert "names in zh" in capsys.readouterr().out
    con = duckdb.connect(str(target), read_only=True)
    try:
        names = [row[0] for row in con.sql("select name from customers").fetchall()]
    finally:
        con.close()
    assert len(names) == 150 and all(COMPANY.match(name) for name in names)


def test_first_start_in_chinese_builds_a_chinese_demo(tmp_path, monkeypatch):
    target = tmp_path / "fresh" / "warehouse.duckdb"
    monkeypatch.setenv("RISK_DB", str(target))
    at = AppTest.from_file(str(ROOT / "main.py"), default_timeout=180)
    at.query_params["lang"] = "zh"
    at.run()
    assert not at.exception
    assert at.status[0].label.startswith("演示数据仓库已就绪")
    assert at.title[0].value == "组合总览"
    from dashboard.access import release_all

    release_all()
    con = duckdb.connect(str(target), read_only=True)
    try:
        sample = con.sql("select name from customers order by customer_id limit 20").fetchall()
    finally:
        con.close()
    assert all(COMPANY.match(name) for (name,) in sample)
