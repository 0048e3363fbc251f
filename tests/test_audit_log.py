"""The audit log file: append-only, filtered reads, and the command line's loads."""

from __future__ import annotations

import sqlite3

import pytest

from data import audit
from data.__main__ import main


def test_events_are_appended_and_read_newest_first(tmp_path):
    path = tmp_path / "audit.sqlite"
    audit.record("sign_in", who="ana", role="analyst", detail="password", path=path)
    audit.record("export", who="ana", role="analyst", detail="watchlist (csv)", rows=12, path=path)
    audit.record("sign_in_failed", who="bob", detail="wrong password", path=path)
    events = audit.recent(path=path)
    assert events["action"].to_list() == ["sign_in_failed", "export", "sign_in"]
    assert events.filter(events["action"] == "export")["rows"].to_list() == [12]
    assert audit.recent(actions=("export",), path=path).height == 1
    assert audit.recent(who="BO", path=path)["who"].to_list() == ["bob"]
    assert str(events.schema["at"]) == "Datetime(time_unit='us', time_zone='UTC')"


@pytest.mark.parametrize(
    "statement", ["update audit_log set who = 'someone else'", "delete from audit_log"]
)
def test_the_log_refuses_changes_and_deletions(tmp_path, statement):
    path = tmp_path / "audit.sqlite"
    audit.record("load", who="cli:me", detail="ingest", rows=3, path=path)
    con = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute(statement)
    con.close()
    assert audit.recent(path=path)["who"].to_list() == ["cli:me"]


def test_one_event_is_one_line_and_unknown_actions_are_refused(tmp_path):
    path = tmp_path / "audit.sqlite"
    audit.record("sign_in_failed", who="x\nfake 2026 admin sign_in", detail="a\rb", path=path)
    event = audit.recent(path=path).row(0, named=True)
    assert "\n" not in event["who"] and "\r" not in event["detail"]
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.record("delete_everything", who="x", path=path)


def test_nothing_is_recorded_while_access_control_is_off(tmp_path, monkeypatch):
    monkeypatch.setenv("RISK_ACCESS_FILE", "off")
    monkeypatch.setenv("RISK_AUDIT_DB", str(tmp_path / "audit.sqlite"))
    audit.record("sign_in", who="ana")
    assert not (tmp_path / "audit.sqlite").exists()


def test_command_line_loads_are_audited_next_to_their_warehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("RISK_ACCESS_FILE", str(tmp_path / "access.toml"))
    monkeypatch.delenv("RISK_AUDIT_DB", raising=False)
    db = tmp_path / "wh" / "warehouse.duckdb"
    assert main(["demo", "--db", str(db), "--customers", "40", "--quiet"]) == 0
    assert main(["build", "--db", str(db), "--quiet"]) == 0
    events = audit.recent(path=db.parent / "audit.sqlite").sort("audit_id")
    assert events["action"].to_list() == ["load", "load"]
    assert events["who"][0].startswith("cli")
    assert events["detail"][0].startswith("demo manufacturer seed 7")
    assert events["rows"][0] == 40
    assert events["detail"][1].startswith("build")
