"""python -m data worklog export: one file per kind with every version, CSV safe for spreadsheets,
Parquet as stored, scoped by --user, refusals with exit status 2, and an audit event."""

from __future__ import annotations

import json

import polars as pl
import pytest

from commands.cli import main
from data import audit, users
from data import worklog_collections as collections
from data import worklog_decisions as decisions
from data import worklog_reviews as reviews
from tests.worklog_helpers import ADMIN, ALERTS, ANALYST, TODAY, con, store, tiny_db

__all__ = ["con", "store", "tiny_db"]  # fixtures
KINDS = ("reviews", "decisions", "contacts", "promises", "disputes")


@pytest.fixture
def worked(con, store):
    reviews.take(con, ANALYST, "C1", ALERTS["C1"], 0, note="=cmd|' /C calc'!A0", store=store)
    reviews.close(con, ANALYST, "C1", ALERTS["C1"], 1, "limit_cut", store=store)
    pending = decisions.request(con, ANALYST, "C2", new_limit=4_000.0, reason="cut", store=store)
    decisions.approve(con, ADMIN, pending.item_id, 1, store=store)
    collections.promise(con, ANALYST, "C2", amount=50.0, promised_on=TODAY, today=TODAY,
                        store=store)  # fmt: skip
    return store


def test_the_export_writes_every_version_of_every_kind(worked, tmp_path, capsys) -> None:
    out = tmp_path / "out"
    assert main(["worklog", "export", "--out", str(out), "--store", str(worked)]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{k}.csv" for k in KINDS)
    printed = capsys.readouterr().out
    assert "5 versions written" in printed
    text = (out / "reviews.csv").read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")  # a BOM, so a spreadsheet reads UTF-8
    frame = pl.read_csv(out / "reviews.csv")
    assert frame.select("item_id", "version", "state", "assignee", "outcome").rows() == [
        (1, 1, "in_review", "ben", None),
        (1, 2, "closed", "ben", "limit_cut"),
    ]
    # a note that a spreadsheet would run as a formula is written as text
    assert frame["note"][0] == "'=cmd|' /C calc'!A0"
    assert pl.read_csv(out / "contacts.csv").height == 0


def test_parquet_keeps_the_values_as_stored(worked, tmp_path) -> None:
    out = tmp_path / "parquet"
    assert main(["worklog", "export", "--format", "parquet", "--out", str(out),
                 "--store", str(worked)]) == 0  # fmt: skip
    frame = pl.read_parquet(out / "decisions.parquet")
    assert frame.select("version", "state", "decided_by").rows() == [
        (1, "pending", None),
        (2, "approved", "root"),
    ]
    assert json.loads(frame["fields"][1])["new_limit"] == 4_000.0
    assert frame["new_limit"].to_list() == ["4000.0", "4000.0"]  # field columns are text
    assert pl.read_parquet(out / "reviews.parquet")["note"][0] == "=cmd|' /C calc'!A0"


@pytest.fixture
def access(tmp_path, tiny_db, monkeypatch):
    """An access file with a North analyst and an executive; RISK_DB on the tiny warehouse so
    their regions are checked against it."""
    monkeypatch.setenv("RISK_DB", str(tiny_db))
    path = tmp_path / "access.toml"
    users.save_user(path, users.User("ana", role="analyst", regions=("North",)))
    users.save_user(path, users.User("exe", role="executive"))
    return path


def test_user_limits_the_export_to_their_scope(worked, tmp_path, access, tiny_db) -> None:
    out = tmp_path / "ana"
    code = main([
        "worklog", "export", "--out", str(out), "--store", str(worked), "--db", str(tiny_db),
        "--user", "ana", "--access-file", str(access),
    ])  # fmt: skip
    assert code == 0
    # C1 is North; the decision and the promise are about C2 (South)
    assert pl.read_csv(out / "reviews.csv").height == 2
    assert pl.read_csv(out / "decisions.csv").height == 0
    assert pl.read_csv(out / "promises.csv").height == 0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--user", "zoe"], "no user zoe in the access file"),
        (["--user", "exe"], "executives see the counts of work items"),
    ],
)
def test_refusals_exit_2_with_a_message(
    worked, tmp_path, access, arguments, message, capsys
) -> None:
    code = main([
        "worklog", "export", "--out", str(tmp_path / "x"), "--store", str(worked),
        "--access-file", str(access), *arguments,
    ])  # fmt: skip
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_a_folder_that_cannot_be_written_is_refused(worked, tmp_path, capsys) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    assert main(["worklog", "export", "--out", str(blocker), "--store", str(worked)]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_the_export_is_audited(worked, tmp_path, monkeypatch, access) -> None:
    monkeypatch.setenv("RISK_ACCESS_FILE", str(access))
    monkeypatch.setenv("RISK_AUDIT_DB", str(tmp_path / "audit.sqlite"))
    assert main(["worklog", "export", "--out", str(tmp_path / "o"), "--store", str(worked)]) == 0
    events = audit.recent(path=tmp_path / "audit.sqlite")
    assert events["action"].to_list() == ["export"]
    assert events["rows"].to_list() == [5]
    assert events["detail"][0].startswith("worklog (csv) -> ")
