"""The scorecard fit (data/model_fit.py, python -m data model fit): binning and WoE by hand, AUC
and KS against scikit-learn, grouped folds, the out-of-time split, recovery of known weights on a
synthetic book, refusals and notes, reproducibility, and the exported policy through build."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import roc_auc_score, roc_curve

from commands.cli import main
from data import model_fit
from data.model_fit import (
    FitError,
    auc,
    bin_index,
    fit_scorecard,
    grouped_folds,
    ks,
    score_frame,
    split_months,
    woe_table,
)
from data.policy import SCORECARD_FACTORS, load_policy
from data.runner import run
from tests.tiny_warehouse import build_book

NAN = math.nan


def test_bins_and_woe_by_hand():
    values = np.array([0, 0, 0, 0, 1, 1, 1, 2, 2, 2, NAN, NAN])
    target = np.array([0, 0, 0, 1, 0, 1, 1, 1, 1, 0, 0, 1], dtype=bool)
    edges = (1.0, 2.0)  # bins: < 1, [1, 2), >= 2
    assert bin_index(values, edges).tolist() == [0, 0, 0, 0, 1, 1, 1, 2, 2, 2, -1, -1]
    counts, missing, woes, missing_woe = woe_table(values, target, edges)
    assert counts == [(4, 1), (3, 2), (3, 2)]
    assert missing == (2, 1)
    # 6 defaults, 6 non-defaults: WoE = ln((d_i / 6) / (g_i / 6)) = ln(d_i / g_i)
    assert woes == pytest.approx([math.log(1 / 3), math.log(2 / 1), math.log(2 / 1)])
    assert missing_woe == pytest.approx(0.0)
    # a bin without defaults has no WoE
    _, _, woes, _ = woe_table(np.array([0.0, 0, 5, 5]), np.array([0, 0, 1, 0], bool), (1.0,))
    assert woes[0] is None


def test_auc_and_ks_agree_with_scikit_learn():
    rng = np.random.default_rng(3)
    target = rng.random(2_000) < 0.2
    score = np.round(rng.normal(size=2_000) + target, 1)  # rounded: many ties
    assert auc(score, target) == pytest.approx(roc_auc_score(target, score), abs=1e-12)
    fpr, tpr, _ = roc_curve(target, score)
    assert ks(score, target) == pytest.approx(float(np.max(tpr - fpr)), abs=1e-12)
    assert math.isnan(auc(score, np.zeros(2_000, bool)))


def test_grouped_folds_never_split_a_customer():
    groups = np.repeat([f"C{i}" for i in range(200)], 7)
    folds = grouped_folds(groups, seed=1)
    assert len(folds) == model_fit.FOLDS
    seen_in_test = set()
    for train, test in folds:
        assert not set(groups[train]) & set(groups[test])
        seen_in_test |= set(groups[test])
    assert seen_in_test == set(groups)
    # the folds of sklearn's GroupKFold on the ids themselves (they are coded as integers first)
    from sklearn.model_selection import GroupKFold

    direct = GroupKFold(n_splits=model_fit.FOLDS, shuffle=True, random_state=1)
    for (train, test), (train_ids, test_ids) in zip(
        folds, direct.split(np.zeros(len(groups)), groups=groups.astype(object)), strict=True
    ):
        assert train.tolist() == train_ids.tolist() and test.tolist() == test_ids.tolist()


def test_the_regression_on_distinct_rows_is_the_regression_on_every_row():
    # _logistic fits on distinct (fold, outcome, WoE) rows weighted by their counts: the same
    # coefficients as scikit-learn's LogisticRegression on every row at the C it chose
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(3)
    n = 6_000
    x = np.column_stack([rng.integers(0, 3, n) * 0.5, rng.integers(0, 4, n) * 0.3 - 0.4])
    y = rng.random(n) < 1 / (1 + np.exp(-(-2.0 + 1.2 * x[:, 0] + 0.8 * x[:, 1])))
    groups = np.repeat([f"C{i:04d}" for i in range(n // 6)], 6)
    model, c = model_fit._logistic(x, y, groups, seed=2)
    assert c in model_fit.CS
    every_row = LogisticRegression(C=c, max_iter=2000, tol=1e-10).fit(x, y)
    assert np.ravel(model.coef_) == pytest.approx(np.ravel(every_row.coef_), abs=1e-3)
    assert model.intercept_[0] == pytest.approx(every_row.intercept_[0], abs=1e-3)


def test_out_of_time_split():
    months = [date(2024, m, 28) for m in range(1, 13)] + [date(2025, m, 28) for m in range(1, 7)]
    until, train, test = split_months(months * 3, None, holdout_months=6)
    assert until == date(2024, 12, 28)
    assert max(train) < min(test) and len(test) == 6 and len(train) == 12
    until, train, test = split_months(months, date(2024, 6, 30), holdout_months=12)
    assert max(train) == date(2024, 6, 28) and min(test) == date(2024, 7, 28)
    with pytest.raises(FitError, match="18 month-ends"):
        split_months(months, None, holdout_months=18)


# --- a synthetic book with a known logistic truth ------------------------------------------------

TRUE_INTERCEPT, TRUE_DELINQUENT, TRUE_RATING = -4.5, 0.7, 0.3


def synthetic_frame(customers: int = 2_000, months: int = 12, seed: int = 11) -> pl.DataFrame:
    """customer-months whose default_12m follows logit = -4.5 + 0.7 x months_delinquent_3m
    + 0.3 x rating_rank; every other factor is noise (utilisation) or constant."""
    rng = np.random.default_rng(seed)
    n = customers * months
    delinquent = rng.integers(0, 4, n).astype(float)
    rating = rng.integers(1, 11, n).astype(float)
    logit = TRUE_INTERCEPT + TRUE_DELINQUENT * delinquent + TRUE_RATING * rating
    target = rng.random(n) < 1 / (1 + np.exp(-logit))
    as_of = [date(2023 + (m // 12), m % 12 + 1, 28) for m in range(months)]
    columns = {name: np.zeros(n) for name in SCORECARD_FACTORS}
    columns |= {
        "months_delinquent_3m": delinquent,
        "rating_rank": rating,
        "utilisation": rng.random(n),
    }
    return pl.DataFrame(
        {
            "customer_id": np.repeat([f"S{i:05d}" for i in range(customers)], months),
            "as_of": as_of * customers,
            "score": rng.random(n) * 100,
            "grade": rng.choice(list("ABCDE"), n, p=[0.5, 0.3, 0.1, 0.07, 0.03]),
            "default_12m": target,
            **columns,
        }
    )


@pytest.fixture(scope="module")
def synthetic_fit():
    frame = synthetic_frame(customers=20_000)  # 240 000 customer-months, about 20 s to fit
    return frame, fit_scorecard(frame, load_policy(), holdout_months=3, seed=5)


def test_fit_recovers_the_generating_weights(synthetic_fit):
    frame, result = synthetic_fit
    card = result.policy.scorecard
    # WoE coefficients of a true logistic model are about 1; constant factors go, noise is
    # dropped or gets next to nothing
    assert (
        {"months_delinquent_3m", "rating_rank"}
        <= set(card)
        <= {"months_delinquent_3m", "rating_rank", "utilisation"}
    )
    if "utilisation" in card:
        assert max(card["utilisation"].points) < 3
    for name in ("months_delinquent_3m", "rating_rank"):
        assert result.coefficients[name] == pytest.approx(1.0, abs=0.2)
    # the points' ranges stand to each other as the true log-odds ranges: 0.7 x 3 : 0.3 x 9
    ranges = {n: max(b.points) - min(b.points) for n, b in card.items()}
    ratio = ranges["months_delinquent_3m"] / ranges["rating_rank"]
    assert ratio == pytest.approx((TRUE_DELINQUENT * 3) / (TRUE_RATING * 9), rel=0.2)
    # every bin's points rise with the factor (monotone binning, positive coefficients)
    for bins in card.values():
        assert list(bins.points) == sorted(bins.points)
    assert any("constant" in n for n in result.notes)
    assert result.metrics["fitted"]["auc_out"] > result.metrics["policy in force"]["auc_out"] + 0.1


def test_fit_keeps_grade_shares_and_sets_pd_from_training(synthetic_fit):
    frame, result = synthetic_fit
    policy = result.policy
    train = frame.filter(pl.col("as_of") <= result.train_until)
    scores = score_frame(policy, train)
    grades = np.asarray([policy.grade(float(s)) for s in scores])
    in_force = train["grade"].to_numpy()
    for g in "ABCDE":
        assert (grades == g).mean() == pytest.approx((in_force == g).mean(), abs=0.08)
    rates = {
        g: float(train["default_12m"].to_numpy()[grades == g].mean())
        for g in "ABCDE"
        if (grades == g).any()
    }
    for g, rate in rates.items():
        assert policy.pd.prior[g] == pytest.approx(max(rate, policy.pd.floor), abs=1e-6)
    assert sum(policy.weights.values()) == 0.0


def test_same_data_and_seed_same_file(synthetic_fit):
    frame, result = synthetic_fit
    again = fit_scorecard(frame, load_policy(), holdout_months=3, seed=5)
    assert again.policy.to_toml() == result.policy.to_toml()


def test_refuses_too_few_defaults_and_drops_leaks():
    frame = synthetic_frame(customers=300, months=4)
    small = frame.with_columns(
        default_12m=pl.col("default_12m") & (pl.col("customer_id") < "S00020")
    )
    with pytest.raises(
        FitError, match=r"has \d+ defaults among \d+ customer-months; .* at least 50"
    ):
        fit_scorecard(small, load_policy(), holdout_months=1)
    leaky = synthetic_frame(customers=1_500, months=4).with_columns(
        limit_cuts_12m=pl.col("default_12m").cast(pl.Float64)
    )
    result = fit_scorecard(leaky, load_policy(), holdout_months=1)
    assert "limit_cuts_12m" not in result.policy.scorecard
    assert any(n.startswith("limit_cuts_12m") and "leak" in n for n in result.notes)


def test_a_bin_with_too_few_defaults_is_refused(monkeypatch):
    frame = synthetic_frame(customers=1_500, months=4)
    monkeypatch.setattr(model_fit, "optimal_edges", lambda values, target, name: (9.5,))
    with pytest.raises(
        FitError,
        match=r"the bin \[9.5, inf\) has 0 defaults and \d+ non-defaults; every bin needs at least 5",
    ):
        fit_scorecard(frame, load_policy(), holdout_months=1)


def test_the_exported_policy_reproduces_the_fitted_scores_through_build(
    synthetic_fit, tmp_path, capsys
):
    # fitted on the synthetic book, applied with `build --policy` to another warehouse: the
    # build's scores are the fitted scorecard's, exactly
    _, result = synthetic_fit
    file = tmp_path / "fitted.toml"
    file.write_text(result.policy.to_toml(), encoding="utf-8")
    db = tmp_path / "book.duckdb"
    con, _ = build_book(db)
    con.close()
    assert main(["build", "--db", str(db), "--policy", str(file), "--quiet"]) == 0
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        frame = con.sql(
            "select b.*, m.score from cm_behaviour as b inner join customer_month as m"
            " using (customer_id, as_of) order by all"
        ).pl()
        built = run(con, "model_fit_frame")
    assert frame["score"].to_list() == score_frame(result.policy, frame).tolist()
    assert built["score"].to_list() == score_frame(result.policy, built).tolist()
    # the score explanation lists the scorecard's factors with their values and points, adding
    # up to the score (the fitted policy weighs no factor, so none of the six weighted rows)
    with duckdb.connect(str(db), read_only=True) as con:
        parts = con.sql(
            "select e.customer_id, e.as_of, list(e.factor order by e.factor) as factors,"
            " sum(e.contribution) as total, any_value(m.score) as score,"
            " bool_and(e.weight is null and e.bin_no is not null) as binned"
            " from score_explanation as e inner join customer_month as m using (customer_id, as_of)"
            " group by all"
        ).pl()
        months = con.sql("select count(*) from customer_month").fetchall()[0][0]
    assert parts.height == months
    assert set(map(tuple, parts["factors"].to_list())) == {tuple(sorted(result.policy.scorecard))}
    assert (parts["total"] - parts["score"]).abs().max() < 1e-9
    assert parts["binned"].all()


@pytest.mark.parametrize(
    ("lang", "label"), [("en", "Months overdue (last 3)"), ("zh", "逾期月数（近 3 个月）")]
)
def test_the_customer_page_explains_a_fitted_score_by_named_factors_and_values(
    synthetic_fit, tmp_path, monkeypatch, lang, label
):
    import json

    from streamlit.testing.v1 import AppTest

    from data.policy import Policy
    from tests.conftest import page_path
    from tests.tiny_warehouse import BOOK_AS_OF

    _, result = synthetic_fit
    con, _ = build_book(tmp_path / "book.duckdb", policy=Policy.from_dict(result.policy.to_dict()))
    delinquent = con.sql(
        "select months_delinquent_3m from cm_behaviour where customer_id = 'R1' and as_of = $d",
        params={"d": BOOK_AS_OF},
    ).fetchall()[0][0]
    con.close()
    monkeypatch.setenv("RISK_DB", str(tmp_path / "book.duckdb"))
    at = AppTest.from_file(page_path("customer"), default_timeout=60)
    at.query_params["customer"] = "R1"
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception
    waterfall = next(
        json.loads(c.proto.spec)
        for c in at.get("plotly_chart")
        if json.loads(c.proto.spec)["data"][0]["type"] == "waterfall"
    )
    names = waterfall["data"][0]["x"]
    assert f"{label}: {delinquent:,.0f}" in names or f"{label}：{delinquent:,.0f}" in names
    assert not any(n in SCORECARD_FACTORS for n in names)  # no factor shown by its key


def test_cut_offs_give_the_scored_rows_the_shares_by_hand():
    # ten scores 10 ... 100, shares A 50 %, B 20 %, C, D and E 10 % each: B starts at the 6th
    # score (60), C at the 8th (80), D at the 9th (90), E at the 10th (100)
    scores = np.arange(10, 101, 10, dtype=float)
    cuts = model_fit._cut_offs(scores, {"A": 0.5, "B": 0.2, "C": 0.1, "D": 0.1, "E": 0.1})
    assert cuts == {"B": 60.0, "C": 80.0, "D": 90.0, "E": 100.0}


def test_grade_shares_told_are_kept_and_bad_ones_refused(synthetic_fit):
    frame, _ = synthetic_fit
    told = {"A": 0.4, "B": 0.3, "C": 0.15, "D": 0.1, "E": 0.05}
    result = fit_scorecard(frame, load_policy(), holdout_months=3, seed=5, grade_shares=told)
    policy = result.policy
    train = frame.filter(pl.col("as_of") <= result.train_until)
    grades = np.asarray([policy.grade(float(s)) for s in score_frame(policy, train)])
    for g, share in told.items():
        assert (grades == g).mean() == pytest.approx(share, abs=0.06)
    with pytest.raises(FitError, match="grade shares add up to 0.9; they must add up to 1"):
        fit_scorecard(frame, load_policy(), holdout_months=3, grade_shares={"A": 0.5, "B": 0.4})
    with pytest.raises(FitError, match="unknown grade F"):
        fit_scorecard(frame, load_policy(), holdout_months=3, grade_shares={"A": 0.5, "F": 0.5})


def test_cut_offs_keep_the_in_force_shares_of_the_grading_rows(synthetic_fit):
    # the grading rows hold month-ends in default too (graded E and D by the policy in force,
    # with the worst behaviour): the fitted grades give them the shares they have in force
    frame, _ = synthetic_fit
    worst = frame.head(1_500).with_columns(
        months_delinquent_3m=pl.lit(3.0),
        rating_rank=pl.lit(10.0),
        grade=pl.Series(["E", "D", "D"] * 500),
    )
    grading = pl.concat([frame, worst])
    result = fit_scorecard(frame, load_policy(), holdout_months=3, seed=5, grading=grading)
    policy = result.policy
    window = grading.filter(pl.col("as_of") <= result.train_until)
    grades = np.asarray([policy.grade(float(s)) for s in score_frame(policy, window)])
    in_force = window["grade"].to_numpy()
    for g in "ABCDE":
        assert (grades == g).mean() == pytest.approx((in_force == g).mean(), abs=0.05)


def test_grade_shares_on_the_command_line():
    from commands.model import _shares

    assert _shares("a=0.6, B=0.25,C=0.1,D=0.04,E=0.01") == {
        "A": 0.6,
        "B": 0.25,
        "C": 0.1,
        "D": 0.04,
        "E": 0.01,
    }
    with pytest.raises(Exception, match="expected GRADE=SHARE pairs"):
        _shares("A:0.6")


def test_cli_refuses_a_book_without_enough_defaults(tmp_path, capsys):
    db = tmp_path / "book.duckdb"
    con, _ = build_book(db)
    con.close()
    code = main(
        [
            "model",
            "fit",
            "--db",
            str(db),
            "--holdout-months",
            "1",
            "--out",
            str(tmp_path / "f.toml"),
        ]
    )
    assert code == 2
    assert "refused:" in capsys.readouterr().err
    assert not (tmp_path / "f.toml").exists()
