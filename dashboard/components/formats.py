"""How numbers, dates and grades look everywhere in the product, in the current language.

English: the currency's symbol with K / M / B for large amounts, thousands separators, '12.3 %',
'Oct 2026'. Chinese: ¥ with 万 (10^4) and 亿 (10^8) for yuan, as amounts are read in China
(another currency keeps K / M / B), '12.3%', '2026年10月'.
Every function follows dashboard.i18n.language(), so pages and charts pick up the language of the
run without passing it around; `lang` overrides it (tests, exports).

Amounts are in the warehouse's reporting currency (data.warehouse.reporting_currency): the app
reads it when it opens the warehouse and calls `set_currency`, a process setting (CNY until then).
Money formats for charts and tables come from here too (`money_prefix`, `d3_money`,
`column_money`), never a literal '¥'.
"""

from __future__ import annotations

import math
from datetime import date

from dashboard.i18n import language

DEFAULT_CURRENCY = "CNY"
# Currencies written with a symbol; any other code is written before the amount: 'CHF 1.2 M'.
CURRENCY_SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "JP¥", "HKD": "HK$"}
# 万 / 亿 are how yuan amounts are read; other currencies keep K / M / B in Chinese too.
TEN_THOUSANDS = frozenset({"CNY"})
GRADES = ("A", "B", "C", "D", "E")
# One colour per grade on every chart: green (low risk) to red (high risk).
GRADE_COLOURS = {"A": "#1a9850", "B": "#91cf60", "C": "#fee08b", "D": "#fc8d59", "E": "#d73027"}
BAND_COLOURS = {"Low": "#1a9850", "Medium": "#fee08b", "High": "#d73027"}
# customers graded but owing nothing at the date
NO_EXPOSURE_COLOUR = "#bdbdbd"
ACCENT = "#1f4e79"
MISSING = "—"
# Large-amount units, largest first: (size, suffix).
UNITS = {
    "en": ((1e9, "B"), (1e6, "M"), (1e3, "K")),
    "zh": ((1e8, "亿"), (1e4, "万")),
}
# d3 time formats for Plotly hover texts and date axes.
D3_MONTH = {"en": "%b %Y", "zh": "%Y年%-m月"}
D3_DAY = {"en": "%Y-%m-%d", "zh": "%Y年%-m月%-d日"}


_currency = DEFAULT_CURRENCY


def set_currency(code: str | None) -> None:
    """Show amounts in `code` (the warehouse's reporting currency, ISO 4217); None: CNY."""
    global _currency
    _currency = code or DEFAULT_CURRENCY


def currency() -> str:
    """The ISO code amounts are shown in (see set_currency)."""
    return _currency


def money_prefix(code: str | None = None) -> str:
    """What precedes an amount: the currency's symbol ('¥', '$', 'JP¥'), else its code and a
    space ('CHF '). Also the tickprefix that marks a chart axis as money."""
    code = code or _currency
    return CURRENCY_SYMBOLS.get(code, f"{code} ")


def d3_money(field: str, digits: int = 0, code: str | None = None) -> str:
    """A Plotly hover placeholder for an amount: d3_money('y') -> '¥%{y:,.0f}'."""
    return f"{money_prefix(code)}%{{{field}:,.{digits}f}}"


def column_money(digits: int = 0, code: str | None = None) -> str:
    """The printf format of a money column in st.column_config: '¥%,.0f', 'CHF %,.0f'."""
    return money_prefix(code).replace("%", "%%") + f"%,.{digits}f"


def column_percent(digits: int = 1, lang: str | None = None) -> str:
    """The printf format of a percentage column in st.column_config (values 0-100, not shares):
    '%.1f %%' in English, '%.1f%%' in Chinese, as `percent` writes them."""
    return f"%.{digits}f" + ("%%" if _lang(lang) == "zh" else " %%")


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _lang(lang: str | None) -> str:
    chosen = lang or language()
    return chosen if chosen in UNITS else "en"


def _units(lang: str, code: str) -> tuple[tuple[float, str], ...]:
    return UNITS["zh" if lang == "zh" and code in TEN_THOUSANDS else "en"]


def _compact(value: float, digits: int | None, lang: str, code: str, trim: bool = False) -> str:
    """abs(value) in the largest unit it reaches, without sign or prefix: '3.2B', '2,692万'."""
    units = _units(lang, code)
    for position, (size, suffix) in enumerate(units):
        if value >= size:
            scaled = value / size
            places = digits if digits is not None else (1 if round(scaled, 1) < 100 else 0)
            if trim:
                places = 3
            # 999.96 M rounds to '1,000.0M' and 9,999.6 万 to '10,000万': the next unit up.
            limit = units[position - 1][0] / size if position > 0 else math.inf
            if round(scaled, places) >= limit:
                size, suffix = units[position - 1]
                scaled = value / size
                places = 3 if trim else (digits if digits is not None else 1)
            text = f"{scaled:,.{places}f}"
            if trim and "." in text:
                text = text.rstrip("0").rstrip(".")
            return text + suffix
    return f"{value:,.0f}"


def _signed(text: str, negative: bool, prefix: str, plus: bool = False) -> str:
    # The sign goes before the currency: '-¥5.8M', '+¥2,692万'; nothing on an amount shown as 0.
    if text.strip("0.,") == "" or text in {"0"}:
        return f"{prefix}{text}"
    sign = "-" if negative else ("+" if plus else "")
    return f"{sign}{prefix}{text}"


