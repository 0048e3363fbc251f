"""Access control in the app (AppTest): sign-in, roles and their pages, typed URLs of forbidden
pages, what an executive can read, an analyst's region scope and the cache between users."""

from __future__ import annotations

import re

import pytest

from dashboard.components.plain_text import markdown_text
from data import audit
from tests.auth_helpers import (
    BROWSER_ADDRESS,
    PASSWORD,
    REGION_A,
    REGION_B,
    app_as,
    browser_cookies,
    open_url,
    registered_files,
    rendered_text,
)
from tests.conftest import ROOT

ALL_PAGES = {
    path.stem for path in (ROOT / "dashboard" / "pages").glob("*.py") if path.stem != "__init__"
}
EXECUTIVE_PAGES = {
    "overview",
    "grades",
    "concentration",
    "collections_page",
    "provisions",
    "cases",
    "whatif",
    "model",
}
ANALYST_PAGES = EXECUTIVE_PAGES | {"watchlist", "customer", "credit_control", "work"}
ADMIN_PAGES = ANALYST_PAGES | {"data_sources", "audit"}
CUSTOMER_ID = re.compile(r"\bC\d{7}\b")  # word-bounded: a pseudonym holds hex digits


def _events(audit_db, action: str | None = None) -> list[dict]:
    frame = audit.recent(actions=(action,) if action else (), path=audit_db)
    return frame.sort("audit_id").to_dicts()


def _sign_in(name: str, password: str):
    at = app_as(None)
    at.text_input(key="sign_in_user").input(name)
    at.text_input(key="sign_in_password").input(password)
    return at.button[0].click().run()


def _customers(demo_con) -> dict[str, tuple[str, str]]:
    rows = demo_con.sql("select customer_id, name, region from customers").fetchall()
    return {cid: (name, region) for cid, name, region in rows}


# --- sign-in ---------------------------------------------------------------------------------
def test_nothing_but_the_sign_in_screen_before_signing_in(auth_on):
    at = app_as(None)
    assert not at.exception
    assert [t.value for t in at.title] == ["Sign in"]
    assert not registered_files(at)
    assert not at.sidebar.multiselect  # not even the filter choices
    assert not at.dataframe


@pytest.mark.parametrize(
    ("name", "password", "reason"),
    [
        ("ana_a", "not the password at all", "wrong password"),
        ("nobody", PASSWORD, "unknown user"),
    ],
)
def test_failed_sign_in_says_the_same_for_wrong_password_and_unknown_user(
    auth_on, name, password, reason
):
    at = _sign_in(name, password)
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Unknown user or wrong password (after 5 failures from this device, wait a minute, then "
        "longer after each further failure)."
    ]
    assert [t.value for t in at.title] == ["Sign in"]
    assert "auth_user" not in at.session_state
    [event] = _events(auth_on)
    assert (event["who"], event["action"], event["detail"]) == (
        name,
        "sign_in_failed",
        f"{reason} from {BROWSER_ADDRESS}",
    )


def test_sign_in_opens_the_overview_and_is_audited(auth_on):
    at = _sign_in("ana_a", PASSWORD)
    assert not at.exception
    assert at.title[0].value == "Portfolio overview"
    assert "Signed in as ana_a · analyst" in [c.value for c in at.sidebar.caption]
    [event] = _events(auth_on)
    assert (event["who"], event["role"], event["action"]) == ("ana_a", "analyst", "sign_in")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("norole", "no role has been given to you"),
        # A role the dashboard does not know makes the entry invalid (logged, `user list`).
        ("auditor", "your entry in the access file is not valid"),
    ],
)
def test_a_user_without_a_known_role_sees_only_a_message(auth_on, name, message):
    at = _sign_in(name, PASSWORD)
    assert not at.exception
    assert message in at.warning[0].value
    assert not registered_files(at)
    assert not at.title and not at.dataframe and not at.get("plotly_chart")


def test_sign_out_ends_the_session_and_is_audited(auth_on):
    at = app_as("ana_a")
    at.sidebar.button[-1].click().run()
    assert [t.value for t in at.title] == ["Sign in"]
    assert [e["action"] for e in _events(auth_on)] == ["sign_out"]


