"""The Model page's champion / challenger section with AppTest on the demo warehouse (upload, a
refused file, the saved-policies folder, promotion by an administrator with its audit row), and
the model report command in both languages."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import roc_auc_score
from streamlit.testing.v1 import AppTest

from dashboard.components.formats import number
from data import audit, challenger, warehouse
from data.policy import DEFAULT_POLICY, load_policy
from tests.auth_helpers import app_as
from tests.conftest import page_path

CHALLENGER_TEXT = (
    DEFAULT_POLICY.read_text(encoding="utf-8")
    .replace("dpd = 0.30 ", "dpd = 0.20 ", 1)
    .replace("late = 0.15 ", "late = 0.35 ", 1)
    .replace("utilisation = 0.15 ", "utilisation = 0.10 ", 1)
    .replace("operational = 0.10 ", "operational = 0.05 ", 1)
    .replace('name = "Baseline credit-control policy"', 'name = "Late payments weighed up"', 1)
)


@pytest.fixture(autouse=True)
def _fresh_scores():
    challenger.clear_cache()
    yield
    challenger.clear_cache()


def uploaded(at: AppTest, text: str, name: str = "challenger.toml") -> AppTest:
    at.file_uploader(key="cc_upload").set_value((name, text.encode("utf-8"), "application/toml"))
    return at.run()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def out_of_time_aucs(db) -> tuple[float, float]:
    """Champion and challenger AUC on the last 12 observation months, by scikit-learn on the
    customer_month rows: month-ends not in default whose 12-month window ended by the build."""
    champion = challenger.champion(db).scores
    scored = challenger.challenger(challenger.read_challenger(CHALLENGER_TEXT), db).scores
    horizon = champion["as_of"].max()
    obs = champion.filter(
        ~pl.col("defaulted") & (pl.col("as_of").dt.offset_by("12mo").dt.month_end() <= horizon)
    ).join(scored.select("customer_id", "as_of", other="score"), on=["customer_id", "as_of"])
    months = sorted(obs["as_of"].unique())
    late = obs.filter(pl.col("as_of") >= months[-12])
    bad = late["default_12m"].to_numpy()
    return (
        roc_auc_score(bad, np.round(late["score"].to_numpy(), 2)),
        roc_auc_score(bad, np.round(late["other"].to_numpy(), 2)),
    )


def test_an_uploaded_challenger_is_scored_and_compared(demo_db):
    con = warehouse.connect(demo_db, read_only=True)
    before = warehouse.checksum(con)
    con.close()
    at = AppTest.from_file(page_path("model"), default_timeout=120).run()
    assert not at.exception
    assert any(s.value == "Champion / challenger" for s in at.subheader)
    charts_before = len(at.get("plotly_chart"))
    at = uploaded(at, CHALLENGER_TEXT)
    assert not at.exception
    champion_auc, challenger_auc = out_of_time_aucs(demo_db)
    assert champion_auc != pytest.approx(challenger_auc, abs=1e-3)
    assert metric(at, "AUC out of time") == number(challenger_auc, 3)
    shown = next(m for m in at.metric if m.label == "AUC out of time")
    assert shown.delta == f"{challenger_auc - champion_auc:+.3f}"
    # two ROC charts, the intervals, calibration, migration, stability
    assert len(at.get("plotly_chart")) == charts_before + 6
    verdict = [b.value for b in (*at.success, *at.warning, *at.error) if "Verdict" in b.value]
    assert verdict and "Recommendation" in verdict[0]
    # without an administrator signed in there is no promote button
    assert not [b for b in at.button if b.label == "Promote the challenger"]
    assert any("Only an administrator" in c.value for c in at.caption)
    con = warehouse.connect(demo_db, read_only=True)
    assert warehouse.checksum(con) == before
    con.close()


def test_an_invalid_challenger_is_refused_naming_the_key(demo_db):
    at = AppTest.from_file(page_path("model"), default_timeout=120).run()
    at = uploaded(at, CHALLENGER_TEXT.replace("late = 0.35 ", 'late = "a lot" ', 1))
    assert not at.exception
    refused = [e.value for e in at.error if "refused" in e.value]
    assert refused and "weights.late" in refused[0]
    assert not any(m.label == "AUC out of time" for m in at.metric)


def test_a_saved_policy_can_be_chosen(demo_db, tmp_path, monkeypatch):
    (tmp_path / "late_weighed_up.toml").write_text(CHALLENGER_TEXT, encoding="utf-8")
    monkeypatch.setenv("RISK_POLICY_DIR", str(tmp_path))
    at = AppTest.from_file(page_path("model"), default_timeout=120).run()
    at.radio(key="cc_source").set_value("saved").run()
    assert at.selectbox(key="cc_saved").value.name == "late_weighed_up.toml"
    assert not at.exception
    assert metric(at, "AUC out of time") == number(out_of_time_aucs(demo_db)[1], 3)


def test_the_policy_in_force_is_not_compared_with_itself(demo_db):
    at = AppTest.from_file(page_path("model"), default_timeout=120).run()
    at = uploaded(at, DEFAULT_POLICY.read_text(encoding="utf-8"))
    assert any("the policy in force" in i.value for i in at.info)


def test_an_administrator_promotes_the_challenger(auth_on, tmp_path, monkeypatch):
    in_force = tmp_path / "policy.toml"
    in_force.write_text(DEFAULT_POLICY.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr("data.policy.DEFAULT_POLICY", in_force)
    at = app_as("admin", "model")
    at = uploaded(at, CHALLENGER_TEXT)
    promote = next(b for b in at.button if b.label == "Promote the challenger")
    assert promote.disabled  # until the confirmation is ticked
    at.checkbox(key="cc_confirm").check().run()
    next(b for b in at.button if b.label == "Promote the challenger").click().run()
    assert not at.exception
    assert any("Promoted" in s.value for s in at.success)
    assert load_policy().name == "Late payments weighed up"  # what the next build reads
    assert len(list((tmp_path / "policy_archive").glob("policy-*.toml"))) == 1
    rows = audit.recent(path=auth_on, actions=("policy_promote",))
    assert rows.height == 1
    assert rows["who"][0] == "admin" and rows["role"][0] == "admin"
    assert "Late payments weighed up" in rows["detail"][0]


@pytest.mark.parametrize(("lang", "title"), [("en", "Model report"), ("zh", "模型报告")])
def test_the_report_command_writes_self_contained_html(demo_db, tmp_path, lang, title):
    from commands.cli import main

    file = tmp_path / "challenger.toml"
    file.write_text(CHALLENGER_TEXT, encoding="utf-8")
    out = tmp_path / f"report_{lang}.html"
    code = main(
        ["model", "report", "--db", str(demo_db), "--challenger", str(file), "--out", str(out),
         "--lang", lang, "--quiet"]
    )  # fmt: skip
    assert code == 0
    page = out.read_text(encoding="utf-8")
    assert f"<html lang='{lang}'>" in page and title in page
    assert "<script src=" not in page  # plotly.js is inline: the file opens offline
    assert page.count("<table") == 5  # policies, discrimination, calibration, stability, impact
    assert "Late payments weighed up" in page


def test_the_report_command_refuses_an_invalid_challenger(demo_db, tmp_path, capsys):
    from commands.cli import main

    file = tmp_path / "bad.toml"
    file.write_text(CHALLENGER_TEXT.replace("[grades]\nB = 20.0", "[grades]\nB = 50.0"), "utf-8")
    code = main(["model", "report", "--db", str(demo_db), "--challenger", str(file),
                 "--out", str(tmp_path / "r.html")])  # fmt: skip
    assert code == 2
    assert "grades.C" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


def test_a_region_limited_analyst_cannot_compare_the_whole_portfolio(auth_on):
    at = app_as("ana_a", "model")
    assert not at.exception
    assert any("whole portfolio" in i.value for i in at.info)
    assert not at.get("file_uploader")
