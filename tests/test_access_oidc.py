"""Sign-in through an identity provider (st.login): the provider's e-mail address is matched to a
user entry of the access file, which gives the role; st.user is replaced by a stand-in here."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit import config

from dashboard import auth
from data import audit
from tests.auth_helpers import app_as, registered_files


class ProviderUser(dict):
    """What st.user holds after a provider's sign-in: claims of the identity token."""

    @property
    def is_logged_in(self) -> bool:
        return bool(self)


@pytest.fixture
def provider(auth_on, monkeypatch):
    monkeypatch.setattr(auth, "oidc_configured", lambda: True)

    def signed_in(**claims) -> None:
        monkeypatch.setattr(st, "user", ProviderUser(claims))

    signed_in()  # nobody yet
    return signed_in


def test_the_sign_in_screen_offers_the_provider_when_one_is_configured(provider):
    at = app_as(None)
    assert [b.label for b in at.button][0] == "Sign in with your company account"


def test_a_provider_account_is_matched_to_its_user_by_email(provider, auth_on):
    provider(email="ana.a@EXAMPLE.com", email_verified=True, name="Ana")
    at = app_as(None)
    assert not at.exception
    assert at.title[0].value == "Portfolio overview"
    assert "Signed in as ana_a · analyst" in [c.value for c in at.sidebar.caption]
    assert "watchlist" in registered_files(at) and "data_sources" not in registered_files(at)
    at.run()  # the next click: still signed in, not audited twice
    [event] = audit.recent(path=auth_on).to_dicts()
    assert (event["who"], event["role"], event["action"]) == ("ana_a", "analyst", "sign_in")
    assert event["detail"] == "oidc ana.a@EXAMPLE.com"


def test_a_provider_account_without_a_user_entry_gets_no_role(provider):
    provider(email="stranger@example.com", email_verified=True)
    at = app_as(None)
    assert "no role has been given to you" in at.warning[0].value
    assert not registered_files(at) and not at.dataframe


def test_an_unverified_email_is_refused(provider, auth_on):
    provider(email="ana.a@example.com", email_verified=False)
    at = app_as(None)
    assert at.error[0].value.startswith("Your identity provider has not verified")
    assert not registered_files(at)
    assert audit.recent(path=auth_on)["action"].to_list() == ["sign_in_failed"]


def test_error_details_are_hidden_from_the_browser_when_access_control_is_on(auth_on):
    app_as(None)
    assert config.get_option("client.showErrorDetails") == "none"
