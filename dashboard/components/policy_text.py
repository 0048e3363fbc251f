"""A policy file's own words in the reader's language: its name, its limit actions ("maintain",
"hold", "cut 25 %") and its forward-looking reasons.

A policy file is written in one language; the shipped policy's texts are in the catalogue's
[values.policy_text] and [values.limit_action], and a user's own policy text shows as written.
"""

from __future__ import annotations

import re

import polars as pl

from dashboard.i18n import t, value_label

_CUT = re.compile(r"cut\s+(\d+(?:\.\d+)?)\s*%")


def policy_text(text: str | None) -> str:
    """The shipped policy's name or a reason in the current language; any other text as it is."""
    return "—" if text is None else value_label("policy_text", text)


def limit_action(text: str | None) -> str:
    """A band's limit action: "maintain" -> 维持 in Chinese, "cut 25 %" -> 削减 25 %."""
    if text is None:
        return "—"
    cut = _CUT.fullmatch(text.strip())
    if cut:
        return t("values.limit_action.cut_share", share=cut.group(1))
    return value_label("limit_action", text)


def with_policy_labels(frame: pl.DataFrame, actions: str = "limit_action") -> pl.DataFrame:
    """`frame` with its limit-action column in the current language (each distinct value once)."""
    if frame.is_empty() or actions not in frame.columns:
        return frame
    labels = {v: limit_action(v) for v in frame[actions].drop_nulls().unique().to_list()}
    return frame.with_columns(pl.col(actions).replace(labels))
