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


# ---------- the verdict under the before/after table ----------

# A last monthly move counts as a jump when it is larger than JUMP_FACTOR x the median absolute
# monthly change of the months before it in the compared windows, judged from MIN_CHANGES changes.
JUMP_FACTOR = 3.0
MIN_CHANGES = 6
# The meaning names the loss allowance's move first; the new-business mix is what the policy
# changed directly, so it is named only when no outcome moved materially.
LOSS_MEASURES = ("allowance",)
LEVERS = ("medium_high_share",)


@dataclass(frozen=True)
class Verdict:
    improved: str  # "Improved materially (2): A (-1.0 pp), B (+¥1.0 M)." or "... none."
    worsened: str
    meaning: str  # one sentence: what it means overall
    jumps: list[str]  # one sentence per measure whose last month jumped (empty when none did)


@dataclass(frozen=True)
class Jump:
    """A measure whose last monthly change is far larger than its usual one."""

    metric: str
    unit: str
    month: date  # the last month-end
    change: float  # last value - the value a month before
    usual: float  # median |monthly change| before the last one
    ratio: float | None  # |change| / usual; None when the usual change is 0


def size_text(unit: str, change: float) -> str:
    """The size of a change without its sign: '2.1 pp', '¥1.2 M', '3.0 days', '55'."""
    return change_text(unit, abs(change)).lstrip("+")


def _magnitude(row: dict) -> float:
    # the material moves are ranked by relative size; from zero (no relative change) ranks first
    relative = row["relative_change"]
    return float("inf") if relative is None else abs(relative)


def _named(rows: list[dict]) -> dict:
    """The move the meaning names: the loss allowance (what the book expects to lose) when it is
    among `rows`, else the largest one that is not the policy's own lever (the new-business mix),
    which is named only when nothing else moved."""
    for row in rows:
        if row["metric"] in LOSS_MEASURES:
            return row
    outcomes = [row for row in rows if row["metric"] not in LEVERS]
    return (outcomes or rows)[0]


def _listed(rows: list[dict]) -> str:
    return t("cases.verdict_separator").join(
        t(
            "cases.verdict_entry",
            metric=t(f"cases.metric_{r['metric']}"),
            change=change_text(r["unit"], r["change"]),
        )
        for r in rows
    )


def inline(name: str) -> str:
    """A measure's name as it reads inside a sentence: 'Overdue rate 30+' becomes 'overdue rate
    30+'; a name that starts with an abbreviation ('DSO', 'PD-weighted') and a name without letter
    case (Chinese) stay as they are."""
    if len(name) > 1 and name[0].isupper() and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def _moved(row: dict) -> str:
    """'overdue rate 30+ fell by 2.1 pp (3.5 % → 1.4 %)': it is read inside a sentence."""
    return t(
        "cases.verdict_moved_fell" if row["change"] < 0 else "cases.verdict_moved_rose",
        metric=inline(t(f"cases.metric_{row['metric']}")),
        size=size_text(row["unit"], row["change"]),
        before=value_text(row["unit"], row["before"]),
        after=value_text(row["unit"], row["after"]),
    )


def _cost(contracts: dict | None) -> str:
    """The clause on new business: fewer (or more) contracts a month, when that change is material."""
    if not contracts or not contracts["material"] or not contracts["change"]:
        return ""
    key = "cases.verdict_cost_fewer" if contracts["change"] < 0 else "cases.verdict_cost_more"
    return t(
        key,
        count=size_text("count", contracts["change"]),
        before=value_text("count", contracts["before"]),
        after=value_text("count", contracts["after"]),
    )


def verdict(
    table: pl.DataFrame, counted: tuple[str, ...], jumps: list[Jump] | None = None
) -> Verdict:
    """What the before/after table says, from its rows only.

    Improved / worsened: the `counted` rows that are material (the table's rule) and whose change
    goes the good / bad way (`improved`, which follows each measure's good direction), largest
    relative change first. The meaning names one material improvement and, when there is one, one
    material worsening: the loss allowance when it is among them, else the largest that is not the
    new-business mix (the policy's lever, named only when nothing else moved); the 'contracts' row,
    when present and material, adds what it cost in new contracts a month. `jumps` (see
    `last_month_jumps`) become one sentence each.
    """
    rows = {r["metric"]: r for r in table.iter_rows(named=True)}
    judged = [rows[key] for key in counted if key in rows]
    better = sorted(
        (r for r in judged if r["material"] and r["improved"]), key=_magnitude, reverse=True
    )
    worse = sorted(
        (r for r in judged if r["material"] and r["improved"] is False),
        key=_magnitude,
        reverse=True,
    )
    cost = _cost(rows.get("contracts"))
    if better and worse:
        meaning = t(
            "cases.verdict_mixed", lead=_moved(_named(better)), lag=_moved(_named(worse)), cost=cost
        )
    elif better:
        meaning = t("cases.verdict_better", lead=_moved(_named(better)), cost=cost)
    elif worse:
        meaning = t("cases.verdict_worse", lag=_moved(_named(worse)), cost=cost)
    else:
        meaning = t("cases.verdict_none", total=len(judged), cost=cost)
    return Verdict(
        improved=t("cases.verdict_improved", count=len(better), items=_listed(better))
        if better
        else t("cases.verdict_improved_none"),
        worsened=t("cases.verdict_worsened", count=len(worse), items=_listed(worse))
        if worse
        else t("cases.verdict_worsened_none"),
        meaning=meaning,
        jumps=[jump_text(j) for j in (jumps or [])],
    )


