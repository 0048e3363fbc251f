"""Model page with AppTest on the demo warehouse (figures checked against an independent back-test),
widget changes, Simplified Chinese, thin history; chart builders on tiny frames."""

from __future__ import annotations

import tomllib
from datetime import date

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import roc_auc_score
from streamlit.testing.v1 import AppTest

from dashboard.components import model_charts
from dashboard.components.formats import number, percent
from dashboard.i18n import set_language
from queries import model_metrics as mm
from tests.conftest import ROOT, page_path
from tests.tiny_warehouse import build_tiny


def independent_backtest(con, as_of: date) -> tuple[np.ndarray, np.ndarray]:
    """(scores, bad flags) of the back-test at as_of, built in Polars from customer_month rows:
    month-ends t not in default with last_day(t + 12 m) <= as_of; bad = defaulted in (t, end]."""
    rows = con.sql(
        "select customer_id, as_of, round(score, 2) as score, defaulted from customer_month "
        "where as_of <= $d",
        params={"d": as_of},
    ).pl()
    observations = rows.with_columns(
        end=pl.col("as_of").dt.offset_by("12mo").dt.month_end()
    ).filter(
        (pl.col("as_of") == pl.col("as_of").dt.month_end())
        & ~pl.col("defaulted")
        & (pl.col("end") <= as_of)
    )
    later = rows.filter("defaulted").select("customer_id", later_on="as_of")
    bad = (
        observations.join(later, on="customer_id", how="left")
        .with_columns(
            hit=(pl.col("later_on") > pl.col("as_of")) & (pl.col("later_on") <= pl.col("end"))
        )
        .group_by("customer_id", "as_of", "score")
        .agg(bad=pl.col("hit").fill_null(False).any())
    )
    return bad["score"].to_numpy(), bad["bad"].to_numpy()


@pytest.fixture(scope="module")
def dates(demo_db) -> list[date]:
    from data import warehouse

    con = warehouse.connect(demo_db, read_only=True)
    found = [r[0] for r in con.sql("select as_of from month_grid order by as_of desc").fetchall()]
    con.close()
    return found


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_page_shows_the_backtest_an_independent_computation_gives(demo_con, dates):
    at = AppTest.from_file(page_path("model"), default_timeout=90).run()
    assert not at.exception
    assert at.title[0].value == "Model validation"
    # factor weights, KS, ROC, calibration, PSI, lead times
    assert len(at.get("plotly_chart")) == 6
    scores, bads = independent_backtest(demo_con, dates[0])
    auc = roc_auc_score(bads, scores)
    assert metric(at, "Observations") == number(len(scores))
    assert metric(at, "Defaults in 12 m") == number(int(bads.sum()))
    assert metric(at, "AUC") == number(auc, 3)
    assert metric(at, "Gini") == number(2 * auc - 1, 3)
    # the demo's score discriminates (about 0.70 on the 600-customer demo since cures and
    # write-offs: defaulted customers no longer keep 1 000+ days past due)
    assert float(metric(at, "AUC")) > 0.65
    hits = demo_con.sql(
        "select avg(on_watchlist_before::int) from early_warning where defaulted_on <= $d",
        params={"d": dates[0]},
    ).fetchall()[0][0]
    assert metric(at, "Hit rate") == percent(hits)
    # the policy table, the calibration table (a row per grade) and the PSI bins (at most ten)
    sizes = [len(df.value) for df in at.dataframe]
    assert sizes[:2] == [5, 5] and 2 <= sizes[2] <= 10


def test_reference_month_and_as_of_change_what_is_shown(demo_db, dates):
    at = AppTest.from_file(page_path("model"), default_timeout=90).run()
    first_reference = at.selectbox(key="md_reference").value
    assert first_reference == dates[12]  # a year before the latest month-end
    psi_first = metric(at, f"PSI at {dates[0].strftime('%b %Y')}")
    at.selectbox(key="md_reference").set_value(dates[-1]).run()  # the first month instead
    assert not at.exception
    psi_later = metric(at, f"PSI at {dates[0].strftime('%b %Y')}")
    assert psi_later != psi_first
    assert "against " + dates[-1].strftime("%b %Y") in at.get("plotly_chart")[4].proto.spec

    observations = metric(at, "Observations")
    at.session_state["f_as_of"] = dates[12]
    at.run()
    assert not at.exception
    assert metric(at, "Observations") != observations
    # the first-month reference is still valid as of month 12 and stays chosen
    assert at.selectbox(key="md_reference").value == dates[-1]


