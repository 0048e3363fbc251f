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


# The one st.html call: a <style> element whose only texts are the catalogue's, each written as a
# CSS string literal (uploads._css_string), to show Streamlit's uploader in the page's language.
STYLE_ONLY = {"uploads.py"}


def test_no_page_or_component_renders_raw_html():
    sources = [ROOT / "app.py", ROOT / "main.py", *(ROOT / "dashboard").rglob("*.py")]
    for path in sources:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"unsafe_allow_html\s*=\s*True|components\.html\(", text), path.name
        calls = len(re.findall(r"\bst\.html\(", text))
        assert calls == (1 if path.name in STYLE_ONLY else 0), path.name


def test_the_uploader_style_cannot_close_its_element_or_string():
    from dashboard.components.uploads import _css_string

    written = _css_string('</style><script>alert("x")</script>\\')
    assert "<" not in written and written.startswith('"') and written.endswith('"')
    # every quote inside is escaped, so the literal ends only at its last character
    assert re.fullmatch(r'"(?:[^"\\]|\\.)*"', written)


def test_access_and_audit_files_are_not_committed():
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "access.toml" in ignored and "audit.sqlite*" in ignored
