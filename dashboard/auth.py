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

A sign-in is bound to the browser, not only to Streamlit's session id (which is not renewed at
sign-in and appears in upload URLs, so a raw websocket presenting it would be handed the session):
each sign-in gets a random token kept server-side with the SHA-256 of the browser's XSRF cookie
secret (`_streamlit_xsrf`: 16 random bytes Streamlit sets on the first page load, sent with every
websocket handshake, never in a URL). Every run checks that the connection presenting the session
carries that cookie; otherwise the sign-in is ended and audited. Streamlit cannot set an HTTP-only
cookie from a script (only an st.App middleware or route can), so this cookie is the per-browser
secret the server can check. Sign-ins idle for IDLE_MINUTES ($RISK_SESSION_IDLE_MINUTES, default
30) end.

Failed passwords are throttled per (user name, client address): five failures make that client wait
a minute for that name, doubling with each further failure (at most an hour); one address failing
for many names backs off the same way. Another client's failures never refuse a correct password.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl
import streamlit as st

from dashboard.i18n import t
from data import audit, users
from data.scope import Scope
from data.users import User

SESSION_KEY = "auth_user"
ROLE_PAGES: dict[str, frozenset[str]] = {
    "executive": frozenset(
        {
            "overview",
            "grades",
            "concentration",
            "collections",
            "provisions",
            "cases",
            "whatif",
            "model",
        }
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
            "provisions",
            "work",
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
            "provisions",
            "work",
            "data_page",
            "audit",
        }
    ),
}
# Sign-in throttling per (user name, client) and per client: after MAX_FAILURES failures of a name
# from one client (CLIENT_MAX_FAILURES for all names together) the client waits LOCKOUT seconds,
# doubled for each further failure up to MAX_LOCKOUT; a streak is forgotten WINDOW seconds after its
# wait ends, and a correct password ends the name's streak for that client.
MAX_FAILURES, CLIENT_MAX_FAILURES = 5, 20
WINDOW, LOCKOUT, MAX_LOCKOUT = 600.0, 60.0, 3600.0
_MAX_TRACKED = 10_000  # streaks kept at most (an attacker cycling names must not fill memory)
XSRF_COOKIE = "_streamlit_xsrf"
DEFAULT_IDLE_MINUTES = 30.0
_LOG = logging.getLogger(__name__)


@dataclass
class _Streak:
    failures: int = 0
    last: float = 0.0

    def wait(self, threshold: int) -> float:
        """Seconds to wait after the last failure (0 below the threshold)."""
        if self.failures < threshold:
            return 0.0
        return min(LOCKOUT * 2 ** (self.failures - threshold), MAX_LOCKOUT)

    def until(self, threshold: int) -> float:
        return self.last + self.wait(threshold)


_streaks: dict[tuple[str, str] | str, _Streak] = {}
_streaks_lock = threading.Lock()


@dataclass
class _SignIn:
    """A sign-in as the server keeps it: who, how, the browser it is bound to, last activity."""

    name: str
    method: str
    binding: str
    last_seen: float


_sign_ins: dict[str, _SignIn] = {}
_sign_ins_lock = threading.Lock()
_clock = time.monotonic  # replaced in tests to pass idle time without waiting
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


def idle_minutes() -> float:
    """How long a sign-in may stay idle, in minutes ($RISK_SESSION_IDLE_MINUTES, default 30)."""
    try:
        minutes = float(os.environ.get("RISK_SESSION_IDLE_MINUTES", DEFAULT_IDLE_MINUTES))
    except ValueError:
        return DEFAULT_IDLE_MINUTES
    return minutes if minutes > 0 else DEFAULT_IDLE_MINUTES


def client_cookies() -> dict[str, str]:
    """The cookies of the connection running this session (its websocket handshake)."""
    return st.context.cookies.to_dict()


def client_address() -> str:
    """The remote address of this session's connection ('local' for localhost)."""
    return st.context.ip_address or "local"