def test_page_in_simplified_chinese(demo_db):
    at = AppTest.from_file(page_path("model"), default_timeout=90)
    at.query_params["lang"] = "zh"
    at.run()
    assert not at.exception
    assert at.title[0].value == "模型验证"
    labels = {m.label for m in at.metric}
    assert {"基尼系数", "命中率", "误报率"} <= labels
    assert any("区分能力" in h.value for h in at.subheader)
    assert "%" in metric(at, "命中率") and " %" not in metric(at, "命中率")  # '85.0%'
    # AppTest formats widget values in the test's thread: keep its language in step with the page.
    set_language("zh")
    try:
        months = at.selectbox(key="md_reference").options
        assert months[0].endswith("月")
        at.selectbox(key="md_reference").set_value(at.selectbox(key="md_reference").value).run()
        assert not at.exception
    finally:
        set_language("en")


def test_a_filter_matching_nothing_shows_messages(demo_db):
    at = AppTest.from_file(page_path("model"), default_timeout=90)
    at.session_state["f_region"] = ["nowhere"]
    at.run()
    assert not at.exception
    shown = " ".join(i.value for i in at.info)
    assert "Not enough history for a back-test" in shown
    assert "No observations for a calibration" in shown
    assert "Not enough scored customers" in shown
    assert "no early-warning record yet" in shown
    assert len(at.get("plotly_chart")) == 1  # the policy's factor weights only


def test_thin_history_shows_messages_instead_of_failing(tmp_path, monkeypatch):
    con, _ = build_tiny(tmp_path / "tiny.duckdb")
    con.close()
    monkeypatch.setenv("RISK_DB", str(tmp_path / "tiny.duckdb"))
    at = AppTest.from_file(page_path("model"), default_timeout=90).run()
    assert not at.exception
    shown = " ".join(i.value for i in at.info)
    # five months of history: nothing has a 12-month outcome, and no month has 100 customers
    assert "Not enough history for a back-test" in shown
    assert "Not enough scored customers" in shown


def test_messages_exist_in_both_languages():
    def keys(lang: str) -> set[str]:
        path = ROOT / "dashboard" / "messages" / lang / "model.toml"
        return set(tomllib.loads(path.read_text(encoding="utf-8"))["model"])

    assert keys("en") == keys("zh")


# ---------- chart builders on tiny frames ----------

COUNTS = mm.score_counts([1.0, 2.0, 2.0, 3.0, 2.0, 3.0, 4.0], [False] * 4 + [True] * 3)


def test_ks_chart_marks_the_gap_where_it_is_widest():
    result = mm.ks(COUNTS)
    figure = model_charts.ks_chart(mm.ks_curves(COUNTS), result, "KS", "Bad", "Good", "KS", "Score")
    gap = figure.data[2]
    assert list(gap.x) == [2.0, 2.0]
    assert list(gap.y) == pytest.approx([100 / 3, 75.0])
    assert figure.layout.annotations[0].text == "KS = 0.42"


def test_roc_chart_has_the_diagonal_and_a_small_payload():
    rng = np.random.default_rng(1)
    scores = rng.random(5_000) * 100  # 5 000 distinct scores
    counts = mm.score_counts(scores, rng.random(5_000) < scores / 100)
    figure = model_charts.roc_chart(mm.roc_points(counts), "ROC", "Score", "Random", "FPR", "TPR")
    assert list(figure.data[0].x) == [0, 100] and list(figure.data[0].y) == [0, 100]
    assert len(figure.data[1].x) <= 501
    assert figure.data[1].x[0] == 0 and figure.data[1].x[-1] == 100


def test_psi_chart_shades_the_bands_and_marks_the_reference():
    frame = pl.DataFrame(
        {
            "as_of": [date(2026, 1, 31), date(2026, 2, 28)],
            "rows": [100, 120],
            "psi": [0.0, 0.3],
        }
    )
    figure = model_charts.psi_chart(
        model_charts.psi_view(frame), date(2026, 1, 31), "PSI", "PSI", "0.1", "0.25", "Reference"
    )
    rects = [(s.y0, s.y1) for s in figure.layout.shapes if s.type == "rect"]
    assert rects[0] == (0.1, 0.25) and rects[1][0] == 0.25
    lines = [s.y0 for s in figure.layout.shapes if s.type == "line" and s.y0 == s.y1]
    assert sorted(lines) == [0.1, 0.25]
    assert any(a.text == "Reference Jan 2026" for a in figure.layout.annotations)


def test_calibration_chart_draws_exact_intervals_as_error_bars():
    frame = pl.DataFrame(
        {
            "grade": ["A", "B"],
            "pd_used": [0.01, 0.05],
            "observations": [10, 0],
            "defaults": [3, 0],
            "observed_rate": [0.3, None],
            "ci_low": [0.066739, None],
            "ci_high": [0.652453, None],
        }
    )
    figure = model_charts.calibration_chart(frame, "Calibration", "Observed", "PD", "95 %")
    bars = figure.data[0]
    assert bars.y[0] == pytest.approx(30.0)
    assert bars.error_y.array[0] == pytest.approx(65.2453 - 30.0)
    assert bars.error_y.arrayminus[0] == pytest.approx(30.0 - 6.6739)
    assert list(figure.data[1].y) == pytest.approx([1.0, 5.0])
