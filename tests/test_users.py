"""Local users: the access file, argon2id hashes checked only by argon2's verify, and the
`python -m data user` commands."""

from __future__ import annotations

import io

import pytest
from argon2 import PasswordHasher

from commands.cli import main
from data import users

PASSWORD = "a long enough secret"


@pytest.fixture
def access(tmp_path, monkeypatch):
    path = tmp_path / "access.toml"
    monkeypatch.setenv("RISK_ACCESS_FILE", str(path))
    return path


def _add(path, *args: str, password: str | None = PASSWORD, monkeypatch=None) -> int:
    if password is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
        args = (*args, "--password-stdin")
    return main(["user", "--access-file", str(path), "add", *args])


@pytest.mark.parametrize(
    ("env", "expected"),
    [("off", None), ("", None), ("none", None), ("/x/access.toml", "/x/access.toml")],
)
def test_the_access_file_comes_from_the_environment(monkeypatch, env, expected):
    monkeypatch.setenv("RISK_ACCESS_FILE", env)
    found = users.access_file()
    assert (str(found) if found else None) == expected


def test_without_the_variable_the_repository_access_toml_switches_it_on(monkeypatch, tmp_path):
    monkeypatch.delenv("RISK_ACCESS_FILE")
    monkeypatch.setattr(users, "DEFAULT_ACCESS_FILE", tmp_path / "access.toml")
    assert users.access_file() is None
    (tmp_path / "access.toml").write_text("")
    assert users.access_file() == tmp_path / "access.toml"


def test_a_stored_password_is_an_argon2id_hash_and_never_the_clear_text(access, monkeypatch):
    assert _add(access, "ana", "--role", "analyst", monkeypatch=monkeypatch) == 0
    text = access.read_text()
    assert PASSWORD not in text
    stored = users.load_users(access)["ana"].password_hash
    assert stored.startswith("$argon2id$v=19$")
    assert access.stat().st_mode & 0o777 == 0o600


def test_passwords_are_checked_by_argon2_verify_only(access, monkeypatch):
    _add(access, "ana", "--role", "analyst", monkeypatch=monkeypatch)
    user = users.load_users(access)["ana"]
    calls = []

    class Spy(PasswordHasher):
        def verify(self, hash, password):  # noqa: A002 - argon2's parameter name
            calls.append((hash, password))
            return super().verify(hash, password)

    monkeypatch.setattr(users, "_hasher", Spy())
    assert users.verify_password(user, PASSWORD)
    assert not users.verify_password(user, PASSWORD + "!")
    assert not users.verify_password(user, "")
    # Every answer came from argon2's verify against the stored hash.
    assert [h for h, _ in calls] == [user.password_hash] * 3


def test_an_unknown_user_or_one_without_a_hash_never_signs_in_but_costs_a_verify(monkeypatch):
    calls = []

    class Spy(PasswordHasher):
        def verify(self, hash, password):  # noqa: A002
            calls.append(hash)
            return super().verify(hash, password)

    monkeypatch.setattr(users, "_hasher", Spy())
    assert not users.verify_password(None, "not a password of anyone")
    assert not users.verify_password(users.User("x", role="admin"), "not a password of anyone")
    # A dummy hash is checked, so an unknown name answers as slowly as a known one.
    assert len(calls) == 2 and all(h.startswith("$argon2id$") for h in calls)


def test_a_corrupt_hash_is_a_failed_sign_in_not_an_error():
    assert not users.verify_password(users.User("x", password_hash="plain text"), "plain text")


def test_user_add_changes_an_existing_user_and_keeps_the_password_on_request(
    access, monkeypatch, capsys
):
    _add(access, "ana", "--role", "analyst", "--regions", "North", monkeypatch=monkeypatch)
    before = users.load_users(access)["ana"].password_hash
    assert (
        _add(
            access,
            "ana",
            "--role",
            "executive",
            "--keep-password",
            "--email",
            "Ana@Example.com",
            password=None,
        )
        == 0
    )
    ana = users.load_users(access)["ana"]
    assert (ana.role, ana.regions, ana.password_hash) == ("executive", (), before)
    assert users.user_by_email(users.load_users(access), "ana@example.COM") == ana
    assert "changed user ana" in capsys.readouterr().out


def test_user_add_asks_twice_for_the_password_and_refuses_a_mismatch(access, monkeypatch):
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert _add(access, "ana", "--role", "admin", password=None) == 2
    assert not access.exists()
    answers = iter([PASSWORD, PASSWORD])
    assert _add(access, "ana", "--role", "admin", password=None) == 0
    assert users.verify_password(users.load_users(access)["ana"], PASSWORD)


