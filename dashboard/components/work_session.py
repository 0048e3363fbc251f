"""Acting on risk from the dashboard: who is working, the worklog's lists (cached until the worklog
or the warehouse changes), and changes whose refusals are shown as messages.

With access control on, changes are made as the signed-in user. While it is off (the open demo)
everyone acts as an admin under the name typed in "Working as" (data.worklog_access.open_user):
a requester never approves their own decision, so the name matters.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import date
from typing import Any

import polars as pl
import streamlit as st

from dashboard import auth
from dashboard.access import data_version, holder
from dashboard.components.formats import money
from dashboard.components.plain_text import markdown_text
from dashboard.i18n import t
from data import worklog, worklog_access
from data.scope import Scope
from data.users import User
from data.worklog import (
    NAME_LIMIT,
    AuthorityExceeded,
    Conflict,
    IllegalTransition,
    InvalidInput,
    Item,
    OutOfScope,
    WorklogError,
)

WORK_AS = "work_as"  # the name acted as while access control is off (crosses pages)
_WORK_AS_INPUT = "work_as_input"
FLASH = "work_flash"  # the message of the last saved change, shown once after the rerun
GENERATION = "work_generation"  # grows with every saved change: the text fields start empty


def acting_user() -> User | None:
    """The user changes are made as: the signed-in user with a role (access control on), else an
    admin named as typed in "Working as"; None when nobody may act."""
    if auth.enabled():
        user = auth.current_user()
        return user if user is not None and user.known_role else None
    return worklog_access.open_user(st.session_state.get(WORK_AS) or "local")


def working_as() -> None:
    """With access control off, the "Working as" name in the sidebar."""
    if auth.enabled():
        return
    if _WORK_AS_INPUT not in st.session_state:
        st.session_state[_WORK_AS_INPUT] = st.session_state.get(WORK_AS, "local")
    with st.sidebar:
        name = st.text_input(
            t("work.working_as"),
            key=_WORK_AS_INPUT,
            max_chars=NAME_LIMIT,
            help=t("work.working_as_help"),
        )
    st.session_state[WORK_AS] = name.strip() or "local"


def may_act(user: User | None) -> bool:
    """True for a user who may see and change work items (analysts and admins)."""
    return user is not None and user.known_role in ("analyst", "admin")


def connection_scope(user: User) -> Scope | None:
    """The warehouse rows the worklog's functions read for `user`: a region scope without
    masking (their counts match stored customer ids), None for everything."""
    if user.known_role != "admin" and user.regions:
        return Scope(regions=tuple(user.regions), masked=False)
    return None


@st.cache_data(show_spinner=False, max_entries=256, ttl=600)
def _cached(
    function: str,
    version: str,
    revision: int,
    today: str,
    name: str,
    role: str | None,
    regions: tuple[str, ...],
    arguments: tuple[tuple[str, Any], ...],
) -> pl.DataFrame:
    del version, revision, today  # part of the key only
    module, function_name = function.split(":")
    query = getattr(importlib.import_module(module), function_name)
    user = User(name=name, role=role, regions=regions)
    with holder(None, connection_scope(user)).connection() as con:
        return query(con, user, **dict(arguments))


def work_fetch(query: Callable[..., pl.DataFrame], **arguments: Any) -> pl.DataFrame:
    """query(con, user, **arguments) of queries/worklist*.py for the acting user, cached per
    warehouse version, worklog revision and day. Raises OutOfScope for a user who may not see it."""
    user = acting_user()
    if user is None:
        raise OutOfScope("nobody signed in")
    frozen = tuple(
        sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in arguments.items())
    )
    return _cached(
        f"{query.__module__}:{query.__name__}",
        data_version(),
        worklog.revision(),
        date.today().isoformat(),
        user.name,
        user.role,
        tuple(user.regions),
        frozen,
    )


@st.cache_data(show_spinner=False, max_entries=16, ttl=600)
def _authority(version: str, role: str | None) -> float | None:
    from data.worklog_decisions import policy_in_force

    with holder().connection() as con:
        return policy_in_force(con).approval_authority(role)


def authority(role: str | None) -> float | None:
    """The highest limit `role` may approve under the policy in force (None: no authority;
    inf: unlimited)."""
    return _authority(data_version(), role)


def authority_text(role: str | None) -> str:
    """The role's approval authority in words."""
    amount = authority(role)
    if amount is None:
        return t("work.authority_none", role=role_label(role))
    if amount == float("inf"):
        return t("work.authority_unlimited", role=role_label(role))
    return t("work.authority_up_to", role=role_label(role), amount=money(amount))


def role_label(role: str | None) -> str:
    return t(f"work_role.{role}") if role in ("analyst", "admin", "executive") else "—"


def label(group: str, code: str | None) -> str:
    """A code (state, outcome, channel, reason, decision kind) in words ('—' when empty)."""
    if not code:
        return "—"
    key = f"work_{group}.{code}"
    text = t(key)
    return text if text != key else markdown_text(code)


def labels(column: str, group: str, codes: tuple[str, ...]) -> pl.Expr:
    """A column of codes in words."""
    return pl.col(column).replace_strict(
        {c: t(f"work.{group}.{c}") for c in codes}, default=pl.col(column)
    )


def refusal_text(err: WorklogError) -> str:
    """What to show for a refused change: the kind of refusal in the page's language, with the
    reason as the worklog gives it."""
    if isinstance(err, Conflict):
        current = err.current
        return t(
            "work.conflict",
            state=label("state", current.state),
            by=markdown_text(current.author or "—"),
            at=f"{current.at:%Y-%m-%d %H:%M} UTC" if current.at else "—",
        )
    user = acting_user()
    if isinstance(err, AuthorityExceeded):
        return t(
            "work.refused_authority", authority=authority_text(user.known_role if user else None)
        )
    kind = (
        "scope"
        if isinstance(err, OutOfScope)
        else "transition"
        if isinstance(err, IllegalTransition)
        else "invalid"
        if isinstance(err, InvalidInput)
        else "other"
    )
    return t(f"work.refused_{kind}", reason=markdown_text(str(err)))


def act(change: Callable[..., Item], *args: Any, **kwargs: Any) -> Item | WorklogError:
    """Run change(con, user, *args, **kwargs) of data/worklog_*.py as the acting user; the saved
    item, or the refusal (already shown as an error on the page)."""
    user = acting_user()
    if user is None:
        err: WorklogError = OutOfScope("nobody signed in")
        st.error(refusal_text(err))
        return err
    try:
        with holder(None, connection_scope(user)).connection() as con:
            return change(con, user, *args, **kwargs)
    except WorklogError as refused:
        st.error(refusal_text(refused), icon=":material/block:")
        return refused


def text_key(base: str) -> str:
    """The key of a form's text field: a new one after every saved change, so the browser shows
    an empty field then (it keeps a widget's text otherwise), while a refused change keeps it."""
    return f"g{st.session_state.get(GENERATION, 0)}_{base}"


def saved(message: str, *forget: str) -> None:
    """After a saved change: forget the text fields named in `forget` (and start every text field
    anew), keep `message` for the next run and rerun (the lists show the new state)."""
    for key in forget:
        st.session_state.pop(key, None)
    st.session_state[GENERATION] = st.session_state.get(GENERATION, 0) + 1
    st.session_state[FLASH] = message
    st.rerun()


def show_flash() -> None:
    """The message of the change saved by the previous run, once."""
    message = st.session_state.pop(FLASH, None)
    if message:
        st.success(message, icon=":material/check_circle:")
