"""Champion / challenger: DeLong and KS against scikit-learn and hand computation, the verdict
rules, challenger scoring that leaves the live warehouse as it was, a refused challenger file,
and promotion."""

from __future__ import annotations

import tomllib
from datetime import date

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import roc_auc_score

from data import audit, challenger, warehouse
from data.policy import DEFAULT_POLICY, Policy, PolicyError, load_policy
from queries import model_compare as mc
from queries import model_metrics as mm
from queries import roc_inference
from tests.tiny_warehouse import build_tiny

# Six observations: bads at 30, 50, 60; goods at 10, 20, 40.
SCORES = np.array([10.0, 20.0, 30.0, 40.0, 50.0, 60.0])
BADS = np.array([False, False, True, False, True, True])


def naive_delong(scores: np.ndarray, bads: np.ndarray) -> tuple[float, float]:
    """AUC and DeLong variance straight from the definition: the kernel psi(x, y) = 1 if x > y,
    1/2 if equal, over every bad-good pair; V10 per bad, V01 per good; var = s10/m + s01/n."""
    x, y = scores[bads], scores[~bads]
    kernel = (x[:, None] > y[None, :]) + 0.5 * (x[:, None] == y[None, :])
    v10, v01 = kernel.mean(axis=1), kernel.mean(axis=0)
    return float(kernel.mean()), float(v10.var(ddof=1) / x.size + v01.var(ddof=1) / y.size)


def test_auc_and_ks_by_hand():
    counts = mm.score_counts(SCORES, BADS)
    # bad 30 beats goods 10, 20; bads 50 and 60 beat all three goods: 8 of 9 pairs
    assert mm.auc(counts) == pytest.approx(8 / 9)
    test = roc_inference.delong([SCORES], BADS)
    assert test.aucs[0] == pytest.approx(8 / 9)
    assert test.aucs[0] == pytest.approx(roc_auc_score(BADS, SCORES))
    # F_good - F_bad at 20 is 2/3 - 0 and at 40 it is 1 - 1/3
    assert roc_inference.ks_interval(counts).statistic == pytest.approx(2 / 3)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_delong_matches_sklearn_and_the_definition_with_ties(seed):
    rng = np.random.default_rng(seed)
    bads = rng.random(300) < 0.25
    first = np.round(rng.normal(size=300) + bads, 1)  # rounded: many ties
    second = np.round(first + rng.normal(size=300), 1)
    test = roc_inference.delong([first, second], bads)
    for index, scores in enumerate((first, second)):
        auc, var = naive_delong(scores, bads)
        assert test.aucs[index] == pytest.approx(roc_auc_score(bads, scores))
        assert test.aucs[index] == pytest.approx(auc)
        assert test.covariance[index, index] == pytest.approx(var)
    diff, low, high, p = test.difference()
    assert diff == pytest.approx(test.aucs[1] - test.aucs[0])
    assert low < diff < high and 0 <= p <= 1


def test_delong_of_the_same_score_has_no_difference():
    test = roc_inference.delong([SCORES, SCORES], BADS)
    assert test.difference() == (0.0, 0.0, 0.0, 1.0)


def test_ks_interval_holds_the_statistic_and_is_deterministic():
    rng = np.random.default_rng(5)
    bads = rng.random(2000) < 0.1
    scores = np.round(rng.normal(size=2000) + bads, 2)
    counts = mm.score_counts(scores, bads)
    first, again = roc_inference.ks_interval(counts), roc_inference.ks_interval(counts)
    assert first == again
    assert first.low <= first.statistic <= first.high
    assert first.statistic == pytest.approx(mm.ks(counts).statistic)


def test_psi_between_identical_samples_is_zero():
    values = np.arange(100, dtype=float)
    assert mc.psi_between(values, values) == pytest.approx(0.0)
    # half the sample moved above the reference maximum: a significant shift
    assert mc.psi_between(values, values + 50) > mm.PSI_ACTION


