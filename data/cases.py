"""The case-study warehouses: one demo warehouse per generator scenario, built on first use.

Each case (the manufacturer, the lender) lives in its own file data/cases/<scenario>.duckdb (or
under $RISK_CASES_DIR), built by the demo generator with a fixed size and seed so every user sees
the same case. A build goes through warehouse.writing, so readers of an older file are never
disturbed; a per-case lock makes a second session wait for the first build instead of repeating it.
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from data.generate_config import POLICY_MONTH, SCENARIO_CONFIG, SCENARIOS
from data.ingest import Progress
from data.warehouse import ROOT

CASES: tuple[str, ...] = SCENARIOS
DEFAULT_CASES_DIR = ROOT / "data" / "cases"
CASE_CUSTOMERS = 2000
CASE_SEED = 7


@dataclass(frozen=True)
class CaseTimeline:
    """The dated facts of a case the generator built in: when the policy changed, the downturn."""

    scenario: str
    policy_month: date  # first day of the month the credit policy took effect
    downturn_industry: str
    downturn_start: date
    downturn_end: date


def timeline(scenario: str) -> CaseTimeline:
    """The policy month and downturn of `scenario` (ValueError for an unknown scenario)."""
    _check(scenario)
    config = SCENARIO_CONFIG[scenario]
    return CaseTimeline(
        scenario=scenario,
        policy_month=POLICY_MONTH,
        downturn_industry=config.downturn_industry,
        downturn_start=config.downturn_start,
        downturn_end=config.downturn_end,
    )


def cases_dir() -> Path:
    """Where case warehouses live: $RISK_CASES_DIR, else data/cases."""
    env = os.environ.get("RISK_CASES_DIR")
    return Path(env) if env else DEFAULT_CASES_DIR


def case_path(scenario: str, lang: str = "en") -> Path:
    """The warehouse file of one case in a language (it may not exist yet): the same portfolio,
    company names and event notes in Chinese for "zh" (data.demo.build_demo's `lang`)."""
    _check(scenario)
    return cases_dir() / (f"{scenario}.duckdb" if lang == "en" else f"{scenario}-{lang}.duckdb")


def ensure_case(
    scenario: str,
    progress: Progress | None = None,
    customers: int = CASE_CUSTOMERS,
    seed: int = CASE_SEED,
    lang: str = "en",
) -> Path:
    """The case's warehouse path, building it first when it does not exist yet.

    `progress(label, step, total)` is called during a build. Concurrent callers are serialised by
    a lock file, and the file is checked again under the lock, so a case is built once.
    """
    target = case_path(scenario, lang)
    if target.exists() and _current(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.with_name(f"{target.name}.build.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            # a case of an earlier release is generated anew: its rows are the generator's, and
            # the generator changes with the definitions
            if not (target.exists() and _current(target)):
                from data.demo import build_demo  # heavy: only when a case is built

                build_demo(
                    target,
                    scenario=scenario,
                    customers=customers,
                    seed=seed,
                    progress=progress,
                    lang=lang,
                )
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return target


def is_ready(scenario: str, lang: str = "en") -> bool:
    """True when the case's warehouse exists and was built by this release's definitions."""
    target = case_path(scenario, lang)
    return target.exists() and _current(target)


def _current(path: Path) -> bool:
    from data import warehouse
    from data.build import is_current

    try:
        with warehouse.connect(path, read_only=True) as con:
            return is_current(con)
    except Exception:  # noqa: BLE001 - an unreadable case file is simply built again
        return False


def _check(scenario: str) -> None:
    if scenario not in CASES:
        raise ValueError(f"unknown case {scenario!r}; expected one of {CASES}")
