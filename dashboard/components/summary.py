"""The Overview's plain-language summary: what changed since last month, generated from the numbers."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.components.formats import money, percent, signed_money
from dashboard.i18n import t

# Changes smaller than this (relative) are reported as unchanged.
STEADY = 0.005
# How many contributors the summary names.
TOP_DRIVERS = 3


@dataclass(frozen=True)
class SummaryInputs:
    exposure: float
    previous_exposure: float | None
    expected_loss: float
    previous_expected_loss: float | None
    # (customer name, EL change in money, share of the portfolio's change 0-1) of the customers that
    # moved most in its direction, largest first; the summary names the first TOP_DRIVERS
    drivers: tuple[tuple[str, float, float | None], ...] | None
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


def _signed_money(change: float) -> str:
    return signed_money(change)


def _drivers_text(drivers: tuple[tuple[str, float, float | None], ...] | None, up: bool) -> str:
    """The clause naming the largest contributors with their shares of the change ('' when none
    moved in its direction), e.g. '. The 3 largest moves: A +¥5 (50 %), ..., together 80 % of it'."""
    named = [d for d in (drivers or ()) if (d[1] > 0) == up and d[2] is not None][:TOP_DRIVERS]
    if not named:
        return ""
    if len(named) == 1:
        name, delta, share = named[0]
        return t(
            "overview.sum_driver_one",
            name=name,
            delta=_signed_money(delta),
            share=percent(share, 0),
        )
    items = t("overview.sum_item_sep").join(
        t(
            "overview.sum_driver_item",
            name=name,
            delta=_signed_money(delta),
            share=percent(share, 0),
        )
        for name, delta, share in named
    )
    return t(
        "overview.sum_drivers_many",
        count=len(named),
        items=items,
        share=percent(sum(share for _, _, share in named), 0),
    )


def summary_text(n: SummaryInputs) -> str:
    """Two or three sentences: expected loss and the customers that moved it most, exposure,
    watchlist entrants."""
    parts = []
    way, change = _direction(n.expected_loss, n.previous_expected_loss)
    if way == "none":
        parts.append(t("overview.sum_el_first", el=money(n.expected_loss)))
    else:
        sentence = t(
            f"overview.sum_el_{way}", change=percent(abs(change), 0), el=money(n.expected_loss)
        )
        if way != "flat":
            sentence += _drivers_text(n.drivers, change > 0)
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