def test_stability_covers_weighted_and_binned_factors_by_hand():
    # four month-ends, the last two out of time; the champion weighs dpd 0.6 and legal 0 (left
    # out), the challenger bins max_dpd and utilisation and also weighs utilisation (so its
    # binned one is named utilisation_points)
    months = [date(2026, m, 28) for m in (1, 2, 3, 4)]
    champion = pl.DataFrame(
        {
            "as_of": months,
            "score": [10.0, 20.0, 30.0, 40.0],
            "dpd_score": [0.0, 10.0, 20.0, 50.0],
            "legal_score": [0.0, 0.0, 0.0, 100.0],
        }
    )
    challenger_frame = pl.DataFrame(
        {
            "as_of": months,
            "score": [5.0, 5.0, 25.0, 35.0],
            "utilisation_score": [40.0, 40.0, 40.0, 40.0],
            "max_dpd_points": [0.0, 4.0, 8.0, None],  # a month-end without points is skipped
            "utilisation_points": [1.0, 1.0, 1.0, 1.0],
        }
    )
    weights = {
        "champion": {"dpd": 0.6, "legal": 0.0},
        "challenger": {"dpd": 0.0, "utilisation": 0.5},
    }
    found = mc.stability(champion, challenger_frame, weights, oot_months=2)
    rows = {(r["model"], r["characteristic"]): r for r in found.iter_rows(named=True)}
    assert set(rows) == {
        ("champion", "score"),
        ("champion", "dpd"),
        ("challenger", "score"),
        ("challenger", "utilisation"),
        ("challenger", "max_dpd"),
        ("challenger", "utilisation_points"),
    }
    # points shift = weight x (mean out of time - mean in time)
    assert rows[("champion", "score")]["points_shift"] == pytest.approx(35 - 15)
    assert rows[("champion", "dpd")]["points_shift"] == pytest.approx(0.6 * (35 - 5))
    assert rows[("challenger", "max_dpd")]["points_shift"] == pytest.approx(8 - 2)
    assert rows[("challenger", "max_dpd")]["weight"] == 1.0
    assert rows[("challenger", "utilisation_points")]["points_shift"] == pytest.approx(0.0)
    assert rows[("challenger", "utilisation_points")]["psi"] == pytest.approx(0.0)
    assert rows[("challenger", "max_dpd")]["psi"] == pytest.approx(
        mc.psi_between(np.array([0.0, 4.0]), np.array([8.0]))
    )


def test_a_binned_challenger_brings_its_points_per_factor(tiny_db):
    # month_end_scores adds cm_scorecard's points per binned factor, in the policy's order
    raw = load_policy().to_dict()
    raw["weights"] = {k: 0.0 for k in raw["weights"]}
    raw["scorecard"] = {
        "max_dpd": {"edges": [1.0, 31.0], "points": [0.0, 20.0, 60.0], "missing": 0.0},
        "late_share_12m": {"edges": [0.2], "points": [0.0, 40.0], "missing": 10.0},
    }
    scored = challenger.challenger(Policy.from_dict(raw), tiny_db).scores
    points = [c for c in scored.columns if c.endswith("_points")]
    assert points == ["max_dpd_points", "late_share_12m_points"]
    total = scored["max_dpd_points"] + scored["late_share_12m_points"]
    assert (total - scored["score"]).abs().max() < 1e-9


def frames(difference: dict[str, tuple[float, float]], psi: float, moves: dict) -> tuple:
    diff = pl.DataFrame(
        [(s, (lo + hi) / 2, lo, hi, 0.01) for s, (lo, hi) in difference.items()],
        schema=["sample", "difference", "low", "high", "p_value"],
        orient="row",
    )
    stable = pl.DataFrame(
        {
            "model": ["challenger", "challenger"],
            "characteristic": ["score", "late"],
            "weight": [1.0, 0.3],
            "psi": [psi, 0.30],
            "points_shift": [0.0, 0.0],
        }
    )
    grid = [(a, b) for a in mc.GRADES for b in mc.GRADES]
    migration = pl.DataFrame(
        [(a, b, moves.get((a, b), 0), 0.0) for a, b in grid],
        schema=["champion_grade", "challenger_grade", "customers", "exposure"],
        orient="row",
    )
    impact = pl.DataFrame(
        {
            "model": ["champion", "challenger"],
            "as_of": [date(2026, 1, 31)] * 2,
            "customers": [10, 10],
            "exposure": [100.0, 100.0],
            "expected_loss": [10.0, 7.5],
            "watchlist": [3, 5],
            "grade_e": [1, 3],
            "exposure_e": [1.0, 3.0],
        }
    )
    calibration = pl.DataFrame(
        {"model": ["challenger", "challenger"], "grade": ["D", "E"], "pd_within_ci": [False, None]}
    )
    return diff, stable, migration, impact, calibration