def test_a_removed_user_is_signed_out_at_the_next_run(auth_on, monkeypatch, tmp_path):
    at = app_as("ana_a")
    assert at.title[0].value == "Portfolio overview"
    monkeypatch.setenv("RISK_ACCESS_FILE", str(tmp_path / "other_access.toml"))
    (tmp_path / "other_access.toml").write_text("[users.admin]\nrole = 'admin'\n")
    at.run()
    assert [t.value for t in at.title] == ["Sign in"]


# --- roles and pages -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("user", "pages"),
    [("exec", EXECUTIVE_PAGES), ("ana_a", ANALYST_PAGES), ("admin", ADMIN_PAGES)],
)
def test_each_role_gets_its_pages_and_no_other(auth_on, user, pages):
    at = app_as(user)
    assert not at.exception
    assert registered_files(at) == pages & ALL_PAGES


def test_with_access_control_off_every_page_but_the_audit_log_is_there(demo_db):
    assert registered_files(app_as(None)) == ALL_PAGES - {"audit"}


@pytest.mark.parametrize(
    ("user", "url"),
    [
        ("exec", "watchlist"),
        ("exec", "customer"),
        ("exec", "credit-control"),
        ("exec", "data"),
        ("ana_a", "data"),
        ("ana_a", "audit"),
        ("admin", "grades"),
    ],
)
def test_a_typed_url_of_a_forbidden_page_is_refused_and_audited(auth_on, user, url):
    at = open_url(app_as(user), url)
    assert not at.exception
    if user == "admin":  # the control case: allowed, so the page itself
        assert at.title[0].value == "Risk grades"
        return
    assert [e.value for e in at.error] == ["You do not have access to this page."]
    assert not at.title and not at.dataframe and not at.get("plotly_chart")
    [event] = _events(auth_on, "refused")
    assert event["who"] == user and event["detail"].startswith("page ")


# --- executives: aggregates only -------------------------------------------------------------
def test_no_customer_identifier_anywhere_in_an_executives_pages(auth_on, demo_con):
    customers = _customers(demo_con)
    names = {name for name, _ in customers.values()}
    for page in sorted(EXECUTIVE_PAGES & ALL_PAGES):
        at = app_as("exec", page)
        assert not at.exception, page
        text = rendered_text(at)
        assert len(text) > 500, page  # the page did render
        assert not CUSTOMER_ID.search(text), page
        leaked = [name for name in names if name in text]
        assert not leaked, (page, leaked[:3])
        # Exports an executive could click build from the same scoped queries; none may hold names.
        # Beyond each chart's own data (what the chart shows, checked by test_access_exports),
        # only these pages offer exports.
        exports = [
            b for b in at.get("download_button") if not (b.key or "").startswith("chart_csv_")
        ]
        assert not exports or page in {"whatif", "model"}, page


def test_executives_see_pseudonyms_where_a_page_lists_customers(auth_on):
    at = app_as("exec", "concentration")
    text = rendered_text(at)
    assert re.search(r"#[0-9A-F]{10}", text)
    assert "Customer names and identifiers are hidden for your role." in text


# --- analysts: region scope ------------------------------------------------------------------
ANALYST_VIEWS = [
    ("overview", {}),
    ("grades", {}),
    ("concentration", {}),
    ("watchlist", {}),
    ("customer", {}),
    ("credit_control", {}),
    ("collections_page", {}),
    ("provisions", {}),
]


def _assert_only_region(text: str, customers: dict, region: str, where: str) -> None:
    ids = set(CUSTOMER_ID.findall(text))
    outside = {cid for cid in ids if customers.get(cid, ("", region))[1] != region}
    assert not outside, (where, sorted(outside)[:5])
    # Synthetic names repeat across regions: a name an in-scope customer also bears is no leak.
    inside = [n for n, r in customers.values() if r == region]
    foreign = [
        n
        for n, r in customers.values()
        if r != region and n in text and not any(n in mine for mine in inside)
    ]
    assert not foreign, (where, foreign[:3])