def money(
    value: float | None, digits: int | None = None, lang: str | None = None, code: str | None = None
) -> str:
    """Money in the reporting currency (`code` overrides it), compact, for cards, hovers, texts;
    None -> '—'. One rule in both languages: the largest unit the amount reaches, one decimal
    below 100 of that unit and none from 100 on (`digits` overrides it); the sign before the
    currency; amounts below the smallest unit in full.

    en: 3_200_000_000 -> '¥3.2B', 450_000_000 -> '¥450M', 12_500 -> '¥12.5K', 950 -> '¥950',
    -5_786_682 -> '-¥5.8M'. zh (yuan): 130_000_000 -> '¥1.3亿', 26_921_000 -> '¥2,692万',
    9_500 -> '¥9,500'. USD: '$4.2M' in both languages; a code without a symbol: 'CHF 4.2M'.
    """
    if _missing(value):
        return MISSING
    code = code or _currency
    text = _compact(abs(value), digits, _lang(lang), code)
    return _signed(text, value < 0, money_prefix(code))


def signed_money(
    change: float | None,
    digits: int | None = None,
    lang: str | None = None,
    code: str | None = None,
) -> str:
    """A change of money, always signed: '+¥2,692万', '-¥1.2M'; a change shown as 0: '¥0'."""
    if _missing(change):
        return MISSING
    code = code or _currency
    text = _compact(abs(change), digits, _lang(lang), code)
    return _signed(text, change < 0, money_prefix(code), plus=True)


def money_exact(value: float | None, code: str | None = None) -> str:
    """An exact amount, whole units with thousands separators (tables, exports), the same in
    both languages: -5_786_682.4 -> '-¥5,786,682'."""
    if _missing(value):
        return MISSING
    code = code or _currency
    return _signed(f"{abs(value):,.0f}", value < 0, money_prefix(code))


def money_tick(value: float, lang: str | None = None, code: str | None = None) -> str:
    """An axis tick (a round value): as `money` with no trailing zeros, so ticks read
    '¥0, ¥500M, ¥1B, ¥1.5B' / '¥0, ¥5,000万, ¥1亿, ¥1.5亿'."""
    code = code or _currency
    text = _compact(abs(value), None, _lang(lang), code, trim=True)
    return _signed(text, value < 0, money_prefix(code))


def percent_tick(share: float, lang: str | None = None) -> str:
    """An axis tick of a share 0-1, no trailing zeros: 0.025 -> '2.5 %' (en) / '2.5%' (zh)."""
    text = f"{share * 100:.3f}".rstrip("0").rstrip(".")
    if text in {"-0", ""}:
        text = "0"
    return text + ("%" if _lang(lang) == "zh" else " %")


def percent(share: float | None, digits: int = 1, lang: str | None = None) -> str:
    """A share 0-1 as a percentage: 0.1234 -> '12.3 %' (en), '12.3%' (zh)."""
    if _missing(share):
        return MISSING
    space = "" if _lang(lang) == "zh" else " "
    return f"{share * 100:.{digits}f}{space}%"


def points(change: float, digits: int = 1, lang: str | None = None) -> str:
    """A change of a share (0-1) in percentage points, signed: 0.012 -> '+1.2 pp' / '+1.2 个百分点'."""
    unit = " 个百分点" if _lang(lang) == "zh" else " pp"
    size = f"{abs(change) * 100:.{digits}f}"
    if float(size) == 0:  # '-0.0 pp' for a change that rounds away
        return f"{size}{unit}"
    return f"{'+' if change > 0 else '-'}{size}{unit}"


def number(value: float | None, digits: int = 0, lang: str | None = None) -> str:
    """A count or ratio with thousands separators (the same in both languages): 12345 -> '12,345'."""
    del lang  # one style: Chinese finance writes 12,345 too
    if _missing(value):
        return MISSING
    return f"{value:,.{digits}f}"


def day(value: date | None, lang: str | None = None) -> str:
    """A date: '2026-10-31' (en), '2026年10月31日' (zh)."""
    if value is None:
        return MISSING
    if _lang(lang) == "zh":
        return f"{value.year}年{value.month}月{value.day}日"
    return value.isoformat()


def month(value: date | None, lang: str | None = None) -> str:
    """'Oct 2026' / '2026年10月' for a month-end; the full date when it is not one (a mid-month as-of)."""
    if value is None:
        return MISSING
    next_day = date.fromordinal(value.toordinal() + 1)
    if next_day.day != 1:
        return day(value, lang) if _lang(lang) == "zh" else value.isoformat()
    if _lang(lang) == "zh":
        return f"{value.year}年{value.month}月"
    return value.strftime("%b %Y")


def month_of(value: date | None, lang: str | None = None) -> str:
    """The calendar month a date falls in, whatever its day: 'Nov 2025' / '2025年11月'."""
    if value is None:
        return MISSING
    if _lang(lang) == "zh":
        return f"{value.year}年{value.month}月"
    return value.strftime("%b %Y")


def d3_month(lang: str | None = None) -> str:
    """The d3 time format of a month in hover texts and date axes: '%b %Y' or '%Y年%-m月'."""
    return D3_MONTH[_lang(lang)]


def d3_day(lang: str | None = None) -> str:
    """The d3 time format of a day in hover texts."""
    return D3_DAY[_lang(lang)]
