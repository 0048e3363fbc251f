"""Progress of long work (demo and case builds, loads) in the reader's language.

The data layer reports progress as English labels with a fixed shape (data/demo.py, data/build.py,
data/ingest.py), so the command line needs no catalogue; here each known shape becomes the
catalogue's message, and anything else is shown as it came.
"""

from __future__ import annotations

import re

from dashboard.components.plain_text import markdown_text
from dashboard.i18n import DEFAULT_LANGUAGE, catalogue, t

# (label pattern, message key); named groups become the message's placeholders
_SHAPES = (
    (
        re.compile(
            r"loading block (?P<number>\d+) of (?P<blocks>\d+) \((?P<customers>[\d,]+) (?P<scenario>\w+) customers\)"
        ),
        "progress.loading_block",
    ),
    (re.compile(r"build done"), "progress.build_done"),
    (re.compile(r"build record"), "progress.build_record"),
    (re.compile(r"build (?P<step>\w+)"), "progress.build_step"),
    (re.compile(r"validating (?P<name>.+)"), "progress.validating"),
    (re.compile(r"writing (?P<name>.+)"), "progress.writing"),
)


def step_label(step: str) -> str:
    """What a build step makes, in the reader's words: 'payment_book' -> 'the instalment book (what
    was owed and what was paid)' / '分期台账（应付与已付）'; a step the catalogue lacks as it is."""
    key = f"progress.steps.{step}"
    return t(key) if key in catalogue(DEFAULT_LANGUAGE) else step


def progress_text(label: str) -> str:
    """A data-layer progress label as the reader's message: 'build customer_month' -> 'Building
    risk per customer and month…' / '正在构建客户月度风险…'; an unknown label as it came.

    The text is for st.progress, which renders Markdown: a file name (the user's upload) and an
    unknown label are escaped so they show as text (plain_text.markdown_text)."""
    for pattern, key in _SHAPES:
        match = pattern.fullmatch(label)
        if match:
            values = match.groupdict()
            if "name" in values:
                values["name"] = markdown_text(values["name"])
            if "step" in values:
                values["step"] = markdown_text(step_label(values["step"]))
            return t(key, **values)
    return markdown_text(label)
