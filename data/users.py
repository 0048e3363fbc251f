"""Who may use the dashboard: the access file, its users and roles, and argon2id password checks.

Access control is off while no access file exists (the demo runs open) and on as soon as one does:
$RISK_ACCESS_FILE, else `access.toml` at the repository root. `RISK_ACCESS_FILE=off` (or empty)
turns it off explicitly. The file is TOML, written by `python -m data user ...`:

    [users.alice]
    role = "analyst"
    regions = ["North", "East"]          # optional: row-level scope (analysts)
    email = "alice@example.com"          # optional: the identity-provider account (st.login)
    password_hash = "$argon2id$v=19$..."  # optional: local sign-in; never the password itself

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106) and only ever checked with
PasswordHasher.verify: the clear text is never stored, logged or compared.

The file is validated on every read (validate_entry): an entry with a key, type, role or region
the dashboard does not know is kept with its `problems` and denies that user everything (a typo must
never widen a scope: `regions = "West"` or `regions = []` used to mean every region). Problems are
logged once per version of the file and shown by `user list`.
"""

from __future__ import annotations

import json
import logging
import os
import re
import stat as stat_module
import tempfile
import tomllib
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ACCESS_FILE = ROOT / "access.toml"
ROLES = ("executive", "analyst", "admin")
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD_LENGTH = 10
_OFF = {"", "off", "none", "0", "false"}
ENTRY_KEYS = frozenset({"role", "regions", "email", "password_hash"})
_LOG = logging.getLogger(__name__)


class AccessFileError(Exception):
    """The access file cannot be read, or a user change was refused; the file is unchanged."""


@dataclass(frozen=True)
class User:
    """One entry of the access file. `role` is None (or not in ROLES) for a user without a role."""

    name: str
    role: str | None = None
    regions: tuple[str, ...] = ()
    email: str | None = None
    password_hash: str | None = field(default=None, repr=False)
    # Why the entry in the access file is not valid; any problem denies the user everything.
    problems: tuple[str, ...] = ()
    # False when writing this user back would not reproduce its entry (unknown keys, wrong types).
    lossless: bool = field(default=True, repr=False, compare=False)

    @property
    def known_role(self) -> str | None:
        """The role if it is one the dashboard knows and the entry is valid, else None (deny by
        default)."""
        return self.role if self.role in ROLES and not self.problems else None


def access_file() -> Path | None:
    """The access file in force, or None when access control is off."""
    env = os.environ.get("RISK_ACCESS_FILE")
    if env is not None:
        if env.strip().lower() in _OFF:
            return None
        return Path(env)
    return DEFAULT_ACCESS_FILE if DEFAULT_ACCESS_FILE.exists() else None


def access_file_target(path: str | os.PathLike[str] | None = None) -> Path:
    """Where user commands write: the explicit path, else $RISK_ACCESS_FILE, else access.toml."""
    if path:
        return Path(path)
    return access_file() or DEFAULT_ACCESS_FILE


def load_users(path: Path, regions: frozenset[str] | None = None) -> dict[str, User]:
    """Every user in the access file by name ({} for a missing file), each validated against
    `regions` (default: the regions of the main warehouse; None when it has none yet, and then
    region names are not checked). Raises AccessFileError when the file cannot be read at all."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return {}
    known = warehouse_regions() if regions is None else regions
    return dict(_parsed(str(path), stat.st_mtime_ns, stat.st_size, stat.st_mode, known))


def file_warnings(path: Path) -> list[str]:
    """What is unsafe about the access file itself (group or others may write it)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return []
    if mode & (stat_module.S_IWGRP | stat_module.S_IWOTH):
        return [
            f"the access file {path} is writable by group or others (mode "
            f"{stat_module.S_IMODE(mode):04o}): anyone who can write it can give themselves any "
            "role; chmod 600 it"
        ]
    return []


