"""Progress labels of the data layer shown in the reader's language, and kept in step with it."""

from __future__ import annotations

import pytest

from dashboard.components.plain_text import markdown_text
from dashboard.components.progress import progress_text
from dashboard.i18n import set_language


@pytest.fixture
def chinese():
    set_language("zh")
    yield
    set_language("en")


def test_known_labels_in_english():
    assert (
        progress_text("loading block 2 of 4 (100,000 manufacturer customers)")
        == "Generating and loading block 2 of 4 (100,000 customers)…"
    )
    # a build step by what it makes, not by its table's name
    assert progress_text("build customer_month") == "Building risk per customer and month…"
    assert progress_text("build payment_book") == (
        "Building the instalment book \\(what was owed and what was paid\\)…"
    )
    # st.progress renders Markdown: a file name is escaped, shown as it is
    assert progress_text("validating payments.csv") == "Validating payments\\.csv…"
    assert progress_text("validating ![](http://evil.example/x.png)") == (
        "Validating " + markdown_text("![](http://evil.example/x.png)") + "…"
    )


def test_known_labels_in_chinese(chinese):
    assert progress_text("build done") == "构建完成。"
    assert progress_text("build payment_book") == "正在构建分期台账（应付与已付）…"
    assert progress_text("build new_table") == "正在构建new\\_table…"  # a step without a label
    assert progress_text("writing 客户.xlsx") == "正在将 客户\\.xlsx 写入数据仓库…"
    assert progress_text("something new") == "something new"  # unknown: as it came


def test_every_label_a_demo_build_reports_has_a_message(tmp_path, chinese):
    from data.demo import build_demo

    labels: list[str] = []
    build_demo(tmp_path / "w.duckdb", customers=60, progress=lambda label, *_: labels.append(label))
    assert labels
    untranslated = [label for label in labels if progress_text(label) == label]
    assert not untranslated
    # every build step shown in words (no table name such as payment_book on screen)
    steps = [label for label in labels if label.startswith("build ") and "_" in label]
    assert steps
    assert [progress_text(label) for label in steps if "_" in progress_text(label)] == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_build_step_has_a_label_in_both_languages(lang):
    from dashboard.i18n import catalogue
    from data.build import build_steps

    steps = {step.removeprefix("build_") for step, _table in build_steps()}
    labels = {
        key.removeprefix("progress.steps.")
        for key in catalogue(lang)
        if key.startswith("progress.steps.")
    }
    assert steps <= labels
