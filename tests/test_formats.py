"""The number formats (issue 17, item 3): one money rule per language on cards, axes, hovers and
tables, round ticks on every money and share axis, percentage points for changes of shares.

Every expected string is worked out by hand from the rule in dashboard/components/formats.py.
"""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from dashboard.components.chart_locale import localise, nice_ticks
from dashboard.components.formats import (
    column_money,
    money,
    money_exact,
    money_tick,
    percent,
    percent_tick,
    points,
    set_currency,
    signed_money,
)
from dashboard.components.kpi import Kpi


@pytest.fixture(autouse=True)
def _yuan():
    set_currency(None)
    yield
    set_currency(None)


# --- money: cards, hovers, texts ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "english", "chinese"),
    [
        (None, "—", "—"),
        (float("nan"), "—", "—"),
        (0, "¥0", "¥0"),
        (0.4, "¥0", "¥0"),  # tiny: whole yuan
        (-0.4, "¥0", "¥0"),  # rounds to 0: no sign
        (7, "¥7", "¥7"),
        (950, "¥950", "¥950"),
        (9_999, "¥10.0K", "¥9,999"),  # zh: below 1 万 in full
        (12_500, "¥12.5K", "¥1.2万"),  # 1.25 万 -> 1.2 (round half to even)
        (99_940, "¥99.9K", "¥10.0万"),
        (450_000_000, "¥450M", "¥4.5亿"),  # 450 M: 100 or more of the unit, no decimal
        (3_200_000_000, "¥3.2B", "¥32.0亿"),
        (26_921_000, "¥26.9M", "¥2,692万"),  # 2,692.1 万: no decimal from 100 万 on
        (130_000_000, "¥130M", "¥1.3亿"),
        (999_960, "¥1.0M", "¥100万"),  # 999.96 K would be '1,000K': the next unit up
        (999_960_000, "¥1.0B", "¥10.0亿"),
        (99_996_000, "¥100M", "¥1.0亿"),  # 9,999.6 万 would be '10,000万'
        (-5_786_682, "-¥5.8M", "-¥579万"),  # the sign before the currency
        (4_200_000_000_000, "¥4,200B", "¥42,000亿"),  # huge: the largest unit, separators
    ],
)
def test_money_one_rule_per_language(value, english, chinese):
    assert money(value, lang="en") == english
    assert money(value, lang="zh") == chinese


def test_money_digits_override_the_rule():
    assert money(26_921_000, digits=1, lang="zh") == "¥2,692.1万"
    assert money(450_000_000, digits=2, lang="en") == "¥450.00M"
    assert money(1_234_567_890, digits=2, lang="zh") == "¥12.35亿"


@pytest.mark.parametrize(
    ("code", "value", "english", "chinese"),
    [
        ("USD", 450_000_000, "$450M", "$450M"),  # 万 / 亿 are for yuan only
        ("USD", -12_345, "-$12.3K", "-$12.3K"),
        ("CHF", -1_234_567, "-CHF 1.2M", "-CHF 1.2M"),  # a code without a symbol
    ],
)
def test_money_in_other_currencies(code, value, english, chinese):
    assert money(value, lang="en", code=code) == english
    assert money(value, lang="zh", code=code) == chinese


@pytest.mark.parametrize(
    ("change", "english", "chinese"),
    [
        (26_921_000, "+¥26.9M", "+¥2,692万"),
        (-1_200_000, "-¥1.2M", "-¥120万"),
        (950, "+¥950", "+¥950"),
        (0, "¥0", "¥0"),  # no change: no sign
        (-0.3, "¥0", "¥0"),
        (None, "—", "—"),
    ],
)
def test_signed_money(change, english, chinese):
    assert signed_money(change, lang="en") == english
    assert signed_money(change, lang="zh") == chinese


def test_a_card_and_its_change_use_the_same_rule():
    # ¥1.3 亿 now, ¥1.03 亿 before: the change is 2,692.1 万, shown like the value ('万', no decimal)
    card = Kpi("Expected loss", 130_000_000, 103_079_000, lambda v: money(v, lang="zh"))
    assert card.fmt(card.value) == "¥1.3亿"
    assert card.delta_text() == "+¥2,692万"
    card = Kpi("Expected loss", 103_079_000, 130_000_000, lambda v: money(v, lang="en"))
    assert (card.fmt(card.value), card.delta_text()) == ("¥103M", "-¥26.9M")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "—"),
        (0, "¥0"),
        (5_786_682.4, "¥5,786,682"),
        (-5_786_682.4, "-¥5,786,682"),
        (-0.4, "¥0"),
        (4_200_000_000_000, "¥4,200,000,000,000"),
    ],
)
def test_money_exact_for_tables(value, expected):
    assert money_exact(value) == expected


def test_table_columns_show_exact_amounts_with_separators():
    assert column_money() == "¥%,.0f"
    assert column_money(code="CHF") == "CHF %,.0f"


