"""The values a work item takes: plain-text notes and names, amounts, codes and dates, each refused
with an InvalidInput that says why in words a page can show.

Notes are plain text (nothing in them is ever rendered as markup) of at most NOTE_LIMIT
characters, stored with control, bidirectional and zero-width characters escaped as `\\uXXXX` as
the audit log does (data/audit.py; newlines and tabs kept).
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

from data import audit
from data.worklog import MONEY_LIMIT, NAME_LIMIT, NOTE_LIMIT, InvalidInput


def clean_note(note: str | None, required: bool = False, what: str = "note") -> str:
    """A note as stored: stripped, newlines as \\n, at most NOTE_LIMIT characters, control,
    bidirectional and zero-width characters escaped (newlines and tabs kept). InvalidInput for
    text that is not a string, too long, or empty when `required`."""
    if note is None:
        note = ""
    if not isinstance(note, str):
        raise InvalidInput(f"the {what} must be text")
    text = note.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > NOTE_LIMIT:
        raise InvalidInput(
            f"the {what} has {len(text):,} characters; at most {NOTE_LIMIT:,} are kept"
        )
    if required and not text:
        raise InvalidInput(f"a {what} is required")
    return "\n".join(
        "\t".join(audit.escape_text(part) for part in line.split("\t")) for line in text.split("\n")
    )


def clean_name(name: str | None, what: str) -> str:
    """A person's name (assignee): one line of at most NAME_LIMIT characters, hidden
    characters escaped; InvalidInput when empty or too long."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput(f"the {what} must be a name")
    text = name.strip()
    if len(text) > NAME_LIMIT:
        raise InvalidInput(f"the {what} has more than {NAME_LIMIT} characters")
    return audit.escape_text(text)


def check_amount(value: Any, what: str, allow_zero: bool = False) -> float:
    """A money amount: a finite number > 0 (>= 0 when `allow_zero`) below MONEY_LIMIT."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInput(
            f"the {what} must be a number, not {audit.escape_text(repr(value))[:40]}"
        )
    if value < 0 or (value == 0 and not allow_zero):
        bound = "0 or more" if allow_zero else "more than 0"
        raise InvalidInput(f"the {what} must be {bound}, not {value:,.2f}")
    if value >= MONEY_LIMIT:
        raise InvalidInput(f"the {what} {value:,.0f} is beyond any real amount")
    return float(value)


def check_code(value: Any, allowed: tuple[str, ...], what: str) -> str:
    """`value` when it is one of `allowed`; InvalidInput naming the allowed codes otherwise."""
    if value not in allowed:
        shown = audit.escape_text(str(value))[:40]
        raise InvalidInput(f"unknown {what} {shown!r}: one of {', '.join(allowed)}")
    return value


def check_date(value: Any, what: str) -> date:
    """A calendar date (not a datetime) in 1900-2100."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidInput(f"the {what} must be a date")
    if not date(1900, 1, 1) <= value <= date(2100, 12, 31):
        raise InvalidInput(f"the {what} {value} is outside 1900-2100")
    return value
