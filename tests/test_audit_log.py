"""The audit log file: append-only, filtered reads, and the command line's loads."""

from __future__ import annotations

import sqlite3

import pytest

from commands.cli import main
from data import audit, sqlite_files


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


# --- hardening: defensive reads, hash chain, file mode, escaped names ------------------------
def _raw(path):
    # Straight into the file, as someone with write access to it could.
    return sqlite3.connect(path, isolation_level=None)


def test_every_row_is_chained_and_a_changed_removed_or_forged_row_breaks_the_chain(tmp_path):
    path = tmp_path / "audit.sqlite"
    for who in ("ana", "bob", "eve", "max"):
        audit.record("sign_in", who=who, role="analyst", detail="password", path=path)
    assert audit.verify(path).verified
    assert audit.recent(path=path)["chain"].to_list() == ["ok"] * 4
    con = _raw(path)
    # A row without hashes is refused outright.
    with pytest.raises(sqlite3.DatabaseError, match="prev_hash and row_hash"):
        con.execute("insert into audit_log (at, who, action) values ('x', 'eve', 'sign_in')")
    # The triggers can be dropped by anyone who can write the file: the chain still shows it.
    con.execute("drop trigger audit_log_no_update")
    con.execute("drop trigger audit_log_no_delete")
    con.execute("update audit_log set role = 'admin' where who = 'bob'")  # changed
    con.execute("delete from audit_log where who = 'eve'")  # removed
    last = con.execute("select row_hash from audit_log order by audit_id desc").fetchone()[0]
    con.execute(
        "insert into audit_log (at, who, action, detail, prev_hash, row_hash) "
        "values ('2026-11-30T10:00:00+00:00', 'mallory', 'export', '', ?, ?)",
        (last, "f" * 64),  # forged, with a made-up hash
    )
    con.close()
    chain = audit.verify(path)
    by_who = dict(audit.recent(path=path, chain=chain).select("who", "chain").iter_rows())
    assert by_who == {"ana": "ok", "bob": "altered", "max": "gap", "mallory": "altered"}
    assert not chain.verified and len(chain.failures) == 3


def test_a_row_with_malformed_values_is_shown_as_such_and_the_audit_page_stays_up(auth_on):
    from tests.auth_helpers import app_as

    audit.record("sign_in", who="admin", role="admin", detail="password", path=auth_on)
    con = _raw(auth_on)
    con.execute(
        "insert into audit_log (at, who, role, action, detail, rows, prev_hash, row_hash) "
        "values ('yesterday-ish', x'00ff', 7, 'delete_everything', 3.5, 'many', 'a', 'b')"
    )
    con.close()
    bad = audit.recent(path=auth_on).row(0, named=True)
    assert bad["at"] is None and bad["rows"] is None and bad["chain"] == "altered"
    for problem in ("time 'yesterday-ish' is not a time", "user is not text", "unknown action"):
        assert problem in bad["problem"]
    at = app_as("admin", "audit")
    assert not at.exception
    assert at.title[0].value == "Audit log"
    assert at.error[0].value.startswith("The hash chain does not verify: 1 events break it")
    assert "malformed values" in at.warning[0].value
    shown = at.dataframe[0].value
    assert "yesterday-ish" in shown["problem"].iloc[0]
    assert shown["chain"].iloc[0] == "changed"


def test_the_audit_file_is_its_owners_only_and_names_are_stored_escaped(tmp_path):
    path = tmp_path / "audit.sqlite"
    audit.record(
        "sign_in_failed", who="\u202e1nimda", detail="wrong \u2066password\u2069", path=path
    )
    for file in (path, path.with_name("audit.sqlite-wal"), path.with_name("audit.sqlite-shm")):
        if file.exists():
            assert file.stat().st_mode & 0o777 == 0o600, file
    event = audit.recent(path=path).row(0, named=True)
    assert event["who"] == "\\u202e1nimda"  # shows its hidden character, never like "admin1"
    assert event["detail"] == "wrong \\u2066password\\u2069"
    stored = _raw(path).execute("select who from audit_log").fetchone()[0]
    assert stored == "\\u202e1nimda"


def test_an_audit_file_from_before_the_chain_is_migrated_and_its_rows_marked(tmp_path):
    path = tmp_path / "audit.sqlite"
    con = _raw(path)
    for statement in sqlite_files.statements((audit.MIGRATIONS / "001_audit_log.sql").read_text()):
        con.execute(statement)
    con.execute("pragma user_version = 1")
    con.execute(
        "insert into audit_log (at, who, action) values ('2026-01-05T09:00:00+00:00', 'old', "
        "'sign_in')"
    )
    con.close()
    path.chmod(0o644)
    audit.record("sign_out", who="old", path=path)
    events = audit.recent(path=path).sort("audit_id")
    assert events["chain"].to_list() == ["before_chain", "ok"]
    assert audit.verify(path).verified
    assert path.stat().st_mode & 0o777 == 0o600
