"""Freshness on every page (issue 15, item 4): the policy threshold, the status and the line."""

from __future__ import annotations

import tomllib

import pytest

from data.policy import DEFAULT_POLICY, Policy, PolicyError


def _raw() -> dict:
    return tomllib.loads(DEFAULT_POLICY.read_text(encoding="utf-8"))


def test_the_policy_sets_the_freshness_threshold_and_older_files_get_the_default():
    raw = _raw()
    assert Policy.from_dict(raw).freshness["max_age_days"] == 45
    raw["freshness"] = {"max_age_days": 10}
    assert Policy.from_dict(raw).freshness["max_age_days"] == 10
    del raw["freshness"]  # a policy written before the section
    assert Policy.from_dict(raw).freshness["max_age_days"] == 45
    # stored in the warehouse's policy_in_force and read back
    assert Policy.from_entries(Policy.from_dict(_raw()).flat()).freshness == {"max_age_days": 45}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "freshness.max_age_days: must not be below 1, got 0"),
        (2.5, "freshness.max_age_days"),
        ("30", "freshness.max_age_days"),
    ],
)
def test_a_bad_threshold_is_refused_naming_the_key(value, message):
    raw = _raw()
    raw["freshness"] = {"max_age_days": value}
    with pytest.raises(PolicyError, match=message.replace(".", r"\.")):
        Policy.from_dict(raw)


def test_an_unknown_freshness_key_is_refused():
    raw = _raw()
    raw["freshness"] = {"max_age_days": 45, "max_age_hours": 3}
    with pytest.raises(PolicyError, match="freshness"):
        Policy.from_dict(raw)


# --- the status and the line -----------------------------------------------------------------

from datetime import date, datetime, timedelta  # noqa: E402

import polars as pl  # noqa: E402

from queries.freshness import Freshness, freshness_status, max_age_days  # noqa: E402


def _frame(loaded_at: datetime | None, through: date | None) -> pl.DataFrame:
    return pl.DataFrame(
        {"loaded_at": [loaded_at], "data_through": [through]},
        schema={"loaded_at": pl.Datetime("us"), "data_through": pl.Date},
    )


@pytest.mark.parametrize(
    ("through", "today", "age", "stale"),
    [
        (date(2026, 10, 31), date(2026, 12, 3), 33, False),  # Nov 1..Dec 3 = 30 + 3 days
        (date(2026, 10, 31), date(2026, 12, 15), 45, False),  # exactly the threshold: not older
        (date(2026, 10, 31), date(2026, 12, 16), 46, True),
        (date(2026, 9, 30), date(2026, 12, 3), 64, True),  # Oct 31 + Nov 30 + 3
    ],
)
def test_the_data_is_stale_once_its_month_end_is_older_than_the_threshold(
    through, today, age, stale
):
    status = freshness_status(_frame(datetime(2026, 11, 2, 6, 5), through), today, 45)
    assert status.age_days == age
    assert status.stale is stale


def test_an_empty_warehouse_state_is_neither_fresh_nor_stale():
    status = freshness_status(_frame(None, None), date(2026, 12, 3), 45)
    assert status == Freshness(None, None, None, 45)
    assert not status.stale


def test_the_threshold_is_read_from_the_policy_file_and_falls_back_to_the_default(tmp_path):
    file = tmp_path / "policy.toml"
    raw = DEFAULT_POLICY.read_text(encoding="utf-8").replace(
        "max_age_days = 45", "max_age_days = 12"
    )
    file.write_text(raw, encoding="utf-8")
    assert max_age_days(file) == 12
    file.write_text(raw.replace("max_age_days = 12", "max_age_days = -1"), encoding="utf-8")
    assert max_age_days(file) == 45  # a page never fails on a policy the build would refuse
    assert max_age_days(tmp_path / "missing.toml") == 45


def test_the_line_in_both_languages():
    from dashboard.components.freshness import freshness_text
    from dashboard.i18n import set_language

    status = Freshness(datetime(2026, 11, 2, 6, 5), date(2026, 10, 31), 33, 45)
    set_language("en")
    assert freshness_text(status) == "Data loaded 2026-11-02 06:05 · reaches Oct 2026"
    set_language("zh")
    try:
        assert freshness_text(status) == "数据加载于 2026年11月2日 06:05 · 截至 2026年10月"
    finally:
        set_language("en")
    assert freshness_text(Freshness(None, None, None, 45)) == ""


# --- every page, through the app shell (AppTest) -------------------------------------------------


def _warehouse_reaching(demo_db, tmp_path, days_ago: int):
    """A copy of the demo warehouse whose last build reaches `days_ago` days before today."""
    import shutil

    import duckdb

    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_db, path)
    con = duckdb.connect(str(path))
    through = date.today() - timedelta(days=days_ago)
    con.execute(
        "update warehouse_state set as_of = $through, built_at = timestamp '2026-11-02 06:05'",
        {"through": through},
    )
    con.close()
    return path, through


def _app(lang: str = "en"):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "main.py"), default_timeout=90)
    at.query_params["lang"] = lang
    return at.run()


def test_every_page_shows_a_fresh_line_without_a_warning(demo_db, tmp_path, monkeypatch):
    from dashboard.components.formats import month

    path, through = _warehouse_reaching(demo_db, tmp_path, days_ago=10)
    monkeypatch.setenv("RISK_DB", str(path))
    at = _app()
    assert not at.exception
    captions = [c.value for c in at.sidebar.caption]
    assert f"Data loaded 2026-11-02 06:05 · reaches {month(through, 'en')}" in captions
    assert not [w for w in at.warning if "policy allows" in w.value]
    # another page, the same line (rendered by the shell, not by the page)
    at.switch_page("dashboard/pages/watchlist.py").run()
    assert not at.exception
    assert f"Data loaded 2026-11-02 06:05 · reaches {month(through, 'en')}" in [
        c.value for c in at.sidebar.caption
    ]


def test_stale_data_warns_on_every_page_in_both_languages(demo_db, tmp_path, monkeypatch):
    from dashboard.components.formats import month

    path, through = _warehouse_reaching(demo_db, tmp_path, days_ago=100)
    monkeypatch.setenv("RISK_DB", str(path))
    at = _app()
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert (
        f"The data reaches only {month(through, 'en')}, 100 days ago (the policy allows 45 days): "
        "load the latest files before acting on these figures."
    ) in warnings
    at.switch_page("dashboard/pages/grades.py").run()
    assert not at.exception
    assert any("100 days ago" in w.value for w in at.warning)
    zh = _app("zh")
    assert not zh.exception
    assert any(
        w.value.startswith(f"数据仅截至 {month(through, 'zh')}，距今已 100 天（政策上限为 45 天）")
        for w in zh.warning
    )
    assert any(c.value.startswith("数据加载于 2026年11月2日 06:05") for c in zh.sidebar.caption)
