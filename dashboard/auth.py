"""Who is using the dashboard and what they may see: sign-in, roles, page access, audited actions.

Off while no access file is configured (data.users.access_file): every page, every row, as the
open demo. On as soon as one is: nothing but the sign-in screen until a user signs in, either with
a local user's password (argon2id, data.users) or through the identity provider configured for
`st.login` in .streamlit/secrets.toml ([auth]), whose e-mail address is matched to a user's
`email` in the access file. The user entry is read again on every run, so a role change or a
removed user takes effect at the next click.

Roles, deny by default (a user without a known role sees only a message):
- executive: the portfolio-level pages; customer identifiers are pseudonymised in the query layer;
- analyst: every read page and export, optionally limited to regions (row-level scope);
- admin: everything, plus the Data and Audit pages.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import polars as pl
import streamlit as st

from dashboard.i18n import t
from data import audit, users
from data.users import User
from queries.scope import Scope

SESSION_KEY = "auth_user"
ROLE_PAGES: dict[str, frozenset[str]] = {
    "executive": frozenset(
        {"overview", "grades", "concentration", "collections", "cases", "whatif", "model"}
    ),
    "analyst": frozenset(
        {
            "overview",
            "grades",
            "concentration",
            "watchlist",
            "customer",
            "cases",
            "whatif",
            "model",
            "credit_control",
            "collections",
        }
    ),
    "admin": frozenset(
        {
            "overview",
            "grades",
            "concentration",
            "watchlist",
            "customer",
            "cases",
            "whatif",
            "model",
            "credit_control",
            "collections",
            "data_page",
            "audit",
        }
    ),
}
# Sign-in throttling per user name: after MAX_FAILURES within WINDOW seconds, wait LOCKOUT seconds.
MAX_FAILURES, WINDOW, LOCKOUT = 5, 600.0, 60.0
_failures: dict[str, list[float]] = {}
_failures_lock = threading.Lock()
# Who an export is built for: a download's data callable runs after the script run, in a server
# thread without the session, so audited() hands the user it was drawn for to that thread.
_on_behalf = threading.local()


class AccessDenied(Exception):
    """A query was attempted without a signed-in user allowed to see data."""


def enabled() -> bool:
    """True while an access file is configured (access control on)."""
    return users.access_file() is not None


def oidc_configured() -> bool:
    """True when .streamlit/secrets.toml has an [auth] section for st.login."""
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file at all
        return False


def current_user() -> User | None:
    """The signed-in user as the access file has them now, or None."""
    if not enabled():
        return None
    deferred = getattr(_on_behalf, "user", None)
    if deferred is not None:
        return deferred
    signed = st.session_state.get(SESSION_KEY)
    if not isinstance(signed, dict):
        return None
    known = users.load_users(users.access_file())
    if signed.get("method") == "oidc":
        if not (oidc_configured() and st.user.is_logged_in):
            return None
        return users.user_by_email(known, st.user.get("email")) or User(
            name=str(st.user.get("email")), role=None
        )
    return known.get(signed.get("name", ""))


def query_scope() -> Scope | None:
    """The scope the current run's queries run under: None = the whole warehouse.

    Raises AccessDenied while access control is on and nobody with a role is signed in.
    """
    if not enabled():
        return None
    user = current_user()
    if user is None or user.known_role is None:
        raise AccessDenied("no signed-in user with a role")
    if user.known_role == "admin":
        return None
    return Scope(regions=user.regions or None, masked=user.known_role == "executive")


def allowed(user: User | None, page: str) -> bool:
    """May `user` open page `page` (the message key in app.PAGES)? Everyone may with auth off."""
    if not enabled():
        return page != "audit"
    return user is not None and page in ROLE_PAGES.get(user.known_role or "", frozenset())


# --- audit -----------------------------------------------------------------------------------
def record(action: str, detail: str = "", rows: int | None = None) -> None:
    """Append an event for the signed-in user to the audit log (nothing with auth off)."""
    if not enabled():
        return
    user = current_user()
    audit.record(
        action,
        who=user.name if user else "anonymous",
        role=user.known_role if user else None,
        detail=detail,
        rows=rows,
    )


def audited(view: str, fmt: str, rows: Callable[[], pl.DataFrame], encode) -> Callable[[], bytes]:
    """Data for st.download_button: builds the file when clicked and logs who exported what.

    The file is built under the scope of the user the button was drawn for (captured now).
    """
    user = current_user()

    def build() -> bytes:
        # Read again at the click: a user removed since the page was drawn exports nothing.
        known = users.load_users(users.access_file()) if user is not None else {}
        _on_behalf.user = known.get(user.name) if user is not None else None
        try:
            frame = rows()
            content = encode(frame)
            record("export", detail=f"{view} ({fmt})", rows=frame.height)
        finally:
            _on_behalf.user = None
        return content

    return build


# Reads that are audited where the data is fetched, so no page can show them unrecorded.
AUDITED_READS = {"queries.customer:profile": "customer_view"}


def audit_read(query: str, arguments: dict) -> None:
    """Log an audited read (a customer's profile), once per customer and date per session."""
    action = AUDITED_READS.get(query)
    if action is None or not enabled():
        return
    subject = f"{arguments.get('customer_id')} as of {arguments.get('as_of')}"
    if st.session_state.get(f"_audit_last_{action}") == subject:
        return  # the same profile drawn again by a rerun
    st.session_state[f"_audit_last_{action}"] = subject
    record(action, detail=subject)


# --- sign-in ---------------------------------------------------------------------------------
def _locked(name: str) -> bool:
    now = time.monotonic()
    with _failures_lock:
        recent = [at for at in _failures.get(name, []) if now - at < WINDOW]
        _failures[name] = recent
        return len(recent) >= MAX_FAILURES and now - recent[-1] < LOCKOUT


def _failed(name: str) -> None:
    with _failures_lock:
        _failures.setdefault(name, []).append(time.monotonic())


def check_password(name: str, password: str) -> User | None:
    """The user when `password` is theirs, else None; every attempt is audited."""
    name = name.strip()
    if _locked(name):
        audit.record("sign_in_failed", who=name or "?", detail="locked: too many failures")
        return None
    known = users.load_users(users.access_file())
    user = known.get(name)
    if users.verify_password(user, password):
        with _failures_lock:
            _failures.pop(name, None)
        audit.record("sign_in", who=name, role=user.known_role, detail="password")
        return user
    _failed(name)
    reason = "unknown user" if user is None else "wrong password"
    audit.record("sign_in_failed", who=name or "?", detail=reason)
    return None


def _sign_in_screen() -> None:
    st.title(t("auth.title"))
    st.caption(t("auth.intro"))
    if oidc_configured():
        if st.button(t("auth.with_provider"), type="primary", icon=":material/login:"):
            st.login()
        st.divider()
    # Cleared on submit: the password does not stay in the session state after the check.
    with st.form("sign_in", clear_on_submit=True):
        name = st.text_input(t("auth.user"), key="sign_in_user")
        password = st.text_input(t("auth.password"), type="password", key="sign_in_password")
        submitted = st.form_submit_button(t("auth.sign_in"))
    if submitted:
        user = check_password(name, password)
        if user is None:
            st.error(t("auth.failed"))
        else:
            st.session_state[SESSION_KEY] = {"name": user.name, "method": "password"}
            st.rerun()


def sign_in() -> User | None:
    """The signed-in user (None with auth off); otherwise draws the sign-in screen and stops."""
    if not enabled():
        return None
    if st.session_state.get(SESSION_KEY) is None and oidc_configured() and st.user.is_logged_in:
        # Back from the identity provider: a verified e-mail address is mapped to a user entry.
        email = st.user.get("email")
        if st.user.get("email_verified") is False:
            audit.record("sign_in_failed", who=str(email), detail="oidc: e-mail not verified")
            st.error(t("auth.unverified"))
            st.button(t("auth.sign_out"), on_click=st.logout)
            st.stop()
        st.session_state[SESSION_KEY] = {"name": str(email), "method": "oidc"}
        user = current_user()
        audit.record(
            "sign_in",
            who=user.name if user else str(email),
            role=user and user.known_role,
            detail=f"oidc {email}",
        )
    user = current_user()
    if user is None:
        st.session_state.pop(SESSION_KEY, None)
        _sign_in_screen()
        st.stop()
    if user.known_role is None:
        st.warning(t("auth.no_role", user=user.name))
        sign_out_button()
        st.stop()
    return user


def sign_out() -> None:
    signed = st.session_state.get(SESSION_KEY) or {}
    record("sign_out")
    st.session_state.pop(SESSION_KEY, None)
    if signed.get("method") == "oidc":
        st.logout()


def sign_out_button() -> None:
    """Who is signed in, their role and scope, and a sign-out button (in the sidebar)."""
    user = current_user()
    if user is None:
        return
    with st.sidebar:
        role = t(f"auth.role_{user.known_role}") if user.known_role else t("auth.role_none")
        st.caption(t("auth.signed_in_as", user=user.name, role=role))
        if user.regions and user.known_role != "admin":
            st.caption(t("auth.scope", regions=", ".join(user.regions)))
        if user.known_role == "executive":
            st.caption(t("auth.names_hidden"))
        st.button(t("auth.sign_out"), on_click=sign_out, icon=":material/logout:")


def refuse_page(page: str) -> None:
    """The refusal shown instead of a page this user may not open; audited."""
    record("refused", detail=f"page {page}")
    st.error(t("auth.forbidden"))
    st.stop()