def last_month_jumps(
    frame: pl.DataFrame,
    measures: list[tuple[str, str, str]],
    months: tuple[date, ...],
    factor: float = JUMP_FACTOR,
    min_changes: int = MIN_CHANGES,
) -> list[Jump]:
    """The measures whose last month moved by much more than usual.

    `frame` has `as_of` and one column per measure; `measures` are (key, column, unit); `months`
    the month-ends compared (the before and after windows). Over those months, the monthly changes
    of a measure are value(m) - value(m - 1). Its last change is a jump when it is larger than
    `factor` (3) x the median absolute change of the months before it, judged only with at least
    `min_changes` (6) earlier changes and both last values present; when that median is 0 (a
    measure that did not move), any last change is a jump. Missing months are left out.
    """
    found = []
    rows = frame.filter(pl.col("as_of").is_in(months)).sort("as_of")
    for key, column, unit in measures:
        series = rows.select("as_of", column).drop_nulls()
        values = series[column].to_list()
        if len(values) < min_changes + 2 or series["as_of"][-1] != max(months):
            continue
        changes = [b - a for a, b in zip(values, values[1:], strict=False)]
        last, earlier = changes[-1], changes[:-1]
        usual = float(pl.Series(earlier).abs().median())
        if usual == 0:
            if last != 0:
                found.append(Jump(key, unit, series["as_of"][-1], last, 0.0, None))
        elif abs(last) > factor * usual:
            found.append(Jump(key, unit, series["as_of"][-1], last, usual, abs(last) / usual))
    return found


def jump_text(jump: Jump) -> str:
    """'In Oct 2026, write-offs per month rose by ¥3.0 M, 6.0× its usual monthly change (¥0.5 M).'"""
    values = {
        "month": month_of(jump.month),
        "metric": inline(t(f"cases.metric_{jump.metric}")),
        "size": size_text(jump.unit, jump.change),
        "usual": size_text(jump.unit, jump.usual),
    }
    way = "fell" if jump.change < 0 else "rose"
    if jump.ratio is None:
        return t(f"cases.jump_{way}_still", **values)
    return t(f"cases.jump_{way}", ratio=f"{jump.ratio:.1f}", **values)


def jump_drivers(movers: dict, frame: pl.DataFrame, last: date, months: tuple[date, ...]) -> str:
    """What the data holds on the last month beside a jump, as one sentence.

    `movers` is the row of queries.cases.last_month for `last`: customers that went 30+ days past
    due (with their exposure and how many have a part-paid instalment still owed), customers
    entering default (the largest one's exposure), the amount written off (the largest customer's).
    The usual number of defaults and write-offs is their median month over `months` before `last`
    in `frame` (the monthly case frame).
    """
    earlier = frame.filter(pl.col("as_of").is_in(months) & (pl.col("as_of") < last))
    usual_defaults = f"{float(earlier['new_defaults'].median() or 0):,.0f}"
    usual_write_offs = money(float(earlier["write_offs"].median() or 0))
    parts = []
    if movers["new_30"]:
        parts.append(
            t(
                "cases.drivers_30",
                count=f"{movers['new_30']:,}",
                exposure=money(movers["new_30_exposure"]),
                part_paid=f"{movers['new_30_part_paid']:,}",
            )
        )
    if movers["new_defaults"]:
        parts.append(
            t(
                "cases.drivers_defaults",
                count=f"{movers['new_defaults']:,}",
                usual=usual_defaults,
                largest=money(movers["largest_default"]),
            )
        )
    else:
        parts.append(t("cases.drivers_no_defaults", usual=usual_defaults))
    if movers["written_off"] > 0:
        parts.append(
            t(
                "cases.drivers_write_offs",
                amount=money(movers["written_off"]),
                usual=usual_write_offs,
                largest=money(movers["largest_write_off"]),
            )
        )
    else:
        parts.append(t("cases.drivers_no_write_offs", usual=usual_write_offs))
    return t("cases.drivers", month=month_of(last), parts=t("cases.drivers_separator").join(parts))
