"""Limits on what the Data page accepts before parsing anything."""

from __future__ import annotations

from dashboard.components.plain_text import markdown_text
from dashboard.i18n import DEFAULT_LANGUAGE, language, t


def refusal(name: str, size_bytes: int, limit_mb: int) -> str | None:
    """The message refusing an upload above `limit_mb` megabytes, or None when it may be parsed.

    Parsing holds a file's cells in memory (a few times its size), so the size limit is also the
    bound on the memory one upload can take.
    """
    if size_bytes > limit_mb * 1024 * 1024:
        return t(
            "data.too_large",
            name=markdown_text(name),
            size_mb=size_bytes / 2**20,
            limit_mb=limit_mb,
        )
    return None


def uploader_in_language(types: list[str]) -> None:
    """Streamlit's file uploader writes its button ("Upload") and its size line in English; in
    another language both are replaced by the catalogue's (data.upload_button, data.upload_limit).

    Styles only: the English text is hidden and the catalogue's drawn in its place, so the file
    input and its drop zone work as before. English pages keep Streamlit's own text (it also lists
    the accepted file types, which the catalogue's line lists too: `types`, as the uploader's).
    """
    if language() == DEFAULT_LANGUAGE:
        return
    import streamlit as st

    button = _css_string(t("data.upload_button"))
    limit = _css_string(
        t(
            "data.upload_limit",
            mb=st.get_option("server.maxUploadSize"),
            types=t("data.upload_types_separator").join(x.upper() for x in types),
        )
    )
    zone = '[data-testid="stFileUploaderDropzone"]'
    st.html(
        "<style>"
        f"{zone} button [data-testid='stMarkdownContainer'] {{display: none}}"
        f"{zone} button > div > span::after {{content: {button}}}"
        f"{zone} [data-testid='stFileUploaderDropzoneInstructions'] span {{display: none}}"
        f"{zone} [data-testid='stFileUploaderDropzoneInstructions'] > div::after"
        f" {{content: {limit}; font-size: 0.875rem; opacity: 0.6}}"
        "</style>"
    )


def _css_string(text: str) -> str:
    """`text` as a CSS string literal (quotes and backslashes escaped, no markup can close it)."""
    safe = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ").replace("\n", " ")
    return f'"{safe}"'
