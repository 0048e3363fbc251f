"""Month-end figures on monthly period axes.

A figure measured at a month-end (30 April) describes its month. On a plain Plotly date axis the
point sits one day before the next month's tick, so six month-ends April–September read as
May–October. `on_month_periods` draws each such value as its month instead: the x value becomes the
first day of the month, the trace is positioned over that one-month period (xperiod "M1", centred
in it) and the axis writes each tick label in the middle of the month it names
(ticklabelmode "period"). A mid-month as-of date (the latest grid date) stands for its month too.
"""

from __future__ import annotations

from datetime import date, datetime

import plotly.graph_objects as go

MONTH = "M1"


def month_start(value: date | datetime | str) -> date:
    """The first day of the month `value` (a date, datetime or ISO date text) falls in."""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return date(value.year, value.month, 1)


def _is_date(value: object) -> bool:
    return isinstance(value, (date, datetime)) or (
        isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-"
    )


def next_month(value: date) -> date:
    """The first day of the month after `value`'s."""
    return date(value.year + value.month // 12, value.month % 12 + 1, 1)


def month_middle(value: date) -> datetime:
    """The middle of `value`'s month: where on_month_periods draws that month's value."""
    start = month_start(value)
    return datetime.combine(start, datetime.min.time()) + (next_month(start) - start) / 2


def on_month_periods(figure: go.Figure) -> go.Figure:
    """The figure with every trace whose x values are dates drawn per month (first day of the
    month, a one-month period, centred), month tick labels centred under their months, and the
    x range from the first month's start to the last month's end."""
    months: list[date] = []
    for trace in figure.data:
        xs = getattr(trace, "x", None)
        if xs is None or len(xs) == 0 or not all(_is_date(x) for x in xs if x is not None):
            continue
        starts = [None if x is None else month_start(x) for x in xs]
        trace.update(x=starts, xperiod=MONTH, xperiodalignment="middle")
        months.extend(m for m in starts if m is not None)
    if months:
        # An explicit range: left to autorange, Plotly pads it and labels the month after the
        # last one at the right edge, where no value is.
        figure.update_xaxes(ticklabelmode="period", range=[min(months), next_month(max(months))])
    return figure