def _browser_secret(cookies: dict[str, str]) -> str | None:
    """SHA-256 (hex) of the random token in Streamlit's XSRF cookie, None without one.

    The cookie is `2|mask|masked token|time` with a new mask at every page load, so the token is
    unmasked first (as Streamlit does) to get the value that stays the same for the browser."""
    value = (cookies.get(XSRF_COOKIE) or "").strip("\"'")
    try:
        if value.startswith("2|"):
            _, mask_hex, masked_hex, _ = value.split("|")
            mask, masked = binascii.a2b_hex(mask_hex), binascii.a2b_hex(masked_hex)
            if len(mask) != 4 or not masked:
                return None
            token = bytes(b ^ mask[i % 4] for i, b in enumerate(masked))
        else:
            token = binascii.a2b_hex(value) if value else b""
    except (ValueError, binascii.Error):
        return None
    return hashlib.sha256(token).hexdigest() if len(token) >= 16 else None


def open_session(name: str, method: str) -> dict | None:
    """Start a sign-in for `name` bound to this connection's browser: the value to keep in the
    session state, or None when the browser sent no XSRF cookie to bind to."""
    binding = _browser_secret(client_cookies())
    if binding is None:
        return None
    token = secrets.token_urlsafe(32)
    now = _clock()
    limit = idle_minutes() * 60
    with _sign_ins_lock:
        for stale in [k for k, v in _sign_ins.items() if now - v.last_seen > limit]:
            del _sign_ins[stale]
        _sign_ins[token] = _SignIn(name=name, method=method, binding=binding, last_seen=now)
    return {"name": name, "method": method, "token": token}


def _end_session(token: object) -> None:
    with _sign_ins_lock:
        _sign_ins.pop(str(token), None)


def _signed_in() -> dict | None:
    """The session's sign-in when it is bound to this connection's browser and not idle too long;
    otherwise ends it (audited) and returns None."""
    signed = st.session_state.get(SESSION_KEY)
    if not isinstance(signed, dict):
        return None
    token = signed.get("token")
    with _sign_ins_lock:
        held = _sign_ins.get(str(token))
    now = _clock()
    current = _browser_secret(client_cookies())
    if held is None or current is None or not hmac.compare_digest(held.binding, current):
        # The session id was presented by a connection without the browser's cookie (a replayed
        # id), or the server no longer knows the sign-in: both end it.
        st.session_state.pop(SESSION_KEY, None)
        _end_session(token)
        audit.record(
            "session_rejected",
            who=str(signed.get("name", "?")),
            detail=f"{'no sign-in' if held is None else 'other browser'} from {client_address()}",
        )
        # For the server log (.log, not .warning: a log line is not UI text for the catalogue scan).
        _LOG.log(
            logging.WARNING, "sign-in of %r rejected: not bound to this browser", signed.get("name")
        )
        return None
    if now - held.last_seen > idle_minutes() * 60:
        st.session_state.pop(SESSION_KEY, None)
        st.session_state["_auth_expired"] = held.method
        _end_session(token)
        audit.record(
            "session_expired",
            who=held.name,
            detail=f"idle for more than {idle_minutes():g} min",
        )
        return None
    held.last_seen = now
    return signed


def current_user() -> User | None:
    """The signed-in user as the access file has them now, or None."""
    if not enabled():
        return None
    deferred = getattr(_on_behalf, "user", None)
    if deferred is not None:
        return deferred
    signed = _signed_in()
    if signed is None:
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
def _prune(now: float) -> None:
    # Called with the lock held: forget streaks whose wait and window are over, then the oldest.
    for key in [k for k, v in _streaks.items() if now > v.until(1) + WINDOW]:
        del _streaks[key]
    while len(_streaks) > _MAX_TRACKED:
        del _streaks[min(_streaks, key=lambda k: _streaks[k].last)]


