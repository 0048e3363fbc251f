"""The champion / challenger verdict in words (the page and the model report say the same)."""

from __future__ import annotations

from dashboard.components.factor_labels import factor_label as scorecard_factor_label
from dashboard.components.formats import number
from dashboard.components.formats import signed_money as _signed_money
from dashboard.i18n import t
from queries.model_compare import Verdict


def signed_money(value: float) -> str:
    """A change of money with its sign: '+¥1.2M', '-¥950' (formats.signed_money)."""
    return _signed_money(value)


def signed_count(value: int) -> str:
    """A change of a count with its sign: '+3', '-2', '0'."""
    return f"+{number(value)}" if value > 0 else f"-{number(-value)}" if value < 0 else "0"


def factor_label(name: str) -> str:
    """A characteristic's label: the risk score or a factor (its key when it has no message)."""
    if name == "score":
        return t("challenger.characteristic_score")
    if name.endswith("_points"):  # a binned factor named like a weighted one of the model
        return scorecard_factor_label(name.removesuffix("_points"), binned=True)
    try:
        return t(f"challenger.factor_{name}")
    except KeyError:  # a binned scorecard factor
        return scorecard_factor_label(name, binned=True)


def verdict_lines(verdict: Verdict) -> list[str]:
    """The verdict as sentences: the summary line, the shifted factors and miscalibrated grades
    when there are any, and the recommendation last."""
    lines = [
        t(
            "challenger.verdict_line",
            in_time=t(f"challenger.dir_{verdict.in_time}"),
            out_of_time=t(f"challenger.dir_{verdict.out_of_time}"),
            stability=t(f"challenger.stab_{verdict.stability}"),
            into_e=number(verdict.into_e),
            out_of_e=number(verdict.out_of_e),
            upgrades=number(verdict.upgrades),
            downgrades=number(verdict.downgrades),
            el_change=signed_money(verdict.el_change),
            watchlist_change=signed_count(verdict.watchlist_change),
        )
    ]
    lines[0] = lines[0][:1].upper() + lines[0][1:]  # "better in time, …" opens a sentence
    if verdict.unstable_factors:
        names = ", ".join(factor_label(f) for f in verdict.unstable_factors)
        lines.append(t("challenger.unstable_factors", factors=names))
    if verdict.miscalibrated:
        lines.append(t("challenger.miscalibrated", grades=", ".join(verdict.miscalibrated)))
    lines.append(t(f"challenger.rec_{verdict.recommendation}"))
    return lines
