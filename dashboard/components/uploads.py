"""Limits on what the Data page accepts before parsing anything."""

from __future__ import annotations

from dashboard.components.plain_text import markdown_text
from dashboard.i18n import t


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
