"""Secure defaults: the server configuration, and no raw HTML anywhere user data could reach."""

from __future__ import annotations

import re
import tomllib

from tests.conftest import ROOT


def test_server_configuration_keeps_xsrf_and_cors_protection_and_limits_uploads():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    server = config["server"]
    assert server["enableXsrfProtection"] is True
    assert server["enableCORS"] is True
    assert 0 < server["maxUploadSize"] <= 200


def test_no_page_or_component_renders_raw_html():
    sources = [ROOT / "app.py", *(ROOT / "dashboard").rglob("*.py")]
    for path in sources:
        text = path.read_text(encoding="utf-8")
        assert not re.search(
            r"unsafe_allow_html\s*=\s*True|\bst\.html\(|components\.html\(", text
        ), path.name


def test_access_and_audit_files_are_not_committed():
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "access.toml" in ignored and "audit.sqlite*" in ignored
