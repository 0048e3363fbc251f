"""The Overview's plain-language summary: what changed since last month, generated from the numbers."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.components.formats import money, percent
from dashboard.i18n import t, value_label

# Changes smaller than this (relative) are reported as unchanged.
STEADY = 0.005


@dataclass(frozen=True)
class SummaryInputs:
    exposure: float
    previous_exposure: float | None
    expected_loss: float
    previous_expected_loss: float | None
    driver: tuple[str, str, float] | None  # (industry, region, EL change) with the largest move
    new_on_watchlist: int
    top_trigger: tuple[str, int] | None  # (trigger code, entrants it fired for)
    watchlist: int


def _direction(current: float, previous: float | None) -> tuple[str, float]:
    if previous is None or previous == 0:
        return "none", 0.0
    change = current / previous - 1
    if abs(change) < STEADY:
        return "flat", change
    return ("up" if change > 0 else "down"), change


def summary_text(n: SummaryInputs) -> str:
    """Two or three sentences: expected loss and its driver, exposure, watchlist entrants."""
    parts = []
    way, change = _direction(n.expected_loss, n.previous_expected_loss)
    if way == "none":
        parts.append(t("overview.sum_el_first", el=money(n.expected_loss)))
    else:
        sentence = t(
            f"overview.sum_el_{way}", change=percent(abs(change), 0), el=money(n.expected_loss)
        )
        if n.driver is not None and way != "flat" and (n.driver[2] > 0) == (change > 0):
            industry, region, delta = n.driver
            sentence += t(
                "overview.sum_driver",
                industry=value_label("industry", industry),
                region=value_label("region", region),
                delta=money(abs(delta)),
            )
        parts.append(sentence + t("overview.sum_end"))
    way, change = _direction(n.exposure, n.previous_exposure)
    if way != "none":
        parts.append(
            t(
                f"overview.sum_exposure_{way}",
                change=percent(abs(change), 1),
                exposure=money(n.exposure),
            )
        )
    if n.new_on_watchlist == 0:
        parts.append(t("overview.sum_watch_none", watchlist=n.watchlist))
    else:
        sentence = t("overview.sum_watch_new", count=n.new_on_watchlist, watchlist=n.watchlist)
        if n.top_trigger is not None:
            code, count = n.top_trigger
            sentence += t("overview.sum_watch_trigger", count=count, trigger=t(f"triggers.{code}"))
        parts.append(sentence + t("overview.sum_end"))
    return t("overview.sum_join").join(parts)