def test_an_analyst_limited_to_a_region_sees_only_its_rows_on_every_page(auth_on, demo_con):
    customers = _customers(demo_con)
    for page, query in ANALYST_VIEWS:
        at = app_as("ana_a", page, **query)
        assert not at.exception, page
        text = rendered_text(at)
        _assert_only_region(text, customers, REGION_A, page)
        # The region filter offers the scope only.
        region_filter = [m for m in at.sidebar.multiselect if m.label == "Region"][0]
        assert list(region_filter.options) == [REGION_A]
    # A customer of another region, even by a typed link, is unknown to this analyst.
    other = next(cid for cid, (_, region) in customers.items() if region == REGION_B)
    at = app_as("ana_a", None, customer=other)
    at.switch_page(str(ROOT / "dashboard" / "pages" / "customer.py"))
    at.query_params["customer"] = other
    at.run()
    assert not at.exception
    assert customers[other][0] not in rendered_text(at)


def test_two_analysts_with_different_scopes_get_their_own_rows_from_one_process(auth_on, demo_con):
    customers = _customers(demo_con)
    # No cache clearing between the two: the second run must not be served the first one's rows.
    for user, region in (("ana_a", REGION_A), ("ana_b", REGION_B), ("ana_a", REGION_A)):
        for page in ("watchlist", "customer", "concentration"):
            text = rendered_text(app_as(user, page))
            _assert_only_region(text, customers, region, f"{user} {page}")
            assert CUSTOMER_ID.search(text), (user, page)  # rows were shown at all


def test_an_analyst_without_regions_sees_every_region(auth_on, demo_con):
    at = app_as("ana_all", "watchlist")
    region_filter = [m for m in at.sidebar.multiselect if m.label == "Region"][0]
    assert len(region_filter.options) == 5


def test_a_customer_page_view_is_audited_once(auth_on, demo_con):
    customers = _customers(demo_con)
    mine = next(cid for cid, (_, region) in customers.items() if region == REGION_A)
    at = app_as("ana_a")
    at.switch_page(str(ROOT / "dashboard" / "pages" / "customer.py"))
    at.query_params["customer"] = mine
    at.run()
    assert not at.exception
    assert at.header[0].value == markdown_text(customers[mine][0])  # the name, shown as text
    at.run()  # a rerun (a widget change) is not a second view
    [event] = _events(auth_on, "customer_view")
    assert event["who"] == "ana_a" and event["detail"].startswith(mine)


# --- hardening: throttling, access-file validation, session binding --------------------------
def test_an_attacker_failing_for_a_name_does_not_lock_out_its_real_user(
    auth_on, client_browser, monkeypatch
):
    from dashboard import auth

    now = [5000.0]
    monkeypatch.setattr(auth, "_clock", lambda: now[0])
    attacker = "203.0.113.9"
    for _ in range(auth.MAX_FAILURES):
        assert auth.check_password("ana_a", "guess guess guess", client=attacker) is None
    # The attacker's client now waits, even with the right password (which is not even checked).
    assert auth.check_password("ana_a", PASSWORD, client=attacker) is None
    now[0] += 61  # after the wait, one more failure doubles it
    assert auth.check_password("ana_a", "guess again guess", client=attacker) is None
    assert auth.check_password("ana_a", PASSWORD, client=attacker) is None
    # The real user, from their own address and while the attacker waits, signs in at once.
    assert client_browser.address != attacker
    at = _sign_in("ana_a", PASSWORD)
    assert not at.exception
    assert at.title[0].value == "Portfolio overview"
    events = _events(auth_on)
    lockouts = [e["detail"] for e in events if e["action"] == "lockout"]
    assert lockouts == [
        f"client {attacker}: 5 failures for user ana_a, waits 60 s",
        f"client {attacker}: 6 failures for user ana_a, waits 120 s",
    ]
    refused = [e for e in events if e["detail"].startswith("locked:")]
    assert len(refused) == 2 and all(attacker in e["detail"] for e in refused)
    assert events[-1]["action"] == "sign_in" and BROWSER_ADDRESS in events[-1]["detail"]


