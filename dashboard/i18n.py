"""The message catalogue: every label, title and message a user reads comes from here.

Messages live in dashboard/messages/<lang>/*.toml (a file per page or area, so pages don't share a
file) as `[section]` tables of `key = "text with {placeholders}"`, addressed as "section.key".
English is complete; a key missing in another language falls back to English.
"""

from __future__ import annotations

import threading
import tomllib
from functools import cache
from pathlib import Path

MESSAGES = Path(__file__).resolve().parent / "messages"
LANGUAGES = {"en": "English", "zh": "简体中文"}
DEFAULT_LANGUAGE = "en"
# Each Streamlit session runs its script in its own thread; app.py sets the language per run.
_current = threading.local()


@cache
def catalogue(lang: str) -> dict[str, str]:
    """Flat key -> text for a language (nested TOML tables become dotted keys)."""
    flat: dict[str, str] = {}

    def walk(prefix: str, node: dict) -> None:
        for key, value in node.items():
            name = f"{prefix}{key}"
            if isinstance(value, dict):
                walk(name + ".", value)
            else:
                flat[name] = str(value)

    for path in sorted((MESSAGES / lang).glob("*.toml")):
        walk("", tomllib.loads(path.read_text(encoding="utf-8")))
    return flat


def set_language(lang: str) -> None:
    _current.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def language() -> str:
    return getattr(_current, "lang", DEFAULT_LANGUAGE)


def t(key: str, **values: object) -> str:
    """The message `key` in the current language, with {placeholders} filled from `values`."""
    text = catalogue(language()).get(key) or catalogue(DEFAULT_LANGUAGE).get(key)
    if text is None:
        raise KeyError(f"message {key!r} is not in dashboard/messages/{DEFAULT_LANGUAGE}/")
    return text.format(**values) if values else text