@pytest.mark.parametrize(
    ("args", "password"),
    [
        (("ana", "--role", "analyst"), "short"),  # too short
        (("bad name!", "--role", "analyst"), PASSWORD),
        (("ana", "--role", "analyst", "--keep-password"), None),  # nothing to keep
    ],
)
def test_user_add_refuses_and_leaves_the_file_unchanged(access, monkeypatch, args, password):
    assert _add(access, *args, password=password, monkeypatch=monkeypatch) == 2
    assert not access.exists()


def test_an_unknown_role_is_refused_by_the_command_line(access):
    with pytest.raises(SystemExit) as exit_:
        main(["user", "--access-file", str(access), "add", "ana", "--role", "auditor"])
    assert exit_.value.code == 2


def test_user_list_and_remove(access, monkeypatch, capsys):
    _add(access, "ana", "--role", "analyst", "--regions", "North", "East", monkeypatch=monkeypatch)
    _add(access, "sso", "--role", "executive", "--no-password", "--email", "s@x.io", password=None)
    capsys.readouterr()
    assert main(["user", "--access-file", str(access), "list"]) == 0
    out = capsys.readouterr().out
    assert "ana" in out and "North, East" in out and "password" in out
    assert "sso" in out and "oidc" in out and "$argon2" not in out
    assert main(["user", "--access-file", str(access), "remove", "ana"]) == 0
    assert set(users.load_users(access)) == {"sso"}
    assert main(["user", "--access-file", str(access), "remove", "ana"]) == 2


HAND_EDITED = [
    ('regions = "West"', "regions must be a non-empty list"),
    ("regions = []", "regions must be a non-empty list"),
    ("regions = [1, 2]", "regions must be region names"),
    ('regions = ["Atlantis"]', "region(s) Atlantis unknown to the warehouse"),
    ('region = ["West"]', "unknown key(s) 'region'"),
    ('role = "analist"', "role 'analist' is not one of"),
    ("role = 3", "role 3 is not one of"),
]


@pytest.mark.parametrize(("line", "problem"), HAND_EDITED)
def test_a_hand_edited_entry_is_denied_logged_and_listed_never_all_regions(
    access, capsys, caplog, line, problem
):
    role = "" if line.startswith("role") else 'role = "analyst"\n'
    access.write_text(f'[users.ana]\n{role}{line}\nemail = "ana@example.com"\n', "utf-8")
    access.chmod(0o600)
    with caplog.at_level("ERROR", logger="data.users"):
        ana = users.load_users(access, regions=frozenset({"West", "East"}))["ana"]
    assert ana.known_role is None  # denied: no pages, no queries (dashboard.auth.query_scope)
    assert any(problem in p for p in ana.problems), ana.problems
    assert any(
        "user 'ana' denied" in r.getMessage() and problem in r.getMessage() for r in caplog.records
    )
    # `user list` says so, and never "all regions" for it.
    if "Atlantis" not in line:  # the command line checks regions against the default warehouse
        assert main(["user", "--access-file", str(access), "list"]) == 0
        out = capsys.readouterr().out
        assert "DENIED" in out and problem in out and "all regions" not in out


def test_a_valid_entry_passes_and_a_file_others_may_write_is_warned_about(access, capsys, caplog):
    access.write_text('[users.ana]\nrole = "analyst"\nregions = ["West"]\n', "utf-8")
    access.chmod(0o666)
    with caplog.at_level("WARNING", logger="data.users"):
        ana = users.load_users(access, regions=frozenset({"West"}))["ana"]
    assert (ana.known_role, ana.regions, ana.problems) == ("analyst", ("West",), ())
    assert any("writable by group or others" in r.getMessage() for r in caplog.records)
    assert main(["user", "--access-file", str(access), "list"]) == 0
    captured = capsys.readouterr()
    assert "writable by group or others (mode 0666)" in captured.err
    assert "West" in captured.out and "DENIED" not in captured.out
    access.chmod(0o600)
    assert users.file_warnings(access) == []


def test_the_command_line_does_not_rewrite_an_invalid_entry_into_a_wider_one(access, monkeypatch):
    access.write_text('[users.bob]\nrole = "analyst"\nregion = ["West"]\n', "utf-8")
    # Adding someone else would write bob back without the misspelt key: every region.
    assert _add(access, "ana", "--role", "admin", monkeypatch=monkeypatch) == 2
    assert "region = " in access.read_text() and "ana" not in users.load_users(access)
    assert main(["user", "--access-file", str(access), "remove", "bob"]) == 0
    assert _add(access, "ana", "--role", "admin", monkeypatch=monkeypatch) == 0