def validate_entry(name: object, entry: object, regions: frozenset[str] | None) -> tuple[str, ...]:
    """Why one `[users.NAME]` entry is not valid (empty when it is). `regions`: the regions the
    warehouse knows (None: not checked)."""
    problems = []
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        problems.append(f"user name {name!r} is not letters, digits and . _ @ - (at most 64)")
    if not isinstance(entry, dict):
        return (*problems, f"the entry is a {type(entry).__name__}, not a table")
    unknown = sorted(set(entry) - ENTRY_KEYS)
    if unknown:
        problems.append(f"unknown key(s) {', '.join(map(repr, unknown))}")
    role = entry.get("role")
    if role is not None and role not in ROLES:
        problems.append(f"role {role!r} is not one of {', '.join(ROLES)}")
    if "regions" in entry:
        given = entry["regions"]
        if not isinstance(given, list) or not given:
            problems.append(
                f"regions must be a non-empty list of region names, not {given!r} "
                "(leave the key out for every region)"
            )
        elif not all(isinstance(r, str) and r.strip() for r in given):
            problems.append(f"regions must be region names (text), not {given!r}")
        elif regions is not None and set(given) - regions:
            missing = ", ".join(sorted(set(given) - regions))
            problems.append(f"region(s) {missing} unknown to the warehouse")
    for key in ("email", "password_hash"):
        if key in entry and not (isinstance(entry[key], str) and entry[key]):
            problems.append(f"{key} must be non-empty text")
    return tuple(problems)


@cache
def _parsed(
    path: str, mtime_ns: int, size: int, mode: int, regions: frozenset[str] | None
) -> tuple[tuple[str, User], ...]:
    # Keyed by the file's mtime, size and mode and by the warehouse's regions, so a change to
    # either is seen on the next run without a restart (and logged once).
    del mtime_ns, size, mode
    try:
        document = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise AccessFileError(f"cannot read the access file {path}: {err}") from err
    for warning in file_warnings(Path(path)):
        _LOG.warning("access file: %s", warning)
    extra = sorted(set(document) - {"users"})
    if extra:
        _LOG.warning("access file %s: unknown top-level key(s) %s ignored", path, extra)
    entries = document.get("users", {})
    if not isinstance(entries, dict):
        raise AccessFileError(f"the access file {path}: [users] must be a table of users")
    users = []
    for name, entry in entries.items():
        problems = validate_entry(name, entry, regions)
        fields = entry if isinstance(entry, dict) else {}
        given = fields.get("regions")
        user = User(
            name=str(name),
            role=fields.get("role") if isinstance(fields.get("role"), str) else None,
            regions=tuple(str(r) for r in given) if isinstance(given, list) else (),
            email=fields.get("email") if isinstance(fields.get("email"), str) else None,
            password_hash=fields.get("password_hash")
            if isinstance(fields.get("password_hash"), str)
            else None,
            problems=problems,
        )
        user = replace(user, lossless=_entry(user) == entry)
        if problems:
            _LOG.error("access file %s: user %r denied: %s", path, str(name), "; ".join(problems))
        users.append((str(name), user))
    return tuple(users)


def warehouse_regions(db: str | os.PathLike[str] | None = None) -> frozenset[str] | None:
    """The regions of warehouse `db`'s customers (default: the main warehouse); None when there
    is no warehouse (or no customers table) yet."""
    from data import warehouse  # late: the access file is read without DuckDB when there is none

    version = warehouse.file_version(db)
    if version is None:
        return None
    return _regions_of(str(warehouse.db_path(db)), version)


@cache
def _regions_of(path: str, version: tuple[int, int]) -> frozenset[str] | None:
    del version  # part of the key only: a new warehouse file is read again
    import duckdb

    from data import warehouse

    try:
        con = warehouse.connect(path, read_only=True)
    except duckdb.Error as err:
        _LOG.warning("regions of %s not readable: %s", path, err)
        return None
    try:
        rows = con.sql("select distinct region from customers where region is not null")
        return frozenset(str(r[0]) for r in rows.fetchall())
    except duckdb.Error:
        return None  # an empty or foreign warehouse: region names cannot be checked
    finally:
        con.close()


