"""How numbers, dates and grades look everywhere in the product."""

from __future__ import annotations

import math
from datetime import date

CURRENCY_SYMBOL = "¥"
GRADES = ("A", "B", "C", "D", "E")
# One colour per grade on every chart: green (low risk) to red (high risk).
GRADE_COLOURS = {"A": "#1a9850", "B": "#91cf60", "C": "#fee08b", "D": "#fc8d59", "E": "#d73027"}
BAND_COLOURS = {"Low": "#1a9850", "Medium": "#fee08b", "High": "#d73027"}
ACCENT = "#1f4e79"


def money(value: float | None, digits: int = 1) -> str:
    """¥ with K / M / B suffixes: 4_200_000 -> '¥4.2 M'; None -> '—'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    sign = "-" if value < 0 else ""
    value = abs(value)
    for size, suffix in ((1e9, " B"), (1e6, " M"), (1e3, " K")):
        if value >= size:
            return f"{sign}{CURRENCY_SYMBOL}{value / size:,.{digits}f}{suffix}"
    return f"{sign}{CURRENCY_SYMBOL}{value:,.0f}"


def percent(share: float | None, digits: int = 1) -> str:
    """A share 0-1 as a percentage: 0.1234 -> '12.3 %'."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "—"
    return f"{share * 100:.{digits}f} %"


def number(value: float | None, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:,.{digits}f}"


def day(value: date | None) -> str:
    return value.isoformat() if value else "—"


def month(value: date | None) -> str:
    """'Oct 2026' for a month-end; the full date when it is not one (a mid-month as-of)."""
    if value is None:
        return "—"
    next_day = date.fromordinal(value.toordinal() + 1)
    return value.strftime("%b %Y") if next_day.day == 1 else value.isoformat()
