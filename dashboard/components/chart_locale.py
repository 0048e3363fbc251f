"""Plotly figures in the product's number formats and the current language.

Chart builders write English-shaped formats ('%{x|%b %Y}', money axes marked by the tickprefix
formats.money_prefix(), money hovers by formats.d3_money, share axes by a tickformat ending in
'%'); `localise` rewrites them, so each builder stays a plain function of its frame:
- money axes (both languages): round tick values (nice_ticks) written as formats.money_tick,
  '¥500M' / '¥1B' in English and '¥5,000万' / '¥1亿' in Chinese (d3 has no 万 / 亿, and its 's'
  format writes G for billions and no currency);
- share axes (a secondary axis too): round tick values as formats.percent_tick, '2.5 %', never
  a tick rounded away from its value ('3%' at 2.5 %);
- money in hovers (both languages): formats.money, the same text as the cards ('-¥5.8M', not
  '¥-5,786,682');
- dates (Chinese): month and day hovers and date ticks in Chinese.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from functools import partial

import numpy as np
import plotly.graph_objects as go

from dashboard.components.formats import (
    d3_day,
    d3_month,
    money,
    money_prefix,
    money_tick,
    percent,
    percent_tick,
)
from dashboard.i18n import language

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
# Tick labels of Chinese date axes by zoom level (Plotly's dtick ranges: milliseconds, "M<n>").
ZH_DATE_TICKS = [
    {"dtickrange": [None, "M1"], "value": "%-m月%-d日"},
    {"dtickrange": ["M1", "M12"], "value": "%Y年%-m月"},
    {"dtickrange": ["M12", None], "value": "%Y年"},
]
# A d3_money placeholder in a hover template: '¥%{y:,.0f}', '¥%{customdata[1]:,.0f}'.
_FIELD = r"%\{(x|y|z|value|customdata(?:\[\d+\])?):,\.\d+f\}"
# A share in a hover template, d3's percentage: '%{y:.1%}' -> formats.percent ('12.3 %' / '12.3%').
_SHARE_FIELD = re.compile(r"%\{(x|y|z|value|customdata(?:\[\d+\])?):\.(\d)%\}")


def localise(figure: go.Figure, lang: str | None = None) -> go.Figure:
    """The figure with money, shares and dates in the product's formats in `lang` (default: the
    current language)."""
    lang = lang or language()
    for trace in figure.data:
        _money_hover(trace, lang)
    for name, (low, high) in _money_axes(figure).items():
        axis = figure.layout[name]
        if axis.type == "log":
            ticks = [10.0**k for k in range(0, 16)]
        else:
            ticks = nice_ticks(min(low, 0.0), high)
        axis.update(
            tickprefix=None,
            tickformat=None,
            tickmode="array",
            tickvals=ticks,
            ticktext=[money_tick(v, lang=lang) for v in ticks],
        )
    for name, (low, high) in _share_axes(figure).items():
        ticks = nice_ticks(min(low, 0.0), high)
        figure.layout[name].update(
            tickformat=None,
            tickmode="array",
            tickvals=ticks,
            ticktext=[percent_tick(v, lang=lang) for v in ticks],
        )
    if lang == "en":
        return figure
    month_format, day_format = d3_month(lang), d3_day(lang)
    for trace in figure.data:
        template = getattr(trace, "hovertemplate", None)
        if isinstance(template, str):
            # '12.3 %' is written '12.3%' in Chinese (formats.percent)
            trace.hovertemplate = (
                template.replace("|%b %Y}", f"|{month_format}}}")
                .replace("|%Y-%m-%d}", f"|{day_format}}}")
                .replace("} %", "}%")
            )
        text = getattr(trace, "text", None)
        if text is not None and not isinstance(text, str):
            trace.text = _without_percent_space(text)
        colorbar = getattr(trace, "colorbar", None)
        if colorbar is not None and colorbar.ticksuffix == " %":
            colorbar.ticksuffix = "%"
    for name in _date_axes(figure):
        figure.layout[name].update(tickformatstops=ZH_DATE_TICKS)
    for name in _axes(figure):
        if figure.layout[name].ticksuffix == " %":
            figure.layout[name].ticksuffix = "%"
    return figure


def _without_percent_space(texts: object) -> object:
    """Point texts with '12 %' written '12%' (nested lists too: a heatmap's cells)."""
    if isinstance(texts, str):
        return texts[:-2] + "%" if texts.endswith(" %") else texts
    if isinstance(texts, (list, tuple, np.ndarray)):
        return [_without_percent_space(t) for t in texts]
    return texts


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About `count` round tick values (1, 2, 2.5 or 5 × 10^k apart) covering low..high."""
    if not (math.isfinite(high) and math.isfinite(low)) or high <= low:
        return [low] if math.isfinite(low) else [0.0]
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    # rounded to the step's decimals, so 0.1 + 0.2 is the tick 0.3
    places = max(0, -math.floor(math.log10(step)) + 1)
    return [
        round(first + i * step, places) for i in range(int(math.ceil((high - first) / step)) + 1)
    ]


def _point_values(trace: object, field: str) -> list | None:
    if field.startswith("customdata"):
        data = getattr(trace, "customdata", None)
        if data is None:
            return None
        index = re.search(r"\[(\d+)\]", field)
        rows = list(data)
        if index is None:
            return rows
        k = int(index.group(1))
        return [
            r[k] if isinstance(r, (list, tuple, np.ndarray)) and len(r) > k else None for r in rows
        ]
    data = getattr(trace, "values" if field == "value" else field, None)
    return None if data is None or isinstance(data, str) else list(data)


def _as_number(value: object) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _money_hover(trace: object, lang: str) -> None:
    """Money placeholders in the trace's hover template replaced by formats.money texts per
    point: the first in `hovertext`, any further ones appended to `customdata`."""
    template = getattr(trace, "hovertemplate", None)
    if not isinstance(template, str):
        return
    money_pattern = re.compile(re.escape(money_prefix()) + _FIELD)
    matches = [(m, partial(money, lang=lang)) for m in money_pattern.finditer(template)]
    matches += [
        (m, partial(percent, digits=int(m.group(2)), lang=lang))
        for m in _SHARE_FIELD.finditer(template)
    ]
    for match, written in matches:
        values = _point_values(trace, match.group(1))
        if not values:
            continue
        grid = any(isinstance(v, (list, tuple, np.ndarray)) for v in values)
        if grid:  # a heatmap's cells
            texts = [[written(_as_number(v)) for v in row] for row in values]
        else:
            texts = [written(_as_number(v)) for v in values]
        if getattr(trace, "hovertext", None) is None:
            trace.hovertext = texts
            replacement = "%{hovertext}"
        elif grid:
            continue
        else:
            data = getattr(trace, "customdata", None)
            rows = [list(r) if isinstance(r, (list, tuple, np.ndarray)) else [r] for r in data]
            if len(rows) != len(texts):
                continue
            if not isinstance(list(data)[0], (list, tuple, np.ndarray)):
                template = template.replace("%{customdata}", "%{customdata[0]}").replace(
                    "%{customdata:", "%{customdata[0]:"
                )
            replacement = f"%{{customdata[{len(rows[0])}]}}"
            trace.customdata = [[*r, text] for r, text in zip(rows, texts, strict=True)]
        template = template.replace(match.group(0), replacement, 1)
    trace.hovertemplate = template


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


def _axes(figure: go.Figure) -> list[str]:
    return [key for key in figure.layout if re.fullmatch(r"[xy]axis\d*", key)]


def _money_axes(figure: go.Figure) -> dict[str, tuple[float, float]]:
    """Axes marked as money (tickprefix money_prefix(): '¥', '$', 'CHF ') -> the lowest and
    highest values drawn on them (stacked bars: their totals)."""
    marked = {key for key in _axes(figure) if figure.layout[key].tickprefix == money_prefix()}
    return _ranges(figure, marked)


def _share_axes(figure: go.Figure) -> dict[str, tuple[float, float]]:
    """Linear axes of shares 0-1 (a d3 tickformat ending in '%', no ticks of their own) -> the
    lowest and highest values drawn on them."""
    marked = {
        key
        for key in _axes(figure)
        if isinstance(figure.layout[key].tickformat, str)
        and figure.layout[key].tickformat.endswith("%")
        and figure.layout[key].tickvals is None
        and figure.layout[key].type in (None, "-", "linear")
    }
    return _ranges(figure, marked)


def _ranges(figure: go.Figure, marked: set[str]) -> dict[str, tuple[float, float]]:
    lows: dict[str, list[float]] = {key: [0.0] for key in marked}
    highs: dict[str, list[float]] = {key: [0.0] for key in marked}
    stacked = figure.layout.barmode in ("stack", "relative")
    for letter, other in (("x", "y"), ("y", "x")):
        # stacked bars: the totals per category (the other axis's value), positive and negative
        ups: dict[str, dict[object, float]] = {}
        downs: dict[str, dict[object, float]] = {}
        for trace in figure.data:
            key = _axis_key(getattr(trace, letter + "axis", None), letter)
            data = getattr(trace, letter, None)
            if key not in marked or data is None or _is_date(data):
                continue
            try:
                numbers = np.asarray(data, dtype=float)
            except (TypeError, ValueError):
                continue
            finite = numbers[np.isfinite(numbers)] if numbers.ndim == 1 else numbers
            if not finite.size:
                continue
            lows[key].append(float(np.nanmin(finite)))
            highs[key].append(float(np.nanmax(finite)))
            if stacked and trace.type == "bar" and numbers.ndim == 1:
                categories = getattr(trace, other, None)
                categories = list(categories) if categories is not None else range(len(numbers))
                for category, number in zip(categories, numbers, strict=False):
                    if not np.isfinite(number):
                        continue
                    sums = ups if number >= 0 else downs
                    totals = sums.setdefault(key, {})
                    category = str(category)
                    totals[category] = totals.get(category, 0.0) + float(number)
        for key, totals in ups.items():
            highs[key].append(max(totals.values()))
        for key, totals in downs.items():
            lows[key].append(min(totals.values()))
    return {key: (min(lows[key]), max(highs[key])) for key in marked}
