"""Access-control test helpers: an access file with one user per role, signed-in AppTests, and
every piece of text a rendered page holds (so a test can say what a user could have read)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

from data import users
from tests.conftest import ROOT

PASSWORD = "correct horse battery staple"
# Two analysts limited to different regions of the demo warehouse (it has East, South, West,
# North and Central).
REGION_A, REGION_B = "North", "East"
ROLE_USERS = {
    "exec": users.User("exec", role="executive"),
    "ana_a": users.User("ana_a", role="analyst", regions=(REGION_A,), email="Ana.A@example.com"),
    "ana_b": users.User("ana_b", role="analyst", regions=(REGION_B,)),
    "ana_all": users.User("ana_all", role="analyst"),
    "admin": users.User("admin", role="admin"),
}


@pytest.fixture(scope="session")
def access_file(tmp_path_factory) -> Path:
    """An access file with the users above (one password for all) and two users without a role."""
    path = tmp_path_factory.mktemp("access") / "access.toml"
    hashed = users.hash_password(PASSWORD)
    for user in ROLE_USERS.values():
        users.save_user(path, users.User(**{**user.__dict__, "password_hash": hashed}))
    # Written by hand: the CLI refuses to create a user without a known role.
    with path.open("a", encoding="utf-8") as out:
        out.write(f'[users.norole]\npassword_hash = "{hashed}"\n\n')
        out.write(f'[users.auditor]\nrole = "auditor"\npassword_hash = "{hashed}"\n')
    return path


# AppTest has no browser connection (st.context.cookies and ip_address are empty there), so the
# tests stand in for one: the cookie Streamlit's server sets on a page load, and an address.
BROWSER_ADDRESS = "198.51.100.7"


def browser_cookies() -> dict[str, str]:
    """The cookies of a new browser: Streamlit's XSRF cookie with a fresh random token."""
    from streamlit.web.server.starlette.starlette_app_utils import generate_xsrf_token_string

    return {"_streamlit_xsrf": generate_xsrf_token_string()}


class Browser:
    """The connection AppTest runs behind (dashboard.auth.client_cookies / client_address)."""

    def __init__(self) -> None:
        self.cookies = browser_cookies()
        self.address = BROWSER_ADDRESS


@pytest.fixture
def client_browser(monkeypatch) -> Browser:
    """The browser AppTest sessions connect from; change its cookies or address in a test."""
    from dashboard import auth

    connection = Browser()
    # Failure streaks and sign-ins are process-wide: each test starts without them.
    monkeypatch.setattr(auth, "_streaks", {})
    monkeypatch.setattr(auth, "_sign_ins", {})
    monkeypatch.setattr(auth, "client_cookies", lambda: dict(connection.cookies))
    monkeypatch.setattr(auth, "client_address", lambda: connection.address)
    return connection


@pytest.fixture
def auth_on(access_file, demo_db, tmp_path, monkeypatch, client_browser) -> Iterator[Path]:
    """Access control on for this test, with its own audit file; returns the audit file."""
    from streamlit import config

    audit_db = tmp_path / "audit.sqlite"
    monkeypatch.setenv("RISK_ACCESS_FILE", str(access_file))
    monkeypatch.setenv("RISK_AUDIT_DB", str(audit_db))
    # app.py hides error details process-wide once access control is on; later tests run open.
    previous = config.get_option("client.showErrorDetails")
    yield audit_db
    config.set_option("client.showErrorDetails", previous)


def app_as(user: str | None, page: str | None = None, **query: str) -> AppTest:
    """The app run once as `user` (signed in already; None: nobody), optionally on `page`."""
    from dashboard import auth

    at = AppTest.from_file(str(ROOT / "main.py"), default_timeout=90)
    if user is not None:
        # As a password sign-in leaves it: a server-side sign-in bound to the test's browser.
        signed = auth.open_session(user, "password")
        assert signed is not None, "no browser cookie: use the auth_on fixture"
        at.session_state["auth_user"] = signed
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if page is not None:
        at.switch_page(str(ROOT / "dashboard" / "pages" / f"{page}.py")).run()
    return at


def registered_files(at: AppTest) -> set[str]:
    """File names of the page scripts registered with st.navigation in the last run."""
    return {
        Path(str(info["script_path"])).stem
        for info in at._registered_pages.values()  # noqa: SLF001 - no public listing in AppTest
        if info.get("script_path") and Path(str(info["script_path"])) != ROOT / "main.py"
    }


def open_url(at: AppTest, url_path: str) -> AppTest:
    """What a browser gets for a typed URL: the registered page at that path, whatever it runs."""
    pages = at._registered_pages  # noqa: SLF001 - AppTest.switch_page only takes script paths
    found = [h for h, info in pages.items() if info.get("url_pathname") == url_path]
    assert found, f"nothing registered at /{url_path}"
    at._page_hash = found[0]  # noqa: SLF001
    return at.run()


def _strings(node: object) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def rendered_text(at: AppTest) -> str:
    """Every string the last run sent to the browser: text elements, table cells and headers,
    chart specs (labels, hover texts, custom data), widget labels and options."""
    parts: list[str] = []

    def walk(node) -> None:
        kind = getattr(node, "type", None)
        if kind in ("arrow_data_frame", "dataframe", "table"):
            frame = node.value
            parts.append(frame.to_csv())
        elif kind == "plotly_chart":
            parts.extend(_strings(json.loads(node.proto.spec)))
        elif getattr(node, "proto", None) is not None:
            parts.extend(_strings(MessageToDict(node.proto)))
        for child in getattr(node, "children", {}).values() if hasattr(node, "children") else ():
            walk(child)

    walk(at._tree)  # noqa: SLF001 - the whole tree, main area and sidebar
    return "\n".join(parts)
