"""Stored dimension codes (industry, region, segment) appear in the reader's language on the
Risk grades chart and the Concentration tables; unknown values (a user's own data) stay as they are."""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from dashboard.i18n import set_language, value_labels
from tests.conftest import page_path


def test_value_labels_map_known_codes_and_keep_the_rest():
    set_language("zh")
    try:
        assert value_labels(["Retail", "North", None, "Atlantis"], "industry") == {
            "Retail": "零售业",
            "North": "North",  # not an industry
            "Atlantis": "Atlantis",
        }
    finally:
        set_language("en")


def test_grades_chart_names_industries_in_chinese(demo_db):
    at = AppTest.from_file(page_path("grades"), default_timeout=90)
    at.query_params["lang"] = "zh"
    at.run()
    assert not at.exception
    bars = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
    groups = {name for bar in bars for name in bar["y"]}
    assert "制造业" in groups and "Manufacturing" not in groups


def test_concentration_table_names_regions_in_chinese(demo_db):
    at = AppTest.from_file(page_path("concentration"), default_timeout=90)
    at.query_params["lang"] = "zh"
    at.run()
    assert not at.exception
    top = at.dataframe[0].value
    assert set(top["region"]) <= {"华北", "华南", "华东", "西部", "华中", "东北", "西南", "西北"}
