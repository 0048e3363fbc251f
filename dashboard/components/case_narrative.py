"""The short story that opens each case study — problem, measures taken, outcome — from numbers.

Pure: before/after averages in, sentences out, every sentence a message template (cases.toml), so
the story is never written by hand and follows the data when the data changes. Values are
formatted by unit here, and the page's before/after table uses the same formatting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import polars as pl

from dashboard.components.formats import money, month, month_of, percent, points
from dashboard.i18n import t, value_label

Direction = Literal["rose", "fell", "unchanged"]
# Averages closer than this (relative) read as unchanged in words; materiality is the table's call.
SAME = 0.005
# The metrics the outcome names, per case, in order (all rows of the table count in the summary).
HEADLINES = {
    "manufacturer": (
        "collection_rate",
        "overdue_1_30_share",
        "overdue_90p_share",
        "dso",
        "write_offs",
        "default_rate",
    ),
    "lender": (
        "overdue_30_share",
        "overdue_90_share",
        "performing_30_share",
        "default_rate",
        "recovery_rate",
        "high_share",
    ),
}


@dataclass(frozen=True)
class Story:
    problem: str
    measures: str
    outcome_intro: str
    outcome_items: list[str]
    outcome_summary: str
    context: str


def direction(before: float | None, after: float | None, same: float = SAME) -> Direction | None:
    """'rose', 'fell' or 'unchanged' (within `same` of before, relative); None without a value."""
    if before is None or after is None:
        return None
    if abs(after - before) <= same * max(abs(before), abs(after)):
        return "unchanged"
    return "rose" if after > before else "fell"


def value_text(unit: str, value: float | None) -> str:
    """A value in its unit: share as a percentage (two decimals below 1 %), money, days, count."""
    if value is None:
        return "—"
    if unit == "share":
        return percent(value, 2 if abs(value) < 0.01 else 1)
    if unit == "money":
        return money(value)
    if unit == "days":
        return t("cases.days", value=value)
    return f"{value:,.0f}"


def change_text(unit: str, change: float | None) -> str:
    """A change in its unit: percentage points for shares, signed money, days or count."""
    if change is None:
        return "—"
    # an ASCII minus: st.metric reads the sign of a delta text to choose its arrow
    sign = "+" if change >= 0 else "-"
    if unit == "share":
        digits = 2 if abs(change) < 0.001 else 1
        return points(change, digits)
    if unit == "money":
        return f"{sign}{money(abs(change))}"
    if unit == "days":
        return t("cases.days_delta", value=change)
    return f"{sign}{abs(change):,.0f}"


def period(months: tuple[date, ...]) -> str:
    """'Nov 2024–Oct 2025' for a window's month-ends ('—' when empty)."""
    return f"{month(months[0])}–{month(months[-1])}" if months else "—"


def move(unit: str, before: float | None, after: float | None) -> str:
    """'fell from X to Y' / 'rose from X to Y' / 'stayed at Y' in the current language."""
    way = direction(before, after)
    if way is None:
        return t("cases.move_missing")
    return t(f"cases.move_{way}", before=value_text(unit, before), after=value_text(unit, after))


def trend(unit: str, earlier: float | None, before: float | None) -> str:
    """How the before-window average compares with the year before it, as a clause."""
    way = direction(earlier, before)
    if way is None:
        return t("cases.trend_missing")
    return t(f"cases.trend_{way}", value=value_text(unit, earlier))


def _row(table: pl.DataFrame, key: str) -> dict:
    rows = table.filter(pl.col("metric") == key)
    if rows.is_empty():
        raise KeyError(f"metric {key!r} is not in the before/after table")
    return rows.row(0, named=True)


def outcome_item(row: dict) -> str:
    """One outcome sentence: the metric, how it moved, and whether that is material."""
    materiality = {True: "cases.material_yes", False: "cases.material_no"}.get(row["material"])
    return t(
        "cases.outcome_item",
        metric=t(f"cases.metric_{row['metric']}"),
        move=move(row["unit"], row["before"], row["after"]),
        material=t(materiality) if materiality else "",
    )


def story(
    scenario: str,
    table: pl.DataFrame,
    earlier: dict[str, float | None],
    before_months: tuple[date, ...],
    after_months: tuple[date, ...],
    policy_month: date,
    downturn: tuple[str, date, date],
    counted: tuple[str, ...],
) -> Story:
    """The case's story.

    `table` is queries.cases.before_after over the case's metrics plus 'defaulted_share' and
    'contracts'; `earlier` the averages of the year before the before-window; `downturn` is
    (industry, first day, last day); `counted` the metric keys the summary counts.
    """
    rows = {key: _row(table, key) for key in table["metric"].to_list()}
    industry, start, end = downturn
    downturn_text = t(
        "cases.downturn",
        industry=value_label("industry", industry),
        start=month_of(start),
        end=month_of(end),
    )
    if scenario == "manufacturer":
        problem = t(
            "cases.problem_manufacturer",
            before_period=period(before_months),
            before_months=len(before_months),
            collection_rate=value_text("share", rows["collection_rate"]["before"]),
            collection_trend=trend(
                "share", earlier.get("collection_rate"), rows["collection_rate"]["before"]
            ),
            overdue_90=value_text("share", rows["overdue_90p_share"]["before"]),
            downturn=downturn_text,
        )
    else:
        problem = t(
            "cases.problem_lender",
            before_period=period(before_months),
            before_months=len(before_months),
            overdue_30=value_text("share", rows["overdue_30_share"]["before"]),
            overdue_trend=trend(
                "share", earlier.get("overdue_30_share"), rows["overdue_30_share"]["before"]
            ),
            default_rate=value_text("share", rows["default_rate"]["before"]),
            default_trend=trend(
                "share", earlier.get("default_rate"), rows["default_rate"]["before"]
            ),
            downturn=downturn_text,
        )
    contracts, risky = rows["contracts"], rows["medium_high_share"]
    measures = t(
        f"cases.measures_{scenario}",
        policy_month=month_of(policy_month),
        new_business=t(
            "cases.new_business",
            contracts_before=value_text("count", contracts["before"]),
            contracts_after=value_text("count", contracts["after"]),
            move=move("share", risky["before"], risky["after"]),
        ),
    )
    judged = [rows[key] for key in counted if key in rows]
    defaulted = rows["defaulted_share"]
    return Story(
        problem=problem,
        measures=measures,
        outcome_intro=t(
            "cases.outcome_intro",
            after_months=len(after_months),
            after_period=period(after_months),
            before_months=len(before_months),
        ),
        outcome_items=[outcome_item(rows[key]) for key in HEADLINES[scenario]],
        outcome_summary=t(
            "cases.outcome_summary",
            improved=sum(1 for r in judged if r["material"] and r["improved"]),
            worsened=sum(1 for r in judged if r["material"] and r["improved"] is False),
            total=len(judged),
        ),
        context=t(
            "cases.context_defaulted",
            before=value_text("share", defaulted["before"]),
            after=value_text("share", defaulted["after"]),
        ),
    )