@pytest.mark.parametrize(
    ("in_time", "out_of_time", "psi", "expected"),
    [
        ((0.01, 0.03), (0.01, 0.02), 0.05, ("better", "better", "stable", "promote")),
        ((-0.01, 0.03), (0.01, 0.02), 0.15, ("same", "better", "shift", "promote")),
        ((-0.03, -0.01), (0.01, 0.02), 0.05, ("worse", "better", "stable", "hold")),
        ((0.01, 0.03), (-0.01, 0.02), 0.05, ("better", "same", "stable", "hold")),
        ((0.01, 0.03), (-0.03, -0.01), 0.05, ("better", "worse", "stable", "reject")),
        ((0.01, 0.03), (0.01, 0.02), 0.30, ("better", "better", "unstable", "reject")),
    ],
)
def test_verdict_rules(in_time, out_of_time, psi, expected):
    moves = {("C", "E"): 2, ("E", "D"): 1, ("A", "A"): 5, ("B", "A"): 4}
    found = mc.verdict(*frames({"in_time": in_time, "out_of_time": out_of_time}, psi, moves))
    assert (found.in_time, found.out_of_time, found.stability, found.recommendation) == expected
    assert (found.into_e, found.out_of_e) == (2, 1)
    assert (found.upgrades, found.downgrades) == (5, 2)  # E->D and B->A up; C->E down
    assert found.el_change == pytest.approx(-2.5)
    assert found.watchlist_change == 2
    assert found.unstable_factors == ("late",)
    assert found.miscalibrated == ("D",)


def reweighted(**weights: float) -> Policy:
    raw = tomllib.loads(DEFAULT_POLICY.read_text(encoding="utf-8"))
    raw["weights"] = weights
    raw["name"] = "Challenger with late payments weighed up"
    return Policy.from_dict(raw)


CHALLENGER = reweighted(
    dpd=0.2, late=0.35, rating=0.2, utilisation=0.1, operational=0.05, legal=0.1
)


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("tiny_cc") / "warehouse.duckdb"
    con, _ = build_tiny(path)
    con.close()
    return path


def test_scoring_a_challenger_leaves_the_live_warehouse_unchanged(tiny_db):
    challenger.clear_cache()
    con = warehouse.connect(tiny_db, read_only=True)
    before, version = warehouse.checksum(con), warehouse.file_version(tiny_db)
    con.close()
    steps = []
    scored = challenger.challenger(CHALLENGER, tiny_db, lambda label, d, n: steps.append(label))
    con = warehouse.connect(tiny_db, read_only=True)
    assert warehouse.checksum(con) == before
    con.close()
    assert warehouse.file_version(tiny_db) == version
    assert steps[0] == "challenger copy" and "challenger cm_scores" in steps
    champion = challenger.champion(tiny_db)
    assert champion.scores["as_of"].max() == date(2026, 2, 28)  # month-ends only
    assert scored.scores.height == champion.scores.height
    # the score is the challenger's weighted sum of the same factor scores
    f = scored.scores
    expected = sum(CHALLENGER.weights[k] * f[f"{k}_score"] for k in CHALLENGER.weights)
    assert np.allclose(f["score"].to_numpy(), expected.to_numpy())
    assert not np.allclose(f["score"].to_numpy(), champion.scores["score"].to_numpy())
    # cached per (warehouse version, policy): the same frame again, without a rebuild
    steps.clear()
    assert challenger.challenger(CHALLENGER, tiny_db, lambda *a: steps.append(a[0])) is scored
    assert steps == ["challenger done"]


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ('dpd = "heavy"', "weights.dpd"),
        ("dpd = 0.9", "weights"),  # no longer sums to 1
        ("speed = 0.1", "weights.speed"),
    ],
)
def test_an_invalid_challenger_is_refused_naming_the_key(change, key):
    text = DEFAULT_POLICY.read_text(encoding="utf-8")
    if change.startswith("speed"):
        broken = text.replace("[weights]\n", f"[weights]\n{change}\n", 1)
    else:
        broken = text.replace("dpd = 0.30 ", f"{change} ", 1)
    with pytest.raises(PolicyError) as refused:
        challenger.read_challenger(broken.encode())
    assert refused.value.key == key


def test_not_toml_is_refused():
    with pytest.raises(PolicyError) as refused:
        challenger.read_challenger(b"weights = [")
    assert refused.value.key == "policy"


def test_promotion_archives_the_old_file_writes_the_new_and_audits(tmp_path, monkeypatch):
    in_force = tmp_path / "policy.toml"
    in_force.write_text(DEFAULT_POLICY.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr("data.policy.DEFAULT_POLICY", in_force)
    monkeypatch.setenv("RISK_AUDIT_DB", str(tmp_path / "audit.sqlite"))
    done = challenger.promote(CHALLENGER, who="admin", role="admin", source="upload.toml")
    assert done.path == in_force
    assert load_policy() == CHALLENGER  # the next build's default policy
    assert load_policy(done.archived) == load_policy(DEFAULT_POLICY)
    rows = audit.recent(path=tmp_path / "audit.sqlite")
    assert rows["action"].to_list() == ["policy_promote"]
    assert rows["who"][0] == "admin" and CHALLENGER.name in rows["detail"][0]