@pytest.mark.parametrize(
    "entry",
    [
        'regions = "North"',  # a string, not a list: used to mean every region
        "regions = []",  # empty: used to mean every region
        'region = ["North"]',  # a misspelt key: used to be ignored (every region)
        'regions = ["Atlantis"]',  # a region the warehouse does not have
    ],
)
def test_a_hand_edited_region_entry_denies_the_analyst_instead_of_opening_the_portfolio(
    auth_on, access_file, tmp_path, monkeypatch, entry
):
    from data import users

    hashed = users.load_users(access_file)["ana_a"].password_hash
    edited = tmp_path / "edited_access.toml"
    edited.write_text(
        f'[users.ana_x]\nrole = "analyst"\n{entry}\npassword_hash = "{hashed}"\n', "utf-8"
    )
    monkeypatch.setenv("RISK_ACCESS_FILE", str(edited))
    at = _sign_in("ana_x", PASSWORD)
    assert not at.exception
    assert "your entry in the access file is not valid" in at.warning[0].value
    assert not registered_files(at) and not at.dataframe and not at.get("plotly_chart")
    # And no query runs for them: the query layer refuses too.
    app = app_as("ana_x", "watchlist")
    assert not app.dataframe and "watchlist" not in registered_files(app)


def test_a_replayed_session_id_without_the_browser_cookie_gets_nothing(auth_on, client_browser):
    at = _sign_in("ana_a", PASSWORD)
    at.switch_page(str(ROOT / "dashboard" / "pages" / "watchlist.py")).run()
    assert at.title[0].value != "Sign in" and at.dataframe  # the analyst's watchlist
    # The same session (same Streamlit session id and state) run by a connection that does not
    # carry the browser's cookie: a raw websocket presenting the id, or another browser.
    for stranger in ({}, browser_cookies()):
        client_browser.cookies, victim = stranger, client_browser.cookies
        at.run()
        assert [t.value for t in at.title] == ["Sign in"]
        assert not at.dataframe and "watchlist" not in registered_files(at)
        client_browser.cookies = victim
        at.run()  # the sign-in was ended, not only hidden: the real browser signs in again
        assert [t.value for t in at.title] == ["Sign in"]
        at = _sign_in("ana_a", PASSWORD)
    rejected = _events(auth_on, "session_rejected")
    assert len(rejected) == 2 and {e["who"] for e in rejected} == {"ana_a"}


def test_an_idle_sign_in_ends_after_the_policy_time(auth_on, monkeypatch):
    from dashboard import auth

    now = [1000.0]
    monkeypatch.setattr(auth, "_clock", lambda: now[0])
    monkeypatch.setenv("RISK_SESSION_IDLE_MINUTES", "30")
    at = _sign_in("ana_a", PASSWORD)
    now[0] += 29 * 60  # activity within the limit keeps the sign-in (and restarts the clock)
    at.run()
    assert at.title[0].value == "Portfolio overview"
    now[0] += 29 * 60
    at.run()
    assert at.title[0].value == "Portfolio overview"
    now[0] += 30 * 60 + 1
    at.run()
    assert [t.value for t in at.title] == ["Sign in"]
    assert "after 30 minutes without activity" in at.info[0].value
    assert [e["action"] for e in _events(auth_on)][-1] == "session_expired"


def test_the_browser_secret_is_the_xsrf_token_whatever_its_mask():
    from streamlit.web.server.starlette.starlette_app_utils import generate_xsrf_token_string

    from dashboard import auth

    token = bytes(range(16))
    # Streamlit re-sends the cookie with a new mask on page loads and health checks.
    first, second = (generate_xsrf_token_string(token, 1) for _ in range(2))
    assert first != second
    secret = auth._browser_secret({"_streamlit_xsrf": first})
    assert secret is not None and secret == auth._browser_secret({"_streamlit_xsrf": second})
    assert secret != auth._browser_secret({"_streamlit_xsrf": generate_xsrf_token_string()})
    for junk in ({}, {"_streamlit_xsrf": ""}, {"_streamlit_xsrf": "2|zz|00|1"}):
        assert auth._browser_secret(junk) is None
