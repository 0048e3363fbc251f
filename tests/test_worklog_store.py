"""The worklog file: created owner-only and migrated, append-only, versions in order, conflicts
between two changes of one item (also from two threads at once), plain-text notes, defensive
reads, and an audit event per change."""

from __future__ import annotations

import json
import sqlite3
import stat
import threading

import pytest

from data import audit, worklog, worklog_input
from data import worklog_reviews as reviews
from data.users import User
from data.worklog import Conflict, InvalidInput
from queries import worklist
from queries.filters import Filters
from tests.worklog_helpers import ADMIN, ALERTS, ANALYST, AS_OF, TODAY, con, store, tiny_db

__all__ = ["con", "store", "tiny_db"]  # fixtures


def test_the_file_is_created_owner_only_and_migrated(store) -> None:
    connection = worklog.connect(store)
    try:
        assert connection.execute("pragma user_version").fetchone()[0] == 1
        tables = {r[0] for r in connection.execute("select name from sqlite_master")}
        assert {"work_items", "work_versions"} <= tables
    finally:
        connection.close()
    assert stat.S_IMODE(store.stat().st_mode) == 0o600


def test_a_wider_file_is_narrowed(store) -> None:
    store.touch(mode=0o644)
    store.chmod(0o644)
    worklog.connect(store).close()
    assert stat.S_IMODE(store.stat().st_mode) == 0o600


