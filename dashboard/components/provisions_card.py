"""The Overview's provisions card: the IFRS 9 loss allowance and its change since the previous grid
date, with the coverage and its change in points in the card's help (queries.provisions). Value and
change stay whole in a card of the Overview's five-card row, in both languages."""

from __future__ import annotations

from dashboard.access import fetch
from dashboard.components.formats import MISSING, money, percent, points
from dashboard.components.kpi import Kpi
from dashboard.i18n import t
from queries import provisions
from queries.filters import Filters


def allowance_kpi(filters: Filters) -> Kpi:
    """The card for the filtered portfolio at filters.as_of: value the allowance, delta its change,
    help naming the coverage and its change in points; a dash without an allowance."""
    totals = provisions.totals(fetch(provisions.trend, filters=filters))
    as_of = filters.as_of
    rows = totals.filter(totals["as_of"] <= as_of)
    now = rows.row(-1, named=True) if rows.height and rows["as_of"][-1] == as_of else None
    before = rows.row(-2, named=True) if now is not None and rows.height > 1 else None
    coverage_now = now["coverage"] if now else None
    coverage_before = before["coverage"] if before else None

    def value(amount: float | None) -> str:
        return MISSING if amount is None else money(amount)

    coverage_change = (
        points(coverage_now - coverage_before)
        if coverage_now is not None and coverage_before is not None
        else MISSING
    )
    return Kpi(
        t("provisions.overview_card"),
        now["allowance"] if now else None,
        before["allowance"] if before else None,
        value,
        help=t(
            "provisions.overview_card_help",
            coverage=percent(coverage_now, 2) if coverage_now is not None else MISSING,
            coverage_change=coverage_change,
        ),
    )
