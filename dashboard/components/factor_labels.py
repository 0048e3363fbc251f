"""Display names of score factors: the policy's weighted factors (dpd, late, ...) and the binned
scorecard's behavioural factors (data/policy.py SCORECARD_FACTORS), and how a factor's value reads."""

from __future__ import annotations

from dashboard.components.formats import number, percent
from dashboard.i18n import t
from data.policy import FACTORS as WEIGHTED_FACTORS
from data.policy import RATINGS, SCORECARD_FACTORS

# behavioural factors that are shares or changes of a share (shown as percentages)
SHARES = {
    "late_share_12m",
    "utilisation",
    "paid_to_billed_3m",
    "paid_to_billed_6m",
    "paid_to_billed_trend",
    "exposure_trend_6m",
    "utilisation_trend_6m",
}


def factor_label(name: str, *, binned: bool = False) -> str:
    """A factor's name in the current language; a weighted factor unless `binned` (utilisation
    is both); a name the catalogue does not know as it is."""
    if not binned and name in WEIGHTED_FACTORS:
        return t(f"customer.factor.{name}")
    if name in SCORECARD_FACTORS:
        return t(f"scorecard.factor.{name}")
    return name


def factor_value(name: str, value: float | None) -> str:
    """A behavioural factor's value as it reads: a share as a percentage, a rating rank as the
    rating, a count or days as a number; 'no value' when missing."""
    if value is None or value != value:  # missing, or NaN from a frame
        return t("scorecard.missing")
    if name == "rating_rank" and 1 <= value <= len(RATINGS) and value == int(value):
        return RATINGS[int(value) - 1]
    if name in SHARES:
        return percent(value, 0 if name in {"utilisation", "late_share_12m"} else 1)
    return number(value, 0 if value == int(value) else 1)


def binned_label(name: str, value: float | None) -> str:
    """'Late payments, share (12 m): 58 %': a binned factor with the value it had."""
    return t(
        "scorecard.value_label",
        factor=factor_label(name, binned=True),
        value=factor_value(name, value),
    )