def test_the_path_follows_the_environment_then_the_warehouse(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("RISK_WORKLOG_DB", raising=False)
    assert worklog.worklog_path(db=tmp_path / "w.duckdb") == tmp_path / "worklog.sqlite"
    monkeypatch.setenv("RISK_WORKLOG_DB", str(tmp_path / "elsewhere.sqlite"))
    assert worklog.worklog_path(db=tmp_path / "w.duckdb") == tmp_path / "elsewhere.sqlite"
    assert worklog.worklog_path(tmp_path / "given.sqlite") == tmp_path / "given.sqlite"


def test_items_and_versions_are_never_changed_in_place(con, store) -> None:
    reviews.take(con, ANALYST, "C1", ALERTS["C1"], 0, store=store)
    connection = worklog.connect(store)
    try:
        for statement in (
            "update work_versions set state = 'closed'",
            "delete from work_versions",
            "update work_items set customer_id = 'C2'",
            "delete from work_items",
        ):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                connection.execute(statement)
        # a version must follow the latest one: no gap, no second version 1
        for version in (1, 3):
            with pytest.raises(sqlite3.IntegrityError, match="follows the latest"):
                connection.execute(
                    "insert into work_versions (item_id, version, state, fields, author, at) "
                    "values (1, ?, 'closed', '{}', 'x', '2026-01-01T00:00:00')",
                    (version,),
                )
    finally:
        connection.close()


def test_every_change_is_a_new_version_with_author_and_time(con, store) -> None:
    first = reviews.take(con, ANALYST, "C1", ALERTS["C1"], 0, note="looking", store=store)
    second = reviews.comment(con, ADMIN, "C1", ALERTS["C1"], 1, "asked for accounts", store)
    assert (first.version, first.state, first.author) == (1, "in_review", "ben")
    assert (second.version, second.state, second.author, second.role) == (
        2,
        "in_review",
        "root",
        "admin",
    )
    assert second.item_id == first.item_id and second.at >= first.at
    history = worklog.versions(["C1"], store)
    assert [(v.version, v.note, v.author) for v in history] == [
        (1, "looking", "ben"),
        (2, "asked for accounts", "root"),
    ]
    assert worklog.revision(store) == 2


def test_a_change_based_on_an_old_version_is_refused_with_the_current_state(con, store) -> None:
    reviews.take(con, ANALYST, "C1", ALERTS["C1"], 0, store=store)
    reviews.close(con, ANALYST, "C1", ALERTS["C1"], 1, "no_action", store=store)
    with pytest.raises(Conflict) as caught:
        reviews.close(con, ADMIN, "C1", ALERTS["C1"], 1, "escalated", "too late", store)
    current = caught.value.current
    assert (current.version, current.state, current.fields["outcome"]) == (2, "closed", "no_action")
    assert current.author == "ben" and caught.value.based_on == 1
    assert "version 2 (closed by ben" in str(caught.value) and "not saved" in str(caught.value)
    # nothing of the refused change was written
    assert worklog.revision(store) == 2


def test_two_first_changes_of_an_untouched_alert_cannot_both_create_it(con, store) -> None:
    reviews.assign(con, ADMIN, "C2", ALERTS["C2"], 0, store=store)
    with pytest.raises(Conflict) as caught:
        reviews.take(con, ANALYST, "C2", ALERTS["C2"], 0, store=store)
    assert caught.value.current.state == "assigned"
    assert len(worklog.items("review", None, store)) == 1


def test_two_threads_closing_the_same_alert_one_wins_the_other_sees_it(tiny_db, store) -> None:
    from data import warehouse

    setup = warehouse.connect(tiny_db, read_only=True)
    try:
        reviews.take(setup, ANALYST, "C3", ALERTS["C3"], 0, store=store)
    finally:
        setup.close()
    start = threading.Barrier(2)
    results: dict[str, object] = {}

    def close_as(user: User, outcome: str) -> None:
        connection = warehouse.connect(tiny_db, read_only=True)
        try:
            start.wait()
            results[user.name] = reviews.close(
                connection, user, "C3", ALERTS["C3"], 1, outcome, f"by {user.name}", store
            )
        except Conflict as err:
            results[user.name] = err
        finally:
            connection.close()

    threads = [
        threading.Thread(target=close_as, args=(ANALYST, "limit_cut")),
        threading.Thread(target=close_as, args=(ADMIN, "escalated")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    conflicts = [r for r in results.values() if isinstance(r, Conflict)]
    closed = [r for r in results.values() if isinstance(r, worklog.Item)]
    assert len(conflicts) == 1 and len(closed) == 1
    winner = closed[0]
    # the loser sees the winner's state, and the winner's change is the one stored
    assert conflicts[0].current == winner
    stored = reviews.review("C3", ALERTS["C3"], store)
    assert (stored.version, stored.state, stored.fields["outcome"]) == (
        2,
        "closed",
        winner.fields["outcome"],
    )
    assert worklog.revision(store) == 2


@pytest.mark.parametrize(
    ("note", "stored"),
    [
        ("  plain  ", "plain"),
        ("two\r\nlines\tand a tab", "two\nlines\tand a tab"),
        ("\u202eevil", "\\u202eevil"),  # a bidirectional override is shown, not obeyed
        ("bell\x07", "bell\\u0007"),
        ("**bold** <b>html</b>", "**bold** <b>html</b>"),  # plain text: kept as typed
    ],
)
def test_notes_are_plain_text_with_hidden_characters_escaped(note: str, stored: str) -> None:
    assert worklog_input.clean_note(note) == stored


def test_a_note_too_long_is_refused_with_the_limit(con, store) -> None:
    with pytest.raises(InvalidInput, match="2,001 characters; at most 2,000"):
        reviews.comment(con, ANALYST, "C1", ALERTS["C1"], 0, "x" * 2001, store)
    with pytest.raises(InvalidInput, match="a note is required"):
        reviews.comment(con, ANALYST, "C1", ALERTS["C1"], 0, "   ", store)
    assert worklog_input.clean_note("x" * 2000) == "x" * 2000


def test_rows_written_by_hand_are_read_with_their_problem(con, store) -> None:
    reviews.take(con, ANALYST, "C1", ALERTS["C1"], 0, store=store)
    connection = worklog.connect(store)
    try:
        connection.execute(
            "insert into work_versions (item_id, version, state, fields, author, at) "
            "values (1, 2, 'closed', 'not json', x'3432', 'yesterday')"
        )
    finally:
        connection.close()
    (found,) = worklog.items("review", None, store)
    assert found.version == 2 and found.fields == {} and found.at is None
    assert "fields are not a JSON object" in found.problem and "author is not text" in found.problem
    history = worklist.customer_history(con, ADMIN, "C1", store)
    assert history.height == 2 and history["problem"].str.contains("not a time").any()
    # the listing still shows the alert rather than failing
    alerts = worklist.alert_reviews(con, ADMIN, Filters(as_of=AS_OF), store=store, today=TODAY)
    assert alerts.filter(customer_id="C1")["state"].to_list() == ["closed"]


def test_every_change_is_an_audit_event_while_access_control_is_on(
    con, store, tmp_path, monkeypatch
) -> None:
    access = tmp_path / "access.toml"
    access.write_text('[users.ben]\nrole = "analyst"\n', encoding="utf-8")
    monkeypatch.setenv("RISK_ACCESS_FILE", str(access))
    monkeypatch.setenv("RISK_AUDIT_DB", str(tmp_path / "audit.sqlite"))
    reviews.take(con, ANALYST, "C1", ALERTS["C1"], 0, store=store)
    reviews.close(con, ANALYST, "C1", ALERTS["C1"], 1, "no_action", store=store)
    events = audit.recent(path=tmp_path / "audit.sqlite")
    assert events["action"].to_list() == ["worklog", "worklog"]
    assert events["who"].to_list() == ["ben", "ben"]
    assert events["detail"].to_list() == [
        "review 1 v2 closed customer C1",
        "review 1 v1 in_review customer C1",
    ]
    assert audit.verify(tmp_path / "audit.sqlite").verified


def test_fields_are_stored_as_a_json_object(con, store) -> None:
    reviews.take(con, ANALYST, "C5", ALERTS["C5"], 0, store=store)
    connection = worklog.connect(store)
    try:
        (text,) = connection.execute("select fields from work_versions").fetchone()
    finally:
        connection.close()
    assert json.loads(text) == {
        "assignee": "ben",
        "band": "Low",
        "due_on": "2027-03-17",
        "entered_on": "2026-03-17",
        "triggers": ["overdue"],
    }
