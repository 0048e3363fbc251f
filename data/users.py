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
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import tomllib
from dataclasses import dataclass, field
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

    @property
    def known_role(self) -> str | None:
        """The role if it is one the dashboard knows, else None (deny by default)."""
        return self.role if self.role in ROLES else None


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


def load_users(path: Path) -> dict[str, User]:
    """Every user in the access file by name ({} for a missing file). Raises AccessFileError."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return {}
    return dict(_parsed(str(path), stat.st_mtime_ns, stat.st_size))


@cache
def _parsed(path: str, mtime_ns: int, size: int) -> tuple[tuple[str, User], ...]:
    # Keyed by the file's mtime and size, so a user change is seen on the next run without a restart.
    del mtime_ns, size
    try:
        document = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise AccessFileError(f"cannot read the access file {path}: {err}") from err
    users = []
    for name, entry in (document.get("users") or {}).items():
        if not isinstance(entry, dict):
            continue
        regions = entry.get("regions") or []
        users.append(
            (
                name,
                User(
                    name=name,
                    role=entry.get("role") if isinstance(entry.get("role"), str) else None,
                    regions=tuple(str(r) for r in regions) if isinstance(regions, list) else (),
                    email=entry.get("email") if isinstance(entry.get("email"), str) else None,
                    password_hash=entry.get("password_hash")
                    if isinstance(entry.get("password_hash"), str)
                    else None,
                ),
            )
        )
    return tuple(users)


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
    users = load_users(path)
    users[user.name] = user
    _write(path, users)


def remove_user(path: Path, name: str) -> bool:
    """Remove `name` from the access file; False when there was no such user."""
    users = load_users(path)
    if name not in users:
        return False
    del users[name]
    _write(path, users)
    return True


def _toml_string(value: str) -> str:
    # A JSON string literal is a valid TOML basic string (same escapes) when kept non-ASCII.
    return json.dumps(value, ensure_ascii=False)


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
