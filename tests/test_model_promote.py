"""`python -m data model promote FILE --by NAME [--build]`: the challenger becomes the policy file
builds read, the replaced file is archived, the audit log of the warehouse says who did it, and
`--build` rebuilds with it; a file that fails validation or a blank name changes nothing."""

from __future__ import annotations

import duckdb
import pytest

from commands.cli import main
from data import audit
from data.policy import DEFAULT_POLICY, load_policy
from tests.tiny_warehouse import build_book

CHALLENGER = (
    DEFAULT_POLICY.read_text(encoding="utf-8")
    .replace("dpd = 0.30 ", "dpd = 0.20 ", 1)
    .replace("late = 0.15 ", "late = 0.25 ", 1)
    .replace('name = "Baseline credit-control policy"', 'name = "Late payments weighed up"', 1)
)


@pytest.fixture
def setting(tmp_path, monkeypatch):
    in_force = tmp_path / "policy.toml"
    in_force.write_text(DEFAULT_POLICY.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr("data.policy.DEFAULT_POLICY", in_force)
    monkeypatch.delenv("RISK_AUDIT_DB", raising=False)
    db = tmp_path / "book.duckdb"
    con, _ = build_book(db)
    con.close()
    challenger = tmp_path / "challenger.toml"
    challenger.write_text(CHALLENGER, encoding="utf-8")
    return in_force, db, challenger


def policy_built(db) -> str:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql("select policy_name from warehouse_state").fetchall()[0][0]


def test_promote_writes_archives_audits_and_builds(setting, capsys):
    in_force, db, challenger = setting
    before = in_force.read_text(encoding="utf-8")
    code = main(["model", "promote", str(challenger), "--by", "Li Wei", "--db", str(db), "--build"])
    assert code == 0
    out = capsys.readouterr().out
    assert "Late payments weighed up (version" in out and "is the policy in force" in out
    assert load_policy().name == "Late payments weighed up"  # what every later build reads
    assert load_policy().weights["late"] == 0.25
    (archived,) = (in_force.parent / "policy_archive").glob("policy-*.toml")
    assert archived.read_text(encoding="utf-8") == before
    rows = audit.recent(path=db.parent / "audit.sqlite", actions=("policy_promote",))
    assert rows.height == 1
    assert rows["who"][0] == "Li Wei" and rows["role"][0] == "command line"
    assert "Late payments weighed up" in rows["detail"][0]
    assert policy_built(db) == "Late payments weighed up"


def test_without_build_the_next_build_uses_it(setting, capsys):
    in_force, db, challenger = setting
    assert main(["model", "promote", str(challenger), "--by", "Li Wei", "--db", str(db)]) == 0
    assert "the next build or load uses it" in capsys.readouterr().out
    assert policy_built(db) == "Baseline credit-control policy"  # not rebuilt
    assert main(["build", "--db", str(db), "--quiet"]) == 0
    assert policy_built(db) == "Late payments weighed up"


@pytest.mark.parametrize(
    ("text", "by", "message"),
    [
        (
            CHALLENGER.replace("dpd = 0.20 ", "dpd = 1.20 ", 1),
            "Li Wei",
            "challenger refused: weights",
        ),
        (CHALLENGER, "  ", "--by must name who promotes the policy"),
    ],
)
def test_a_refused_promotion_changes_nothing(setting, capsys, text, by, message):
    in_force, db, challenger = setting
    before = in_force.read_text(encoding="utf-8")
    challenger.write_text(text, encoding="utf-8")
    assert main(["model", "promote", str(challenger), "--by", by, "--db", str(db)]) == 2
    assert message in capsys.readouterr().err
    assert in_force.read_text(encoding="utf-8") == before
    assert not (in_force.parent / "policy_archive").exists()
    assert (
        not (db.parent / "audit.sqlite").exists()
        or audit.recent(path=db.parent / "audit.sqlite", actions=("policy_promote",)).is_empty()
    )
