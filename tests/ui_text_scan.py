"""Finds text a user would read that does not come from the message catalogue.

Walks the syntax tree of the app's scripts and looks at the arguments of calls that put text on
the screen (Streamlit elements and column configs, Plotly traces, layouts and axes, the product's
chart builders): a string literal there with words in it is UI text outside the catalogue.
Placeholders (`%{y:,.0f}`, `{name}`), HTML tags, number formats and icons are not words.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Calls whose first positional argument (and text keywords) a user reads.
STREAMLIT_TEXT = {
    "title", "header", "subheader", "caption", "markdown", "write", "text", "info", "warning",
    "error", "success", "toast", "button", "download_button", "link_button",
    "selectbox", "multiselect", "radio", "checkbox", "toggle", "slider", "select_slider",
    "text_input", "text_area", "number_input", "date_input", "time_input", "file_uploader",
    "metric", "expander", "popover", "status", "spinner", "form_submit_button",
    "segmented_control", "pills", "color_picker", "camera_input", "chat_input", "dialog",
    "TextColumn", "NumberColumn", "DateColumn", "DatetimeColumn", "TimeColumn", "ProgressColumn",
    "LinkColumn", "ListColumn", "CheckboxColumn", "SelectboxColumn", "Column", "BarChartColumn",
    "LineChartColumn", "AreaChartColumn", "ImageColumn", "JsonColumn", "MultiselectColumn",
    "progress", "styled",
}  # fmt: skip
# Calls whose first positional argument is a list of labels (tabs) or options shown as they are.
LISTED_TEXT = {"tabs": 0, "radio": 1, "selectbox": 1, "multiselect": 1, "pills": 1,
               "segmented_control": 1, "select_slider": 1}  # fmt: skip
# Calls whose text is only in keywords (positional arguments are data or paths).
KEYWORD_ONLY = {
    "Page", "page_link", "set_page_config", "dataframe", "data_editor", "table", "update", "update_layout", "update_xaxes", "update_yaxes",
    "update_traces", "add_annotation", "add_hline", "add_vline", "add_hrect", "add_vrect",
    "make_subplots", "Bar", "Scatter", "Pie", "Treemap", "Heatmap", "Histogram", "Sankey",
    "Waterfall", "Box", "Indicator", "Funnel", "Sunburst", "Table", "Figure", "Layout",
}  # fmt: skip
TEXT_KEYWORDS = {
    "label", "help", "placeholder", "title", "title_text", "name", "text", "caption", "body",
    "subplot_titles", "hovertemplate", "texttemplate", "annotation_text", "page_title",
    "legendgrouptitle_text", "column_titles", "row_titles", "tooltip", "xaxis_title",
    "yaxis_title", "legend_title_text", "legend_title", "column_config", "header", "cells",
}  # fmt: skip

PLACEHOLDER = re.compile(r"%\{[^}]*\}|\{[^}]*\}|<[^>]*>|:material/[a-z_]+:|%[-+ #0,.\d]*[a-zA-Z%]")
WORD = re.compile(r"[A-Za-z]{2,}|[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Offender:
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text!r}"


def has_words(text: str) -> bool:
    """True when a literal carries words a reader sees, once placeholders and formats are gone."""
    return bool(WORD.search(PLACEHOLDER.sub(" ", text)))


def _call_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    if isinstance(node.func, ast.Name):
        return node.func.id
    return None


def _is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _literals(node: ast.AST, mapping: bool = False) -> Iterator[tuple[int, str]]:
    """String literals that end up in the value of `node` (f-string parts, +, dicts, lists).

    In a dict only the "text" / "title" entries are read (a Plotly title), unless `mapping`: then
    every value is (a column_config maps column -> label or Column).
    """
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.lineno, node.value
    elif isinstance(node, ast.JoinedStr):
        for part in node.values:
            yield from _literals(part)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        yield from _literals(node.left)
        yield from _literals(node.right)
    elif isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values, strict=True):
            if mapping or (isinstance(key, ast.Constant) and key.value in ("text", "title")):
                yield from _literals(value)
    elif isinstance(node, ast.List | ast.Tuple):
        for item in node.elts:
            yield from _literals(item)
    elif isinstance(node, ast.IfExp):
        yield from _literals(node.body)
        yield from _literals(node.orelse)


def scan_source(source: str, path: str) -> list[Offender]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        # go.Anything(...) is a Plotly object: its text is in keywords, its positionals are data.
        plotly = isinstance(node.func, ast.Attribute) and _is_name(node.func.value, "go")
        arguments: list[tuple[ast.AST, bool]] = []
        if name in STREAMLIT_TEXT and node.args and not plotly:
            arguments.append((node.args[0], False))
        listed = LISTED_TEXT.get(name or "")
        # Options shown through a format_func are codes, not text.
        if listed is not None and len(node.args) > listed and "format_func" not in keywords:
            arguments.append((node.args[listed], False))
        if plotly or name in STREAMLIT_TEXT | KEYWORD_ONLY | set(LISTED_TEXT):
            arguments += [
                (v, k == "column_config") for k, v in keywords.items() if k in TEXT_KEYWORDS
            ]
        for argument, mapping in arguments:
            for line, text in _literals(argument, mapping):
                if has_words(text):
                    found.append(Offender(path, line, text))
    return found


def scan(files: list[Path], root: Path) -> list[Offender]:
    """Every UI literal in `files`, path relative to `root`."""
    found = []
    for file in files:
        found += scan_source(file.read_text(encoding="utf-8"), str(file.relative_to(root)))
    return sorted(set(found), key=lambda o: (o.path, o.line))
