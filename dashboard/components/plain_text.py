"""Values from data shown as what they are: text, never Markdown, LaTeX, HTML or Plotly markup.

Streamlit renders the body of st.header, st.caption, st.markdown, st.info/warning/error/success,
st.toast and the labels of metrics, expanders and widgets as GitHub-flavoured Markdown with
LaTeX (`$x$`), colour directives (`:red[x]`), emoji and icon shortcodes. A customer named
`[Session expired](https://evil.example)` becomes a link there, `![](https://evil.example/x.png)`
an image fetched from another host. Plotly reads an HTML subset in every label (`<a href>`,
`<b>`, `<span style>`), also in hover texts and legends.

`markdown_text` is for a data value (or user input) placed in a Streamlit text element;
`chart_text` for one placed in a Plotly figure (chart_style.styled applies it to every figure).
Both also write hidden characters (bidirectional controls such as U+202E, zero-width and control
characters) as `\\uXXXX`, so a name shows what it holds: "\\u202e1nimda", never "admin1".
"""

from __future__ import annotations

import re
import string
import unicodedata

import numpy as np
import plotly.graph_objects as go

# Control, format (bidirectional, zero-width) and line/paragraph-separator characters.
_HIDDEN_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}
# Line breaks and tabs become a space: one value, one line (a line break could start a Markdown
# block: a heading, a list, a quote).
_WHITESPACE = {"\n": " ", "\r": " ", "\t": " "}
# CommonMark lets a backslash escape any ASCII punctuation; escaping all of it also covers
# Streamlit's own syntax ($ for LaTeX, : for directives and shortcodes, < for HTML and autolinks).
_MARKDOWN_SPECIAL = frozenset(string.punctuation)
# Some syntax is matched in the text after the escapes are read: GFM's autolink literals
# (http://…, www.…, a@b.c), shortcodes (:smile:, :material/home:, :streamlit:) and Streamlit's
# typographic symbols ("->" becomes an arrow). An invisible word joiner after the colon, after
# "www", after "@" and inside those pairs keeps them text.
WORD_JOINER = "\u2060"
_MATCHED_AFTER_ESCAPES = re.compile(r"(:|@|(?i:\bwww)(?=\.)|[-<>~=](?=[-<>~=]))")
_CHART_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def visible(text: str) -> str:
    """`text` with hidden characters written as `\\uXXXX` and line breaks and tabs as spaces."""
    return "".join(_visible(c) for c in text)


def _visible(char: str) -> str:
    if char in _WHITESPACE:
        return _WHITESPACE[char]
    if unicodedata.category(char) not in _HIDDEN_CATEGORIES:
        return char
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def markdown_text(value: object) -> str:
    """`value` as a string that Streamlit's Markdown shows literally (no link, image, LaTeX,
    HTML, colour, heading or list): every ASCII punctuation character backslash-escaped."""
    text = _MATCHED_AFTER_ESCAPES.sub(r"\1" + WORD_JOINER, visible(str(value)))
    return "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in text)


def chart_text(value: str) -> str:
    """`value` as a Plotly label that shows literally: `&`, `<` and `>` as entities."""
    return "".join(_CHART_ENTITIES.get(c, c) for c in visible(value))


# Trace properties that carry values from data; templates (hovertemplate, texttemplate) are the
# builders' own markup and stay as written.
_TRACE_FIELDS = ("x", "y", "labels", "parents", "ids", "text", "hovertext", "customdata", "name")
_PART_FIELDS = {"node": ("label", "customdata"), "link": ("label", "customdata")}
_AXIS = re.compile(r"[xy]axis\d*")


def plain_figure(figure: go.Figure) -> go.Figure:
    """`figure` with every text that could come from data shown literally (chart_text): trace
    values, labels, ids, hover texts, custom data and legend names, the title, axis titles and
    tick texts, and annotations. Numbers and dates are left as they are."""
    for trace in figure.data:
        for field in _TRACE_FIELDS:
            _escape_property(trace, field)
        for part, fields in _PART_FIELDS.items():
            if part in trace:
                for field in fields:
                    _escape_property(trace[part], field)
    layout = figure.layout
    _escape_property(layout.title, "text")
    _escape_property(layout.legend.title, "text")
    for key in layout:
        if _AXIS.fullmatch(key):
            axis = layout[key]
            _escape_property(axis.title, "text")
            _escape_property(axis, "ticktext")
            _escape_property(axis, "categoryarray")
    for annotation in layout.annotations:
        _escape_property(annotation, "text")
    return figure


def _escape_property(owner: object, field: str) -> None:
    if field not in owner:
        return
    value = owner[field]
    escaped = _escaped(value)
    if escaped is not value:
        owner[field] = escaped


def _escaped(value: object) -> object:
    """`value` with chart_text applied to every string in it (nested lists and arrays too); the
    same object when it holds no string."""
    if isinstance(value, str):
        return chart_text(value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "OUS":
            return value
        return np.array([_escaped(v) for v in value.tolist()], dtype=object)
    if isinstance(value, list | tuple):
        items = [_escaped(v) for v in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return items
    return value