def _waiting(name: str, client: str) -> float:
    """Seconds `client` must still wait before trying `name` again (0: it may try now)."""
    now = _clock()
    with _streaks_lock:
        pair, whole = _streaks.get((name, client)), _streaks.get(client)
        until = max(
            pair.until(MAX_FAILURES) if pair else 0.0,
            whole.until(CLIENT_MAX_FAILURES) if whole else 0.0,
        )
    return max(until - now, 0.0)


def _failed(name: str, client: str) -> None:
    """Count a failure of `name` from `client`; audits the failure that starts or lengthens a wait."""
    now = _clock()
    lockouts = []
    with _streaks_lock:
        for key, threshold in (((name, client), MAX_FAILURES), (client, CLIENT_MAX_FAILURES)):
            streak = _streaks.get(key)
            if streak is None or now > streak.until(threshold) + WINDOW:
                streak = _streaks[key] = _Streak()
            streak.failures += 1
            streak.last = now
            if streak.wait(threshold):
                scope = f"user {name}" if isinstance(key, tuple) else "any user"
                lockouts.append(
                    f"client {client}: {streak.failures} failures for {scope}, "
                    f"waits {streak.wait(threshold):.0f} s"
                )
        if len(_streaks) > _MAX_TRACKED:
            _prune(now)
    for detail in lockouts:
        audit.record("lockout", who=name or "?", detail=detail)


def check_password(name: str, password: str, client: str | None = None) -> User | None:
    """The user when `password` is theirs, else None; every attempt is audited.

    `client` is the remote address (default: this session's). While that client must wait for
    this name (its own failures), the password is not even checked; other clients are unaffected.
    """
    name = name.strip()
    client = client_address() if client is None else client
    wait = _waiting(name, client)
    if wait > 0:
        audit.record(
            "sign_in_failed",
            who=name or "?",
            detail=f"locked: too many failures from {client}, {wait:.0f} s left",
        )
        return None
    known = users.load_users(users.access_file())
    user = known.get(name)
    if users.verify_password(user, password):
        with _streaks_lock:
            _streaks.pop((name, client), None)
        audit.record("sign_in", who=name, role=user.known_role, detail=f"password from {client}")
        return user
    reason = "unknown user" if user is None else "wrong password"
    audit.record("sign_in_failed", who=name or "?", detail=f"{reason} from {client}")
    _failed(name, client)  # after: a lockout it starts is logged after the failure causing it
    return None


def _sign_in_screen() -> None:
    st.title(t("auth.title"))
    st.caption(t("auth.intro"))
    if st.session_state.pop("_auth_expired", None):
        st.info(t("auth.expired", minutes=f"{idle_minutes():g}"))
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
            return
        signed = open_session(user.name, "password")
        if signed is None:
            st.error(t("auth.no_binding"))
            return
        st.session_state[SESSION_KEY] = signed
        st.rerun()


def sign_in() -> User | None:
    """The signed-in user (None with auth off); otherwise draws the sign-in screen and stops."""
    if not enabled():
        return None
    user = current_user()  # ends a sign-in bound to another browser or idle too long
    if st.session_state.get("_auth_expired") == "oidc" and oidc_configured():
        # The provider's identity cookie would sign the user in again at once.
        st.session_state.pop("_auth_expired", None)
        st.logout()
    if st.session_state.get(SESSION_KEY) is None and oidc_configured() and st.user.is_logged_in:
        # Back from the identity provider: a verified e-mail address is mapped to a user entry.
        email = st.user.get("email")
        if st.user.get("email_verified") is False:
            audit.record("sign_in_failed", who=str(email), detail="oidc: e-mail not verified")
            st.error(t("auth.unverified"))
            st.button(t("auth.sign_out"), on_click=st.logout)
            st.stop()
        signed = open_session(str(email), "oidc")
        if signed is None:
            st.error(t("auth.no_binding"))
            st.stop()
        st.session_state[SESSION_KEY] = signed
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
    if user.problems:
        # An entry the access file validation refused (logged with its reasons): no access at all.
        st.warning(t("auth.invalid_entry", user=user.name))
        sign_out_button()
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
    _end_session(signed.get("token"))
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
