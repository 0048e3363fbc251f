"""Ingestion messages (schemas.rules) in the reader's language, from the catalogue's [rules]."""

from __future__ import annotations

import polars as pl

from dashboard.i18n import t
from schemas.rules import identify


def rule_text(text: str | None) -> str | None:
    """A stored ingestion message in the current language; any other text as it is."""
    found = identify(text)
    if found is None:
        return text
    code, parameters = found
    return t(f"rules.{code}", **parameters)


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
