"""The policy file: validation errors name their key, TOML round-trips, and the scoring rules."""

from __future__ import annotations

import copy
import dataclasses
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data.policy import DEFAULT_POLICY, FACTORS, GRADES, Policy, PolicyError, load_policy

RAW = tomllib.loads(DEFAULT_POLICY.read_text(encoding="utf-8"))
POLICY = load_policy()


def edited(path: str, value: object) -> dict:
    """The shipped policy's parsed TOML with one entry set (or deleted when value is ...)."""
    raw = copy.deepcopy(RAW)
    *parents, last = path.split(".")
    node = raw
    for part in parents:
        node = node[part]
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return raw


def test_shipped_policy_loads() -> None:
    assert POLICY.version == "2026.2"
    assert sum(POLICY.weights.values()) == pytest.approx(1.0)
    assert list(POLICY.weights) == list(FACTORS)
    assert dict(POLICY.grades) == {"B": 20.0, "C": 40.0, "D": 60.0, "E": 80.0}
    assert dict(POLICY.bands) == {"A": "Low", "B": "Low", "C": "Medium", "D": "High", "E": "High"}
    assert (POLICY.lgd.unsecured, POLICY.lgd.haircut, POLICY.lgd.floor) == (0.45, 0.40, 0.05)
    assert POLICY.pd.floor == 0.0003
    assert POLICY.watchlist.dpd == 30 and POLICY.watchlist.single_name_share == 0.10
    assert POLICY.default.dpd == 90
    assert POLICY.controls["High"].review_frequency_months == 1
    assert POLICY.controls["Low"].limit_action == "maintain"


@pytest.mark.parametrize(
    ("path", "value", "key"),
    [
        ("colour", "blue", "colour"),  # unknown top-level key
        ("weights.size", 0.0, "weights.size"),  # unknown nested key
        ("lgd.floor", ..., "lgd.floor"),  # missing key
        ("version", ..., "version"),
        ("weights.dpd", 0.40, "weights"),  # weights now sum to 1.1
        ("weights.late", -0.05, "weights.late"),
        ("grades.D", 30.0, "grades.D"),  # 30 after C's 40: not rising
        ("grades.C", 20.0, "grades.C"),  # equal to B's: not strictly rising
        ("grades.E", 120.0, "grades.E"),  # outside 0-100
        ("grades.F", 90.0, "grades.F"),  # unknown grade
        ("bands.F", "High", "bands.F"),
        ("bands.C", "Severe", "bands.C"),  # unknown band
        ("controls.Extreme", {}, "controls.Extreme"),
        ("watchlist.dpd", -1, "watchlist.dpd"),  # negative threshold
        ("watchlist.single_name_share", 1.5, "watchlist.single_name_share"),
        ("watchlist.downgrade_months", 2.5, "watchlist.downgrade_months"),  # not an integer
        ("default.dpd", -90, "default.dpd"),
        ("pd.floor", -0.001, "pd.floor"),  # PD outside 0-1
        ("pd.prior.C", 1.5, "pd.prior.C"),
        ("pd.prior.G", 0.5, "pd.prior.G"),
        ("lgd.haircut", 1.2, "lgd.haircut"),  # LGD parameter outside 0-1
        ("lgd.unsecured", "45%", "lgd.unsecured"),
        ("factors.dpd_cap_days", 0, "factors.dpd_cap_days"),
        ("factors.rating_scores.BBB", 120.0, "factors.rating_scores.BBB"),
        ("factors.rating_scores.unrated", ..., "factors.rating_scores.unrated"),
        ("factors.severity_points.6", 80.0, "factors.severity_points.6"),
        ("controls.High.collateral_required", "yes", "controls.High.collateral_required"),
        ("controls.Low.limit_action", "", "controls.Low.limit_action"),
        ("name", 7, "name"),
    ],
)
def test_invalid_policy_names_the_key(path: str, value: object, key: str) -> None:
    with pytest.raises(PolicyError) as caught:
        Policy.from_dict(edited(path, value))
    assert caught.value.key == key
    assert str(caught.value).startswith(f"{key}: ")


def test_unreadable_file_is_a_policy_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("version = \n", encoding="utf-8")
    with pytest.raises(PolicyError, match="not valid TOML"):
        load_policy(bad)


def test_to_toml_round_trips(tmp_path: Path) -> None:
    assert Policy.from_dict(tomllib.loads(POLICY.to_toml())) == POLICY
    # an edited policy, as the what-if page would offer for download, with an awkward name
    raw = edited("name", 'What-if "tight" — 2026 Q2')
    raw["weights"] |= {"dpd": 0.35, "legal": 0.05}
    raw["controls"]["Medium"]["limit_action"] = "cut 10 %"
    raw["pd"]["prior"]["A"] = 1e-05
    changed = Policy.from_dict(raw)
    file = tmp_path / "what_if.toml"
    file.write_text(changed.to_toml(), encoding="utf-8")
    assert load_policy(file) == changed
    assert load_policy(file).name == 'What-if "tight" — 2026 Q2'
    assert load_policy(file).pd.prior["A"] == 1e-05


