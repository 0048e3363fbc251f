"""The message catalogue: every label, title and message a user reads comes from here.

Messages live in dashboard/messages/<lang>/*.toml (a file per page or area, so pages don't share a
file) as `[section]` tables of `key = "text with {placeholders}"`, addressed as "section.key".
Domain terms live once in dashboard/messages/glossary.toml and are in the catalogue as
"glossary.<term>". English is complete; a key missing in another language falls back to English.

The language of a run: `?lang=` in the URL, else the language chosen earlier in the session,
else the browser's (`st.context.locale`), else English. Outside a Streamlit run (tests, chart
builders called directly) it is what `set_language` set in this thread.
"""

from __future__ import annotations

import threading
import tomllib
from functools import cache
from pathlib import Path

MESSAGES = Path(__file__).resolve().parent / "messages"
GLOSSARY = MESSAGES / "glossary.toml"
LANGUAGES = {"en": "English", "zh": "简体中文"}
DEFAULT_LANGUAGE = "en"
SESSION_KEY = "language"
# Each Streamlit session runs its script in its own thread; main.py sets the language per run.
_current = threading.local()


@cache
def glossary() -> dict[str, dict]:
    """Term -> {en, zh, match, zh_short, zh_avoid} from the glossary file."""
    return tomllib.loads(GLOSSARY.read_text(encoding="utf-8"))


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
    for term, entry in glossary().items():
        if lang in entry:
            flat[f"glossary.{term}"] = entry[lang]
    return flat


def from_locale(locale: str | None) -> str | None:
    """The catalogue language of a browser locale ('zh-CN' -> 'zh', 'en-GB' -> 'en'), or None."""
    if not locale:
        return None
    base = locale.replace("_", "-").split("-", 1)[0].lower()
    return base if base in LANGUAGES else None


def resolve_language(url: str | None, chosen: str | None = None, locale: str | None = None) -> str:
    """The URL's language if known, else the one chosen in the session, else the browser's, else English."""
    for candidate in (url, chosen, from_locale(locale)):
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT_LANGUAGE


def _streamlit_language() -> str | None:
    """The language of the Streamlit run in this thread; None outside a run."""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx
    except ImportError:  # pragma: no cover - Streamlit is a dependency of the dashboard
        return None
    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    import streamlit as st

    try:
        locale = st.context.locale
    except Exception:  # noqa: BLE001 - no browser behind this run (AppTest, bare mode)
        locale = None
    return resolve_language(st.query_params.get("lang"), st.session_state.get(SESSION_KEY), locale)


def set_language(lang: str) -> None:
    _current.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def language() -> str:
    """The current language code ('en' or 'zh')."""
    return _streamlit_language() or getattr(_current, "lang", DEFAULT_LANGUAGE)


def t(key: str, /, **values: object) -> str:
    """The message `key` in the current language, with {placeholders} filled from `values`."""
    text = catalogue(language()).get(key)
    if text is None:  # an empty message is a message (no space between Chinese sentences)
        text = catalogue(DEFAULT_LANGUAGE).get(key)
    if text is None:
        raise KeyError(f"message {key!r} is not in dashboard/messages/{DEFAULT_LANGUAGE}/")
    return text.format(**values) if values else text


def value_label(dimension: str, value: str) -> str:
    """A stored dimension value for display: value_label('industry', 'Retail') -> '零售业' in
    Chinese; a value the catalogue does not know (a user's own data) as it is."""
    text = catalogue(language()).get(f"values.{dimension}.{value}")
    return value if text is None else text


def value_labels(values: list[str | None], dimension: str) -> dict[str, str]:
    """value -> display label for the stored values of `dimension` (segment, region, industry,
    status), for relabelling a column of a table or chart in one go."""
    return {v: value_label(dimension, v) for v in values if v is not None}


def term(name: str) -> str:
    """A glossary term in the current language: term('exposure') -> '风险敞口' in Chinese."""
    return t(f"glossary.{name}")
