"""Driving the worklog's widgets under AppTest: buttons by label, fields by the end of their key,
the frames shown, and a worklog file of the test's own."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.i18n import catalogue


@pytest.fixture
def work_store(tmp_path, monkeypatch) -> Path:
    """This test's own worklog file ($RISK_WORKLOG_DB), so the demo warehouse's folder is not
    written and tests do not see each other's items."""
    path = tmp_path / "worklog.sqlite"
    monkeypatch.setenv("RISK_WORKLOG_DB", str(path))
    return path


def message(key: str, lang: str = "en", **values: object) -> str:
    text = catalogue(lang)[key]
    return text.format(**values) if values else text


def button(at: AppTest, label: str):
    """The (form submit) button with this label (the first when there are several)."""
    found = [b for b in at.button if b.label == label]
    assert found, f"no button {label!r} in {[b.label for b in at.button]}"
    return found[0]


def field(elements, suffix: str):
    """The widget whose key ends with `suffix`."""
    found = [e for e in elements if e.key and e.key.endswith(suffix)]
    assert found, f"no widget with a key ending in {suffix!r}"
    return found[0]


def frame_with(at: AppTest, column: str) -> pl.DataFrame:
    """The first dataframe shown that has `column` (Stylers are read as their data)."""
    for shown in at.dataframe:
        value = shown.value
        data = getattr(value, "data", value)  # a pandas Styler holds its frame in .data
        if column in data.columns:
            return pl.from_pandas(data)
    raise AssertionError(f"no table with a column {column!r}")


def texts(at: AppTest) -> str:
    """Every message, markdown and caption on the page, one per line."""
    parts = [*at.success, *at.error, *at.warning, *at.info, *at.markdown, *at.caption]
    return "\n".join(str(p.value) for p in parts)