def test_policy_is_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        POLICY.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        POLICY.weights["dpd"] = 1.0  # type: ignore[index]


def test_sql_params_are_flat_and_no_name_prefixes_another() -> None:
    params = POLICY.sql_params()
    # The runner binds $name when the text contains it: $rating_a would also match $rating_aa.
    names = list(params)
    assert not [(a, b) for a in names for b in names if a != b and b.startswith(a)]
    assert params["w_dpd"] == 0.30 and params["cut_b"] == 20.0 and params["band_c"] == "Medium"
    assert (
        params["lgd_unsecured"] == 0.45 and params["wl_dpd"] == 30 and params["default_dpd"] == 90
    )
    assert params["rating_bbb_score"] == 20.0 and params["rating_unrated_score"] == 50.0
    assert params["severity_4_points"] == 35.0 and params["pd_prior_e"] == 0.60
    assert all(isinstance(v, int | float | str) for v in params.values())


def test_flat_lists_every_entry_as_text() -> None:
    flat = POLICY.flat()
    assert flat["weights.dpd"] == "0.3"
    assert flat["controls.High.limit_action"] == "cut 25 %"
    assert flat["controls.Low.collateral_required"] == "false"
    assert flat["factors.severity_points.5"] == "50.0"


# --- the scoring rules (the build SQL mirrors them; test_customer_month checks it agrees) --------


@pytest.mark.parametrize(
    ("score", "grade"),
    [(0.0, "A"), (19.999, "A"), (20.0, "B"), (39.9, "B"), (40.0, "C"), (60.0, "D"), (79.99, "D"), (80.0, "E"), (100.0, "E")],
)  # fmt: skip
def test_grade_cut_offs(score: float, grade: str) -> None:
    assert POLICY.grade(score) == grade


def test_factor_rules_by_hand() -> None:
    assert POLICY.dpd_score(45) == 50.0  # 100 * 45 / 90
    assert POLICY.dpd_score(200) == 100.0  # capped at 90 days
    assert POLICY.late_score(1, 4) == 25.0  # 100 * 1 / 4
    assert POLICY.late_score(0, 0) == 0.0  # nothing due: no evidence of lateness
    assert POLICY.rating_score("BB") == 40.0 and POLICY.rating_score(None) == 50.0
    assert POLICY.utilisation_score(750.0, 1000.0) == 75.0
    assert POLICY.utilisation_score(5000.0, 1000.0) == 100.0  # capped at utilisation 1.0
    assert POLICY.utilisation_score(10.0, 0.0) == 100.0  # exposure without a limit
    assert POLICY.utilisation_score(0.0, 0.0) == 0.0
    assert POLICY.event_score([4, 3]) == 55.0  # 35 + 20
    assert POLICY.event_score([5, 5, 5]) == 100.0  # 150 capped
    # 0.30*50 + 0.15*25 + 0.20*40 + 0.15*75 + 0.10*55 + 0.10*0 = 15 + 3.75 + 8 + 11.25 + 5.5 = 43.5
    factors = {
        "dpd": 50,
        "late": 25,
        "rating": 40,
        "utilisation": 75,
        "operational": 55,
        "legal": 0,
    }
    assert POLICY.score(factors) == pytest.approx(43.5)
    assert POLICY.band(POLICY.grade(43.5)) == "Medium"


factor_scores = st.fixed_dictionaries({f: st.floats(0, 100, allow_nan=False) for f in FACTORS})


@settings(max_examples=30, deadline=None)
@given(factors=factor_scores)
def test_score_within_0_100(factors: dict[str, float]) -> None:
    assert 0.0 <= POLICY.score(factors) <= 100.0 + 1e-9


@settings(max_examples=30, deadline=None)
@given(factors=factor_scores, factor=st.sampled_from(list(FACTORS)), worse=st.floats(0, 100))
def test_worse_factor_never_lowers_score(
    factors: dict[str, float], factor: str, worse: float
) -> None:
    before = POLICY.score(factors)
    after = POLICY.score(factors | {factor: max(factors[factor], worse)})
    assert after >= before


@settings(max_examples=30, deadline=None)
@given(score=st.floats(0, 100, allow_nan=False))
def test_grade_follows_cut_offs(score: float) -> None:
    grade = POLICY.grade(score)
    index = GRADES.index(grade)
    lowest = 0.0 if grade == "A" else POLICY.grades[grade]
    highest = POLICY.grades[GRADES[index + 1]] if index < 4 else float("inf")
    assert lowest <= score < highest


@settings(max_examples=30, deadline=None)
@given(a=st.floats(0, 100, allow_nan=False), b=st.floats(0, 100, allow_nan=False))
def test_grade_is_monotone(a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert GRADES.index(POLICY.grade(low)) <= GRADES.index(POLICY.grade(high))


def test_a_policy_reads_back_from_its_own_dict():
    # the fit and the What-if page derive policies from `to_dict()`: every section, including
    # the list-valued ones ([provisions] aging edges and triggers, scorecard edges), reads back
    policy = load_policy()
    assert Policy.from_dict(policy.to_dict()) == policy
