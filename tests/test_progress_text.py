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
    assert progress_text("build customer_month") == "Building the derived table customer_month…"
    # st.progress renders Markdown: a file name is escaped, shown as it is
    assert progress_text("validating payments.csv") == "Validating payments\\.csv…"
    assert progress_text("validating ![](http://evil.example/x.png)") == (
        "Validating " + markdown_text("![](http://evil.example/x.png)") + "…"
    )


def test_known_labels_in_chinese(chinese):
    assert progress_text("build done") == "构建完成。"
    assert progress_text("writing 客户.xlsx") == "正在将 客户\\.xlsx 写入数据仓库…"
    assert progress_text("something new") == "something new"  # unknown: as it came


def test_every_label_a_demo_build_reports_has_a_message(tmp_path, chinese):
    from data.demo import build_demo

    labels: list[str] = []
    build_demo(tmp_path / "w.duckdb", customers=60, progress=lambda label, *_: labels.append(label))
    assert labels
    untranslated = [label for label in labels if progress_text(label) == label]
    assert not untranslated
