"""Month-end figures on monthly period axes: six month-ends 2026-04-30 .. 2026-09-30 are drawn and
labelled as April .. September on every time chart (a plain date axis put 30 April at the May tick).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import plotly.graph_objects as go
import polars as pl
import pytest

from dashboard.components import (
    cases_charts,
    collections_charts,
    concentration_charts,
    customer_charts,
    model_charts,
    portfolio_charts,
    watchlist_charts,
)
from dashboard.components.chart_locale import localise
from dashboard.components.month_axis import month_middle, month_start, on_month_periods

MONTH_ENDS = [date(2026, 4, 30), date(2026, 5, 31), date(2026, 6, 30)] + [
    date(2026, 7, 31),
    date(2026, 8, 31),
    date(2026, 9, 30),
]
APRIL_TO_SEPTEMBER = [date(2026, m, 1) for m in range(4, 10)]
N = len(MONTH_ENDS)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2026, 4, 30), date(2026, 4, 1)),
        (date(2026, 3, 17), date(2026, 3, 1)),  # a mid-month as-of date stands for its month
        (datetime(2026, 12, 31, 0, 0), date(2026, 12, 1)),
        ("2024-02-29", date(2024, 2, 1)),
    ],
)
def test_month_start(value, expected):
    assert month_start(value) == expected


def test_month_middle_is_where_the_month_is_drawn():
    assert month_middle(date(2026, 4, 30)) == datetime(2026, 4, 16)  # 30 days: 1 Apr + 15 days
    assert month_middle(date(2026, 2, 28)) == datetime(2026, 2, 15)


def _trend() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "as_of": MONTH_ENDS,
            "exposure": [1.0] * N,
            "expected_loss": [0.1] * N,
            "watchlist": [3] * N,
        }
    )


def _collections() -> pl.DataFrame:
    columns = ["current_receivables", "overdue_1_30", "overdue_31_60", "overdue_61_90"]
    return pl.DataFrame(
        {"as_of": MONTH_ENDS, "overdue_90p": [1.0] * N, "collection_rate": [0.5] * N}
        | {c: [1.0] * N for c in columns}
    )


def _cases() -> pl.DataFrame:
    return pl.DataFrame({"as_of": MONTH_ENDS, "a": [0.1] * N, "b": [0.2] * N})


BUILDERS: dict[str, Callable[[], go.Figure]] = {
    "overview exposure": lambda: portfolio_charts.exposure_trend(_trend(), "t", "E", "EL"),
    "overview watchlist": lambda: portfolio_charts.watchlist_trend(_trend(), "t", "W"),
    "collections aging": lambda: collections_charts.aging(
        _collections(), "t", {b: b for b in collections_charts.BUCKET_COLOURS}
    ),
    "collections ratio": lambda: collections_charts.ratio_line(
        _collections(), "collection_rate", "t", percent=True
    ),
    "concentration hhi": lambda: concentration_charts.hhi_trend(
        pl.DataFrame(
            {
                "as_of": MONTH_ENDS * 3,
                "dimension": ["customer"] * N + ["industry"] * N + ["region"] * N,
            }
            | {"hhi": [100.0] * (3 * N)}
        ),
        "t",
        {"customer": "c", "industry": "i", "region": "r"},
    ),
    "customer history": lambda: customer_charts.risk_history(
        pl.DataFrame(
            {"as_of": MONTH_ENDS, "grade": ["B"] * N, "exposure": [1.0] * N}
            | {"overdue_amount": [0.0] * N, "credit_limit": [2.0] * N}
        ),
        "t",
        "E",
        "O",
        "L",
    ),
    "watchlist flows": lambda: watchlist_charts.flows(
        pl.DataFrame(
            {"as_of": MONTH_ENDS * 2, "trigger": ["any"] * N + ["overdue"] * N}
            | {"members": [5] * (2 * N), "inflow": [1] * (2 * N), "outflow": [1] * (2 * N)}
        ),
        "t",
        {"overdue": "Overdue"},
        "M",
    ),
    "model psi": lambda: model_charts.psi_chart(
        model_charts.psi_view(
            pl.DataFrame({"as_of": MONTH_ENDS, "psi": [0.05] * N, "rows": [100] * N})
        ),
        MONTH_ENDS[0],
        "t",
        "PSI",
        "watch",
        "act",
        "ref",
    ),
    "case lines": lambda: cases_charts.lines(
        _cases(), {"a": "A", "b": "B"}, "share", "t", date(2026, 7, 1), "policy"
    ),
    "case stacked": lambda: cases_charts.stacked(
        _cases(), {"a": ("A", "#111"), "b": ("B", "#222")}, "share", "t", date(2026, 7, 1), "p"
    ),
    "case bars": lambda: cases_charts.bars(_cases(), "a", "A", "money", "t", date(2026, 7, 1), "p"),
}


def _as_date(value) -> date:
    return value if type(value) is date else date.fromisoformat(str(value)[:10])


@pytest.mark.parametrize("name", list(BUILDERS))
def test_month_ends_april_to_september_are_drawn_as_april_to_september(name):
    figure = BUILDERS[name]()
    dated = [trace for trace in figure.data if trace.x is not None and len(trace.x)]
    assert dated, name
    for trace in dated:
        assert [_as_date(x) for x in trace.x] == APRIL_TO_SEPTEMBER, (name, trace.name)
        assert (trace.xperiod, trace.xperiodalignment) == ("M1", "middle"), (name, trace.name)
    # tick labels in the middle of their month, and the axis spans April to the end of September
    axes = [figure.layout[k] for k in figure.layout if k.startswith("xaxis")]
    for axis in axes:
        assert axis.ticklabelmode == "period", name
        assert [_as_date(v) for v in axis.range] == [date(2026, 4, 1), date(2026, 10, 1)], name


def test_hover_labels_name_the_month_of_the_value():
    # the hover formats x (now the month's first day) as '%b %Y': April, not May
    figure = BUILDERS["overview exposure"]()
    assert figure.data[0].hovertemplate.startswith("%{x|%b %Y}")
    assert _as_date(figure.data[0].x[0]).strftime("%b %Y") == "Apr 2026"


def test_the_period_axis_survives_the_chinese_locale():
    figure = localise(on_month_periods(BUILDERS["collections ratio"]()), lang="zh")
    assert figure.layout.xaxis.ticklabelmode == "period"
    assert figure.data[0].xperiod == "M1"
    assert [_as_date(x) for x in figure.data[0].x] == APRIL_TO_SEPTEMBER


def test_charts_without_dates_are_left_alone():
    figure = on_month_periods(go.Figure(go.Bar(x=["A", "B"], y=[1, 2])))
    assert list(figure.data[0].x) == ["A", "B"]
    assert figure.data[0].xperiod is None
    assert figure.layout.xaxis.ticklabelmode is None
