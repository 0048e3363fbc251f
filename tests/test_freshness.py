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