# --- ticks ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "english", "chinese"),
    [
        (0, "¥0", "¥0"),
        (500_000_000, "¥500M", "¥5亿"),
        (1_000_000_000, "¥1B", "¥10亿"),
        (1_500_000_000, "¥1.5B", "¥15亿"),
        (2_500_000, "¥2.5M", "¥250万"),
        (50_000_000, "¥50M", "¥5,000万"),
        (150_000_000, "¥150M", "¥1.5亿"),
        (25_000, "¥25K", "¥2.5万"),
        (1_000, "¥1K", "¥1,000"),
        (-2_000_000, "-¥2M", "-¥200万"),
    ],
)
def test_money_ticks_have_no_trailing_zeros(value, english, chinese):
    assert money_tick(value, lang="en") == english
    assert money_tick(value, lang="zh") == chinese


@pytest.mark.parametrize(
    ("share", "english", "chinese"),
    [(0, "0 %", "0%"), (0.025, "2.5 %", "2.5%"), (0.05, "5 %", "5%"), (1, "100 %", "100%")],
)
def test_percent_ticks(share, english, chinese):
    assert percent_tick(share, lang="en") == english
    assert percent_tick(share, lang="zh") == chinese


def test_nice_ticks_are_round_including_negative_and_fractional_ranges():
    assert nice_ticks(0, 260_000_000) == [0, 100_000_000, 200_000_000, 300_000_000]
    assert nice_ticks(-5_786_682, 12_000_000) == [
        -10_000_000,
        -5_000_000,
        0,
        5_000_000,
        10_000_000,
        15_000_000,
    ]
    assert nice_ticks(0, 0.062) == [0, 0.02, 0.04, 0.06, 0.08]
    assert nice_ticks(0, 0.3) == [0, 0.1, 0.2, 0.3]  # 0.1 + 0.2 is the tick 0.3
    assert nice_ticks(0, 0) == [0]


def _two_axes() -> go.Figure:
    figure = go.Figure()
    figure.add_bar(
        x=["A", "B", "C"],
        y=[120_000_000, -5_786_682, 260_000_000],
        hovertemplate="%{x}: ¥%{y:,.0f}<extra></extra>",
    )
    figure.add_scatter(
        x=["A", "B", "C"],
        y=[0.012, 0.037, 0.062],
        yaxis="y2",
        hovertemplate="%{x}: %{y:.1%}<extra></extra>",
    )
    figure.update_layout(
        yaxis={"tickprefix": "¥", "tickformat": "~s"},
        yaxis2={"overlaying": "y", "side": "right", "tickformat": ".0%"},
    )
    return figure


def test_money_axes_get_round_ticks_in_the_product_format_in_both_languages():
    english = localise(_two_axes(), lang="en")
    assert english.layout.yaxis.tickvals == (-100_000_000, 0, 100_000_000, 200_000_000, 300_000_000)
    assert english.layout.yaxis.ticktext == ("-¥100M", "¥0", "¥100M", "¥200M", "¥300M")
    assert english.layout.yaxis.tickprefix is None  # no '¥' before the tick texts' own '¥'
    chinese = localise(_two_axes(), lang="zh")
    assert chinese.layout.yaxis.ticktext == ("-¥1亿", "¥0", "¥1亿", "¥2亿", "¥3亿")


def test_the_second_axis_gets_round_share_ticks():
    # '.0%' would write the tick 0.025 as '3%'
    english = localise(_two_axes(), lang="en")
    assert english.layout.yaxis2.tickvals == (0, 0.02, 0.04, 0.06, 0.08)
    assert english.layout.yaxis2.ticktext == ("0 %", "2 %", "4 %", "6 %", "8 %")
    assert localise(_two_axes(), lang="zh").layout.yaxis2.ticktext[1] == "2%"


def test_money_hovers_read_like_the_cards():
    english = localise(_two_axes(), lang="en")
    assert english.data[0].hovertemplate == "%{x}: %{hovertext}<extra></extra>"
    assert english.data[0].hovertext == ("¥120M", "-¥5.8M", "¥260M")
    chinese = localise(_two_axes(), lang="zh")
    assert chinese.data[0].hovertext == ("¥1.2亿", "-¥579万", "¥2.6亿")


def test_share_hovers_read_like_the_cards():
    # d3's '.1%' writes '1.2%'; the cards write '1.2 %' in English, '1.2%' in Chinese
    english = localise(_two_axes(), lang="en").data[1]
    assert english.hovertemplate == "%{x}: %{hovertext}<extra></extra>"
    assert english.hovertext == ("1.2 %", "3.7 %", "6.2 %")
    assert localise(_two_axes(), lang="zh").data[1].hovertext == ("1.2%", "3.7%", "6.2%")


def _points_chart() -> go.Figure:
    figure = go.Figure(
        go.Scatter(x=[1, 2], y=[5.0, 7.5], hovertemplate="%{y:.1f} %<extra></extra>")
    )
    return figure.update_yaxes(ticksuffix=" %")


