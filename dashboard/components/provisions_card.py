"""The Overview's provisions card: the IFRS 9 loss allowance with its coverage, and the change of
both since the previous grid date (queries.provisions)."""

from __future__ import annotations

from datetime import date

from dashboard.access import fetch
from dashboard.components.formats import MISSING, money, percent, points
from dashboard.components.kpi import Kpi
from dashboard.i18n import t
from queries import provisions


def allowance_kpi(params: dict[str, object]) -> Kpi:
    """The card for the filtered portfolio at params['as_of']: value 'allowance (coverage)',
    delta 'allowance change (coverage change in points)'; a dash without an allowance then."""
    totals = provisions.totals(fetch(provisions.trend, **params))
    as_of: date = params["as_of"]  # type: ignore[assignment]
    rows = totals.filter(totals["as_of"] <= as_of)
    now = rows.row(-1, named=True) if rows.height and rows["as_of"][-1] == as_of else None
    before = rows.row(-2, named=True) if now is not None and rows.height > 1 else None
    coverage_now = now["coverage"] if now else None
    coverage_before = before["coverage"] if before else None

    def value(amount: float | None) -> str:
        if amount is None:
            return MISSING
        return t(
            "provisions.overview_card_value",
            amount=money(amount),
            coverage=percent(coverage_now, 2) if coverage_now is not None else MISSING,
        )

    def delta(change: float) -> str:
        sign = "+" if change >= 0 else "-"  # an ASCII minus: Streamlit reads it for the arrow
        if coverage_now is None or coverage_before is None:
            return f"{sign}{money(abs(change))}"
        # the value's own pattern: '+¥2.4M (+0.6 pp)', '+¥242万（+0.6 个百分点）'
        return t(
            "provisions.overview_card_value",
            amount=f"{sign}{money(abs(change))}",
            coverage=points(coverage_now - coverage_before),
        )

    return Kpi(
        t("provisions.overview_card"),
        now["allowance"] if now else None,
        before["allowance"] if before else None,
        value,
        delta_fmt=delta,
        help=t("provisions.overview_card_help"),
    )
