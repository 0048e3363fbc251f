"""Ingestion messages (schemas.rules) in the reader's language, from the catalogue's [rules]."""

from __future__ import annotations

import ast
import re

import polars as pl

from dashboard.components.formats import number
from dashboard.i18n import t
from schemas.rules import identify

# A Pandera check's limit as Python printed it ("-200000.0", "1e+16"), and its value list
# ("['AAA', 'AA', 'A']"): the stored message keeps them, the reader gets them as words.
_FLOAT = re.compile(r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?")
_LIST = re.compile(r"\[.*\]|\(.*\)")


def rule_text(text: str | None) -> str | None:
    """A stored ingestion message in the current language; any other text as it is."""
    found = identify(text)
    if found is None:
        return text
    code, parameters = found
    return t(f"rules.{code}", **{k: _readable(v) for k, v in parameters.items()})


def _readable(value: str) -> str:
    """A rule's parameter as a reader writes it: a list as "AAA, AA, A" (the catalogue's
    separator), a number with separators and no trailing ".0"; anything else as it is."""
    text = value.strip()
    if _LIST.fullmatch(text):
        try:
            items = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return value
        if isinstance(items, (list, tuple, set)):
            return t("data.list_separator").join(str(item) for item in items)
    if _FLOAT.fullmatch(text):
        amount = float(text)
        return number(amount) if amount.is_integer() else f"{amount:g}"
    return value


def notes_text(notes: list[str]) -> str:
    """How a file was read, each note in the current language, as one line."""
    return t("data.note_separator").join(rule_text(note) or "" for note in notes)


def with_rule_text(frame: pl.DataFrame, column: str = "rule") -> pl.DataFrame:
    """`frame` with its rule messages in the current language (each distinct message once)."""
    if frame.is_empty() or column not in frame.columns:
        return frame
    messages = frame[column].drop_nulls().unique().to_list()
    translated = {message: rule_text(message) for message in messages}
    return frame.with_columns(pl.col(column).replace(translated))
