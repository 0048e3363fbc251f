"""A hostile book: the demo portfolio with every free-text value replaced by an attack.

Customer names, owners, industries, segments, event kinds, sources and notes, contract approvers
and review notes carry Markdown (links, images, colour), HTML and Plotly tags, LaTeX, formulas
(`=cmd|…`, `@SUM(…)`, `+…`, `-…`) and bidirectional controls; the load's own name (shown as the
file on the Data page) is one too, and one customer row is rejected so the quarantine holds a
formula as its value. Loaded through the same validation as a user's file (data.ingest), built
once per test session (tests/conftest.py `hostile_db`), so every page test can open it.

`markdown_strings` lists what a page run hands to Streamlit's Markdown (headings, captions,
alerts, metrics, expander and tab labels, progress texts, toasts, widget labels and help).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import polars as pl
from google.protobuf.json_format import MessageToDict

from data.export import FORMULA_PREFIXES

EVIL = "evil.example"
# Customer names: every one is something a renderer could act on.
NAMES = (
    "[Session expired, sign in again](http://evil.example/login)",
    "![](http://evil.example/x.png) Imaging",
    '<a href="http://evil.example/">Clickable</a> Holdings',
    '<b>Bold</b> <span style="font-size:60px">Huge</span> Trading',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\u202egnidloH evil.example",
    "$x^2$ :red[Red] **Bold** Maths",
    "# Heading `code` ~~struck~~ www.evil.example",
    "<img src=http://evil.example/i.png onerror=alert(1)> Pictures",
)
OWNERS = ("[owner](http://evil.example/o)", "=owner()", "<b>owner</b>", "\u202eowner")
INDUSTRIES = ("<b>Steel</b> & [Co](http://evil.example/s)", "=industry()", "$x$ Chemicals")
SEGMENTS = ("<i>sme</i>", "@segment")
EVENT_TEXT = "<a href='http://evil.example/e'>=cmd|' /C calc'!A0</a> ![](http://evil.example/e.png)"
SOURCE_NAME = '=HYPERLINK("http://evil.example")<b>[file](http://evil.example/f)</b>'
SCORED_KINDS = ("bankruptcy_filing", "rating_downgrade")
REJECTED_STATUS = "=cmd|' /C calc'!A0"
# What escaping must change wherever a hostile value is rendered as Markdown or in a chart.
RAW_MARKERS = (EVIL, "$x", ":red[", "<b>", "<a ", "<img", "<span", "](", "![", "\u202e", "cmd|")
CHART_MARKERS = ("<a ", "<b>", "<i>", "<img", "<span", "\u202e")


def raw_markers(text: str, markers: tuple[str, ...] = RAW_MARKERS) -> list[str]:
    """The markers that occur in `text` as typed, not behind a Markdown escape (a backslash
    before a marker's first character makes it text; one inside it breaks the marker anyway)."""
    return [m for m in markers if re.search(r"(?<!\\)" + re.escape(m), text)]


def _cycle(values: tuple[str, ...], n: int, offset: int = 0) -> list[str]:
    return [values[(i + offset) % len(values)] for i in range(n)]


def hostile_tables(customers: int = 240, seed: int = 11) -> dict[str, pl.DataFrame]:
    """The demo portfolio's source tables with hostile text in every free-text column."""
    from data.generate import generate

    tables = dict(generate("manufacturer", customers=customers, seed=seed).tables)
    c = tables["customers"]
    tables["customers"] = c.with_columns(
        pl.Series("name", [f"{name} {i}" for i, name in enumerate(_cycle(NAMES, c.height))]),
        pl.Series("owner", _cycle(OWNERS, c.height)),
        pl.Series("industry", _cycle(INDUSTRIES, c.height)),
        pl.Series("segment", _cycle(SEGMENTS, c.height)),
    )
    e = tables["risk_events"]
    # The kinds the score reads (scoring SQL) stay, so the book keeps its defaults and triggers.
    hostile_kind = pl.Series(_cycle((EVENT_TEXT[:100], "=kind()", "<b>kind</b>"), e.height))
    tables["risk_events"] = e.with_columns(
        pl.when(pl.col("kind").is_in(SCORED_KINDS))
        .then(pl.col("kind"))
        .otherwise(pl.lit(hostile_kind))
        .alias("kind"),
        pl.Series("source", _cycle(OWNERS, e.height, 1)),
        pl.Series("note", [EVENT_TEXT] * e.height),
    )
    k = tables["contracts"]
    tables["contracts"] = k.with_columns(pl.Series("approved_by", _cycle(OWNERS, k.height, 2)))
    r = tables["credit_reviews"]
    if r.height:
        tables["credit_reviews"] = r.with_columns(
            pl.Series("decided_by", _cycle(OWNERS, r.height, 3)),
            pl.Series("note", [EVENT_TEXT] * r.height),
        )
    # One row the rules reject: the quarantine then shows a formula as the offending value.
    rejected = (
        tables["customers"]
        .head(1)
        .with_columns(
            pl.lit("REJECTED-1").alias("customer_id"), pl.lit(REJECTED_STATUS).alias("status")
        )
    )
    tables["customers"] = pl.concat([tables["customers"], rejected])
    return tables


def build_hostile(path: Path) -> Path:
    """Load the hostile tables into a new warehouse at `path` (validated like a user's file)."""
    from data import warehouse
    from data.ingest import load_frames

    with warehouse.writing(path, fresh=True) as con:
        result = load_frames(con, hostile_tables(), SOURCE_NAME)
    rejected = sum(r.rows_rejected for r in result.reports)
    assert rejected == 1, f"the hostile book should lose exactly its one bad row, lost {rejected}"
    return path


# --- what a page run rendered --------------------------------------------------------------------
_BODY_TYPES = {
    "title",
    "header",
    "subheader",
    "caption",
    "markdown",
    "info",
    "warning",
    "error",
    "success",
    "toast",
}
_MARKDOWN_FIELDS = {
    "metric": ("label", "body", "delta", "help"),
    "expander": ("label",),
    "tab": ("label",),
    "status": ("label",),
    "progress": ("text",),
}


def _nodes(node) -> Iterator:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def markdown_strings(at) -> list[str]:
    """Every string of the last run that Streamlit renders as Markdown."""
    found = []
    for node in _nodes(at._tree):  # noqa: SLF001 - the whole tree, main area and sidebar
        proto = getattr(node, "proto", None)
        kind = getattr(node, "type", None)
        if proto is None or kind is None:
            continue
        fields = MessageToDict(proto)
        if kind in _BODY_TYPES:
            found.append(fields.get("body", ""))
        for name in _MARKDOWN_FIELDS.get(kind, ()):
            found.append(fields.get(name, ""))
        if "label" in fields and kind not in _MARKDOWN_FIELDS:  # widget labels
            found.append(fields["label"])
        if "help" in fields and kind not in _MARKDOWN_FIELDS:
            found.append(fields["help"])
    return [s for s in found if s]


def chart_strings(at) -> list[str]:
    """Every string of every Plotly figure of the last run except the builders' templates."""

    def strings(node, key: str = "") -> Iterator[str]:
        if key in ("hovertemplate", "texttemplate"):
            return
        if isinstance(node, str):
            yield node
        elif isinstance(node, dict):
            for k, v in node.items():
                yield from strings(v, k)
        elif isinstance(node, list):
            for v in node:
                yield from strings(v, key)

    found = []
    for chart in at.get("plotly_chart"):
        found.extend(strings(json.loads(chart.proto.spec)))
    return found


def table_cells(at) -> list[str]:
    """Every text cell of every dataframe of the last run."""
    cells = []
    for table in at.dataframe:
        frame = table.value
        for column in frame.columns:
            cells.extend(v for v in frame[column].tolist() if isinstance(v, str))
    return cells


def formula_cells(cells: list[str]) -> list[str]:
    """The cells a spreadsheet would run as a formula."""
    return [c for c in cells if c.startswith(FORMULA_PREFIXES)]
