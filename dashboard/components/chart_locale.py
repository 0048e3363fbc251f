"""Plotly figures in the current language: date ticks and hovers, money ticks in 万 / 亿.

Chart builders write English-shaped formats ('%{x|%b %Y}', money axes marked by the tickprefix
formats.money_prefix()); `localise` rewrites them for Chinese, so each builder stays a plain
function of its frame. English figures are left exactly as built.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

import numpy as np
import plotly.graph_objects as go

from dashboard.components.formats import d3_day, d3_month, money, money_prefix
from dashboard.i18n import language

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
# Tick labels of Chinese date axes by zoom level (Plotly's dtick ranges: milliseconds, "M<n>").
ZH_DATE_TICKS = [
    {"dtickrange": [None, "M1"], "value": "%-m月%-d日"},
    {"dtickrange": ["M1", "M12"], "value": "%Y年%-m月"},
    {"dtickrange": ["M12", None], "value": "%Y年"},
]


def localise(figure: go.Figure, lang: str | None = None) -> go.Figure:
    """The figure with dates and money in `lang` (default: the current language); en unchanged."""
    lang = lang or language()
    if lang == "en":
        return figure
    month_format, day_format = d3_month(lang), d3_day(lang)
    for trace in figure.data:
        template = getattr(trace, "hovertemplate", None)
        if isinstance(template, str):
            trace.hovertemplate = template.replace("|%b %Y}", f"|{month_format}}}").replace(
                "|%Y-%m-%d}", f"|{day_format}}}"
            )
    for name in _date_axes(figure):
        figure.layout[name].update(tickformatstops=ZH_DATE_TICKS)
    for name, values in _money_axes(figure).items():
        axis = figure.layout[name]
        if axis.type == "log":
            ticks = [10.0**k for k in range(0, 16)]
        else:
            ticks = nice_ticks(0.0, max(values, default=0.0))
        axis.update(
            tickprefix=None, tickvals=ticks, ticktext=[money(v, 0, lang=lang) for v in ticks]
        )
    return figure


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About `count` round tick values (1, 2, 2.5 or 5 × 10^k apart) covering low..high."""
    if not math.isfinite(high) or high <= low:
        return [low]
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    return [first + i * step for i in range(int(math.ceil((high - first) / step)) + 1)]


def _axis_key(reference: str | None, letter: str) -> str:
    # A trace's "y2" lives in layout.yaxis2; "y" (or unset) in layout.yaxis.
    suffix = (reference or letter)[1:]
    return f"{letter}axis{suffix}"


def _is_date(values: object) -> bool:
    if values is None or len(values) == 0:
        return False
    first = values[0]
    if isinstance(first, date | datetime | np.datetime64):
        return True
    return isinstance(first, str) and bool(ISO_DATE.match(first))


def _date_axes(figure: go.Figure) -> set[str]:
    axes = set()
    for trace in figure.data:
        if hasattr(trace, "xaxis") and _is_date(getattr(trace, "x", None)):
            axes.add(_axis_key(trace.xaxis, "x"))
    return axes


def _money_axes(figure: go.Figure) -> dict[str, list[float]]:
    """Axes marked as money (tickprefix money_prefix(): '¥', '$', 'CHF ') -> the largest values
    drawn on them."""
    marked = {
        key
        for key in figure.layout
        if re.fullmatch(r"[xy]axis\d*", key) and figure.layout[key].tickprefix == money_prefix()
    }
    values: dict[str, list[float]] = {key: [] for key in marked}
    stacked = figure.layout.barmode in ("stack", "relative")
    for letter in ("x", "y"):
        totals: dict[str, np.ndarray] = {}
        for trace in figure.data:
            key = _axis_key(getattr(trace, letter + "axis", None), letter)
            data = getattr(trace, letter, None)
            if key not in marked or data is None or _is_date(data):
                continue
            try:
                numbers = np.asarray(data, dtype=float)
            except (TypeError, ValueError):
                continue
            numbers = np.nan_to_num(numbers, nan=0.0)
            if (
                stacked
                and trace.type == "bar"
                and key in totals
                and len(totals[key]) == len(numbers)
            ):
                totals[key] = totals[key] + np.clip(numbers, 0, None)
            elif stacked and trace.type == "bar" and key not in totals:
                totals[key] = np.clip(numbers, 0, None)
            if numbers.size:
                values[key].append(float(numbers.max()))
        for key, total in totals.items():
            if total.size:
                values[key].append(float(total.max()))
    return values
