"""The [provisions] policy section: shipped values, refusals that name the key, round trips."""

from __future__ import annotations

import copy
import tomllib

import pytest

from data.policy import DEFAULT_POLICY, Policy, PolicyError, load_policy

RAW = tomllib.loads(DEFAULT_POLICY.read_text(encoding="utf-8"))


def edited(path: str, value: object) -> dict:
    """The shipped policy with one entry set (deleted when value is ...)."""
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


def test_shipped_provisions() -> None:
    p = load_policy().provisions
    assert p.lookback_months == 36
    assert p.aging_edges_days == (0, 30, 60, 90)
    assert p.stage2.triggers == ("dpd_backstop", "downgrade", "watchlist")
    assert p.stage2.dpd_backstop_days == 30 and p.stage2.downgrade_grades == 2
    assert p.probation_months == 3 and p.lifetime_floor_months == 12
    assert p.forward_looking["Construction"].factor == 1.2
    assert p.forward_looking["Construction"].reason.startswith("Housing")


@pytest.mark.parametrize(
    ("path", "value", "key"),
    [
        (
            "provisions.forward_looking.Retail.factor",
            2.5,
            "provisions.forward_looking.Retail.factor",
        ),
        (
            "provisions.forward_looking.Retail.factor",
            0.4,
            "provisions.forward_looking.Retail.factor",
        ),
        (
            "provisions.forward_looking.Retail.reason",
            "",
            "provisions.forward_looking.Retail.reason",
        ),
        ("provisions.forward_looking.Retail.why", "x", "provisions.forward_looking.Retail.why"),
        ("provisions.stage2.triggers", ["dpd_backstop", "rumour"], "provisions.stage2.triggers[1]"),
        ("provisions.stage2.triggers", ["watchlist", "watchlist"], "provisions.stage2.triggers"),
        ("provisions.stage2.downgrade_grades", 0, "provisions.stage2.downgrade_grades"),
        ("provisions.stage2.dpd_backstop_days", -1, "provisions.stage2.dpd_backstop_days"),
        ("provisions.lookback_months", 0, "provisions.lookback_months"),
        ("provisions.lookback_months", ..., "provisions.lookback_months"),
        ("provisions.aging_edges_days", [30, 60], "provisions.aging_edges_days"),
        ("provisions.aging_edges_days", [0, 60, 30], "provisions.aging_edges_days"),
        ("provisions.lifetime_pd", "marginal", "provisions.lifetime_pd"),
        ("provisions.discount", "libor", "provisions.discount"),
        ("provisions.lifetime_floor_months", 0, "provisions.lifetime_floor_months"),
        ("provisions.stage3", "in_default", "provisions.stage3"),
    ],
)
def test_bad_provisions_are_refused_naming_the_key(path: str, value: object, key: str) -> None:
    with pytest.raises(PolicyError) as refused:
        Policy.from_dict(edited(path, value))
    assert refused.value.key == key


def test_a_policy_without_provisions_reads_with_the_shipped_defaults() -> None:
    raw = copy.deepcopy(RAW)
    del raw["provisions"]
    p = Policy.from_dict(raw).provisions
    assert p.lookback_months == 36 and dict(p.forward_looking) == {}


def test_provisions_round_trip_through_flat_entries_and_toml(tmp_path) -> None:
    policy = load_policy()
    assert Policy.from_entries(policy.flat()) == policy
    file = tmp_path / "p.toml"
    file.write_text(policy.to_toml(), encoding="utf-8")
    assert load_policy(file) == policy
    raw = copy.deepcopy(RAW)
    del raw["provisions"]["forward_looking"]
    bare = Policy.from_dict(raw)
    assert Policy.from_entries(bare.flat()) == bare


def test_provision_params_bind_the_triggers_in_force() -> None:
    raw = edited("provisions.stage2.triggers", ["watchlist"])
    params = Policy.from_dict(raw).provision_params()
    assert (params["prov_use_backstop"], params["prov_use_downgrade"]) == (False, False)
    assert params["prov_use_watchlist"] is True
    assert params["flf_industries"] == ["Construction", "Retail", "Healthcare"]
    assert params["flf_factors"] == [1.2, 1.1, 0.9]