def test_chinese_percent_suffixes_lose_their_space():
    chinese = localise(_points_chart(), lang="zh")
    assert (chinese.layout.yaxis.ticksuffix, chinese.data[0].hovertemplate) == (
        "%",
        "%{y:.1f}%<extra></extra>",
    )
    english = localise(_points_chart(), lang="en")
    assert (english.layout.yaxis.ticksuffix, english.data[0].hovertemplate) == (
        " %",
        "%{y:.1f} %<extra></extra>",
    )


def test_a_second_money_field_in_a_hover_goes_to_the_custom_data():
    figure = go.Figure(
        go.Scatter(
            x=[1, 2],
            y=[3, 4],
            customdata=[["P1", 1_200_000, 50_000], ["P2", 800, -2_000_000]],
            hovertemplate="%{customdata[0]}: ¥%{customdata[1]:,.0f} / ¥%{customdata[2]:,.0f}",
        )
    )
    trace = localise(figure, lang="en").data[0]
    assert trace.hovertemplate == "%{customdata[0]}: %{hovertext} / %{customdata[3]}"
    assert trace.hovertext == ("¥1.2M", "¥800")
    assert [row[3] for row in trace.customdata] == ["¥50.0K", "-¥2.0M"]
    assert [row[0] for row in trace.customdata] == ["P1", "P2"]  # a clicked code stays first


def test_log_money_axes_tick_at_powers_of_ten():
    figure = go.Figure(go.Scatter(x=[1, 2], y=[5_000, 3_000_000]))
    figure.update_yaxes(type="log", tickprefix="¥")
    axis = localise(figure, lang="zh").layout.yaxis
    assert axis.ticktext[3:9] == ("¥1,000", "¥1万", "¥10万", "¥100万", "¥1,000万", "¥1亿")


# --- shares and changes of shares ---------------------------------------------------------------


def test_percent_and_points():
    assert percent(0.0123, 2, lang="en") == "1.23 %"
    assert percent(0.0123, 2, lang="zh") == "1.23%"
    assert percent(None) == "—"
    assert points(0.012, lang="en") == "+1.2 pp"
    assert points(-0.012, lang="zh") == "-1.2 个百分点"
    assert points(0, lang="en") == "0.0 pp"
    assert points(-0.0004, lang="en") == "0.0 pp"  # not '-0.0 pp'
    assert points(-0.0004, 2, lang="zh") == "-0.04 个百分点"


def test_a_heatmaps_money_hover_is_written_cell_by_cell():
    figure = go.Figure(
        go.Heatmap(
            z=[[5, 10], [50, 40]],
            customdata=[[1_500, 2_000_000], [-30_000, None]],
            hovertemplate="%{y}, %{x}: ¥%{customdata:,.0f}<extra></extra>",
        )
    )
    trace = localise(figure, lang="zh").data[0]
    assert trace.hovertemplate == "%{y}, %{x}: %{hovertext}<extra></extra>"
    assert [list(row) for row in trace.hovertext] == [["¥1,500", "¥200万"], ["-¥3.0万", "—"]]


def test_chinese_point_texts_lose_the_space_before_percent():
    figure = go.Heatmap(z=[[5, 10]], text=[["5 %", "10 %"]], texttemplate="%{text}")
    chinese = localise(go.Figure(figure), lang="zh").data[0]
    assert [list(row) for row in chinese.text] == [["5%", "10%"]]
    english = localise(go.Figure(figure), lang="en").data[0]
    assert [list(row) for row in english.text] == [["5 %", "10 %"]]


def test_stacked_bars_get_ticks_up_to_their_totals_per_category():
    figure = go.Figure()
    figure.add_bar(y=["Retail", "Energy"], x=[60_000_000, 10_000_000], orientation="h")
    figure.add_bar(y=["Retail"], x=[90_000_000], orientation="h")  # only one of the groups
    figure.update_layout(barmode="stack")
    figure.update_xaxes(tickprefix="¥")
    # Retail totals ¥150M: the ticks reach it, not only the largest segment (¥90M)
    assert localise(figure, lang="en").layout.xaxis.ticktext[-1] == "¥150M"


def test_the_pd_chart_ticks_its_log_axis_at_round_rates():
    import polars as pl

    from dashboard.components import grades_charts

    calibration = pl.DataFrame(
        {
            "grade": ["A", "B"],
            "observed_rate": [0.02, 0.3],
            "pd_used": [0.0207, 0.2325],
            "defaults_12m": [679, 902],
            "observations": [32_802, 15_476],
        }
    )
    figure = grades_charts.pd_by_grade(
        calibration, "PD", "Observed", "PD", "{defaults} / {observations}"
    )
    axis = figure.layout.yaxis
    assert axis.type == "log" and {1, 2, 5, 10, 20, 50}.issubset(set(axis.tickvals))
    assert {3, 4, 6, 7, 8, 9}.isdisjoint(set(axis.tickvals))
    assert dict(zip(axis.tickvals, axis.ticktext, strict=True))[0.5] == "0.5 %"