def user_by_email(users: dict[str, User], email: str | None) -> User | None:
    """The user whose `email` matches (case-insensitively), or None."""
    if not email:
        return None
    wanted = email.strip().lower()
    for user in users.values():
        if user.email and user.email.strip().lower() == wanted:
            return user
    return None


# --- passwords -------------------------------------------------------------------------------
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of `password` (PHC string with its own salt and parameters)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccessFileError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


@cache
def _dummy_hash() -> str:
    # Checked for unknown users too, so the answer takes as long whether or not the user exists.
    return _hasher.hash("not a password of anyone")


def verify_password(user: User | None, password: str) -> bool:
    """True when `password` matches the user's argon2 hash; False for a missing user or hash."""
    stored = user.password_hash if user is not None else None
    try:
        return _hasher.verify(stored or _dummy_hash(), password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# --- changing the file -----------------------------------------------------------------------
def save_user(path: Path, user: User) -> None:
    """Add or replace `user` in the access file (written atomically, readable by its owner only)."""
    if not NAME_PATTERN.match(user.name):
        raise AccessFileError(
            f"user name {user.name!r} refused: letters, digits and . _ @ - only, at most 64"
        )
    if user.role not in ROLES:
        raise AccessFileError(f"role {user.role!r} refused: one of {', '.join(ROLES)}")
    if user.problems:
        raise AccessFileError(f"user {user.name} refused: {'; '.join(user.problems)}")
    users = load_users(path)
    users[user.name] = user
    _write(path, _keep_valid(users, changing=user.name))


def remove_user(path: Path, name: str) -> bool:
    """Remove `name` from the access file; False when there was no such user."""
    users = load_users(path)
    if name not in users:
        return False
    del users[name]
    _write(path, _keep_valid(users, changing=name))
    return True


def _keep_valid(users: dict[str, User], changing: str) -> dict[str, User]:
    # Rewriting an entry from its parsed form could turn it valid and wider (a string `regions` or
    # a misspelt `region` key dropped = every region), so the file is only rewritten while every
    # other entry is written back exactly as it is (an unknown role or region name is).
    broken = {
        name: user.problems
        for name, user in users.items()
        if name != changing and not user.lossless
    }
    if broken:
        listed = "; ".join(f"{name}: {', '.join(p)}" for name, p in sorted(broken.items()))
        raise AccessFileError(
            f"the access file has invalid entries ({listed}): fix them by hand or remove them "
            "with `user remove NAME` first"
        )
    return users


def _toml_string(value: str) -> str:
    # A JSON string literal is a valid TOML basic string (same escapes) when kept non-ASCII.
    return json.dumps(value, ensure_ascii=False)


def _entry(user: User) -> dict[str, object]:
    """The `[users.NAME]` table that _write gives `user`, as tomllib reads it back."""
    entry: dict[str, object] = {}
    if user.role is not None:
        entry["role"] = user.role
    if user.regions:
        entry["regions"] = list(user.regions)
    if user.email:
        entry["email"] = user.email
    if user.password_hash:
        entry["password_hash"] = user.password_hash
    return entry


def _write(path: Path, users: dict[str, User]) -> None:
    lines = [
        "# Dashboard users: managed with `python -m data user add|remove|list`.",
        "# Passwords are argon2id hashes; the clear text is never stored.",
        "",
    ]
    for name in sorted(users):
        user = users[name]
        lines.append(f"[users.{_toml_string(name)}]")
        if user.role is not None:
            lines.append(f"role = {_toml_string(user.role)}")
        if user.regions:
            lines.append(f"regions = [{', '.join(_toml_string(r) for r in user.regions)}]")
        if user.email:
            lines.append(f"email = {_toml_string(user.email)}")
        if user.password_hash:
            lines.append(f"password_hash = {_toml_string(user.password_hash)}")
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, staging = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write("\n".join(lines))
        os.chmod(staging, 0o600)
        os.replace(staging, path)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise
