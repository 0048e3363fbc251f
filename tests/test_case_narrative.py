"""The case story and its formatting from given numbers: rise / fall / no-change wording, units,
materiality, and the same story in Chinese."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from dashboard.components import case_narrative as narrative
from dashboard.i18n import set_language
from queries.cases import BEFORE_AFTER_SCHEMA

D = date.fromisoformat


@pytest.fixture(autouse=True)
def english():
    set_language("en")
    yield
    set_language("en")


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (0.10, 0.12, "rose"),
        (0.10, 0.08, "fell"),
        (0.10, 0.1004, "unchanged"),  # within 0.5 % of the larger value
        (0.0, 0.0, "unchanged"),
        (0.0, 0.001, "rose"),
        (None, 0.1, None),
    ],
)
def test_direction(before, after, expected):
    assert narrative.direction(before, after) == expected


@pytest.mark.parametrize(
    ("unit", "value", "text"),
    [
        ("share", 0.653, "65.3 %"),
        ("share", 0.0039, "0.39 %"),
        ("money", 11_019_140.0, "¥11.0M"),
        ("days", 61.4, "61 days"),
        ("count", 172.4, "172"),
        ("share", None, "—"),
    ],
)
def test_value_text(unit, value, text):
    assert narrative.value_text(unit, value) == text


@pytest.mark.parametrize(
    ("unit", "change", "text"),
    [
        ("share", -0.1374, "-13.7 pp"),
        ("share", 0.0008, "+0.08 pp"),
        ("money", 39_213.0, "+¥39.2K"),
        ("days", 12.94, "+12.9 days"),
        ("count", -55.0, "-55"),
    ],
)
def test_change_text(unit, change, text):
    assert narrative.change_text(unit, change) == text


def test_move_wording():
    assert narrative.move("share", 0.062, 0.031) == "fell from 6.2 % to 3.1 %"
    assert narrative.move("days", 61.4, 74.4) == "rose from 61 days to 74 days"
    assert narrative.move("money", 1.10e7, 1.1002e7) == "stayed at ¥11.0M"
    assert narrative.move("share", None, 0.1).startswith("cannot be compared")


def row(metric, unit, before, after, material, improved, test="relative"):
    change = None if before is None or after is None else after - before
    return {
        "metric": metric,
        "unit": unit,
        "before": before,
        "after": after,
        "change": change,
        "relative_change": None,
        "test": test,
        "statistic": None,
        "material": material,
        "improved": improved,
    }


MONTHS_BEFORE = (D("2025-01-31"), D("2025-02-28"))
MONTHS_AFTER = (D("2025-11-30"), D("2025-12-31"), D("2026-01-31"))
TABLE = pl.DataFrame(
    [
        row("collection_rate", "share", 0.60, 0.70, True, True),
        row("overdue_1_30_share", "share", 0.05, 0.05, False, None),
        row("overdue_90p_share", "share", 0.10, 0.15, True, False),
        row("dso", "days", 60.0, 58.0, False, True),
        row("write_offs", "money", 2e6, 1e6, True, True),
        row("default_rate", "share", 0.004, 0.003, False, True, test="z"),
        row("medium_high_share", "share", 0.04, 0.005, True, True),
        row("defaulted_share", "share", 0.05, 0.10, True, False),
        row("contracts", "count", 172.0, 117.0, True, False),
    ],
    schema=BEFORE_AFTER_SCHEMA,
)
COUNTED = (
    "collection_rate",
    "overdue_1_30_share",
    "overdue_90p_share",
    "dso",
    "write_offs",
    "default_rate",
    "medium_high_share",
)


def manufacturer_story(earlier_rate: float | None = 0.80) -> narrative.Story:
    return narrative.story(
        "manufacturer",
        TABLE,
        {"collection_rate": earlier_rate},
        MONTHS_BEFORE,
        MONTHS_AFTER,
        D("2025-11-01"),
        ("Construction", D("2025-01-01"), D("2025-09-30")),
        COUNTED,
    )


def test_manufacturer_story_from_the_numbers():
    story = manufacturer_story()
    assert story.problem == (
        "Receivables were getting harder to collect. In the 2 months before the credit policy "
        "(Jan 2025–Feb 2025) the collection rate averaged 60.0 %, down from 80.0 % in the year "
        "before, and on average 10.0 % of receivables were more than 90 days past due. "
        "Construction customers went through a downturn from Jan 2025 to Sep 2025."
    )
    assert story.measures.endswith(
        "New contracts went from 172 to 117 a month, and the share of new contract value signed "
        "with Medium- or High-band customers fell from 4.0 % to 0.50 %."
    )
    assert story.measures.startswith("From Nov 2025 the company assessed every customer's credit")
    assert story.outcome_intro == (
        "In the 3 months after the policy (Nov 2025–Jan 2026), against the 2 months before:"
    )
    assert story.outcome_items == [
        "Collection rate rose from 60.0 % to 70.0 % — a material change.",
        "Overdue 1–30 days stayed at 5.0 % — not material.",
        "Overdue 90+ days rose from 10.0 % to 15.0 % — a material change.",
        "DSO fell from 60 days to 58 days — not material.",
        "Write-offs per month fell from ¥2.0M to ¥1.0M — a material change.",
        "Monthly default rate fell from 0.40 % to 0.30 % — not material.",
    ]
    # Material and better: collection rate, write-offs, new business; material and worse: 90+.
    assert story.outcome_summary == (
        "Of the 7 measures in the table, 3 improved materially and 1 worsened materially."
    )
    assert story.context.startswith(
        "Balances of defaulted customers stay in the book until they are paid, cured or written "
        "off (write-offs are recorded in the data): they were 5.0 % of exposure before the policy "
        "and 10.0 % after"
    )


@pytest.mark.parametrize(
    ("earlier", "clause"),
    [
        (0.50, "up from 50.0 % in the year before"),
        (0.6001, "about the same as in the year before (60.0 %)"),
        (None, "with no earlier year to compare"),
    ],
)
def test_problem_trend_wording(earlier, clause):
    assert f"averaged 60.0 %, {clause}, and" in manufacturer_story(earlier).problem


def test_lender_story_names_its_own_measures():
    table = pl.DataFrame(
        [
            row("overdue_30_share", "share", 0.10, 0.14, True, False),
            row("overdue_90_share", "share", 0.045, 0.087, True, False),
            row("performing_30_share", "share", 0.056, 0.051, False, True),
            row("default_rate", "share", 0.0042, 0.0034, False, True, test="z"),
            row("recovery_rate", "share", 0.0, 0.0, False, None),
            row("high_share", "share", 0.048, 0.084, True, False),
            row("medium_high_share", "share", 0.031, 0.004, True, True),
            row("defaulted_share", "share", 0.049, 0.095, True, False),
            row("contracts", "count", 149.0, 99.0, True, False),
        ],
        schema=BEFORE_AFTER_SCHEMA,
    )
    story = narrative.story(
        "lender",
        table,
        {"overdue_30_share": 0.055, "default_rate": 0.0046},
        MONTHS_BEFORE,
        MONTHS_AFTER,
        D("2025-11-01"),
        ("Construction", D("2025-01-01"), D("2025-09-30")),
        ("overdue_30_share", "overdue_90_share", "default_rate", "recovery_rate"),
    )
    assert "on average 10.0 % of exposure was with borrowers more than 30 days past due, up from 5.5 % in the year before" in story.problem  # fmt: skip
    assert "0.42 % of performing borrowers defaulted each month, down from 0.46 % in the year before" in story.problem  # fmt: skip
    assert story.measures.startswith("From Nov 2025 the lender rated every borrower")
    assert story.outcome_items[4] == "Recovery rate stayed at 0.00 % — not material."
    assert story.outcome_summary == (
        "Of the 4 measures in the table, 0 improved materially and 2 worsened materially."
    )


def test_the_story_in_chinese():
    set_language("zh")
    story = manufacturer_story()
    assert story.outcome_items[0] == "回收率从 60.0% 升至 70.0%——属于重大变化。"
    assert story.outcome_items[1] == "逾期 1–30 天保持在 5.0%——不属于重大变化。"
    assert "回收率平均为 60.0%，低于前一年的 80.0%" in story.problem
    assert "建筑业" in story.problem and "Construction" not in story.problem  # the industry too


def test_a_table_without_a_needed_metric_is_an_error():
    with pytest.raises(KeyError, match="collection_rate"):
        narrative.story(
            "manufacturer",
            TABLE.filter(pl.col("metric") != "collection_rate"),
            {},
            MONTHS_BEFORE,
            MONTHS_AFTER,
            D("2025-11-01"),
            ("Construction", D("2025-01-01"), D("2025-09-30")),
            COUNTED,
        )


# ---------- the verdict under the before/after table ----------


def judged(metric, unit, before, after, material, improved, test="relative"):
    """A table row with its relative change, as queries.cases.before_after writes it."""
    out = row(metric, unit, before, after, material, improved, test=test)
    out["relative_change"] = (after - before) / abs(before) if before else None
    return out


VERDICT_TABLE = pl.DataFrame(
    [
        # +10 pp on 60 %: relative +16.7 %, material, better (higher is better)
        judged("collection_rate", "share", 0.60, 0.70, True, True),
        # +5 pp on 10 %: relative +50 %, material, worse
        judged("overdue_90p_share", "share", 0.10, 0.15, True, False),
        # -¥1.0M on ¥2.0M: relative -50 %, material, better (lower is better)
        judged("write_offs", "money", 2e6, 1e6, True, True),
        # better but not material: left out of both lists
        judged("dso", "days", 60.0, 58.0, False, True),
        judged("default_rate", "share", 0.004, 0.003, False, True, test="z"),
        # not counted (context): 55 fewer contracts a month, material
        judged("contracts", "count", 172.0, 117.0, True, False),
    ],
    schema=BEFORE_AFTER_SCHEMA,
)
VERDICT_COUNTED = ("collection_rate", "overdue_90p_share", "write_offs", "dso", "default_rate")


def test_verdict_lists_material_moves_by_good_direction_largest_first():
    verdict = narrative.verdict(VERDICT_TABLE, VERDICT_COUNTED)
    # write-offs (|-50 %|) before the collection rate (|+16.7 %|)
    assert verdict.improved == (
        "Improved materially (2): Write-offs per month (-¥1.0M), Collection rate (+10.0 pp)."
    )
    assert verdict.worsened == "Worsened materially (1): Overdue 90+ days (+5.0 pp)."
    assert verdict.meaning == (
        "What it means: a mixed result — write-offs per month fell by ¥1.0M (¥2.0M → ¥1.0M), "
        "but overdue 90+ days rose by 5.0 pp (10.0 % → 15.0 %), at the cost of 55 fewer new "
        "contracts a month (172 → 117)."
    )
    assert verdict.jumps == []


def test_verdict_when_only_improvements_and_when_nothing_is_material():
    better = VERDICT_TABLE.filter(pl.col("metric") != "overdue_90p_share")
    verdict = narrative.verdict(better, VERDICT_COUNTED)
    assert verdict.worsened == "Worsened materially: none."
    assert verdict.meaning == (
        "What it means: the policy made the book safer — write-offs per month fell by ¥1.0M "
        "(¥2.0M → ¥1.0M), at the cost of 55 fewer new contracts a month (172 → 117)."
    )
    # only the two immaterial rows, and contracts not material: no cost clause
    quiet = VERDICT_TABLE.filter(pl.col("metric").is_in(["dso", "default_rate"])).vstack(
        pl.DataFrame(
            [judged("contracts", "count", 100.0, 95.0, False, False)], schema=BEFORE_AFTER_SCHEMA
        )
    )
    verdict = narrative.verdict(quiet, VERDICT_COUNTED)
    assert verdict.improved == "Improved materially: none."
    assert verdict.meaning == (
        "What it means: none of the 2 measures moved materially after the policy."
    )  # 5 counted keys, 2 of them in the table: the sentence counts the rows judged


def test_verdict_in_chinese():
    set_language("zh")
    verdict = narrative.verdict(VERDICT_TABLE, VERDICT_COUNTED)
    assert verdict.worsened == "显著恶化（1 项）：逾期 90 天以上（+5.0 个百分点）。"
    assert verdict.meaning.startswith("含义：效果好坏参半——")
    assert verdict.meaning.endswith("，代价是每月新增合同减少 55 份（172 → 117）。")


# Nine month-ends Jan-Sep 2025; Dec 2024 lies outside the compared months.
JUMP_MONTHS = tuple(
    D(d)
    for d in (
        "2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30", "2025-05-31",
        "2025-06-30", "2025-07-31", "2025-08-31", "2025-09-30",
    )
)  # fmt: skip
JUMP_FRAME = pl.DataFrame(
    {
        "as_of": [D("2024-12-31"), *JUMP_MONTHS],
        # changes +-10, then +90: 9x the median |change| of 10 -> a jump
        "write_offs": [9e9, 100.0, 110, 100, 110, 100, 110, 100, 110, 200],
        # changes +-10, then +30: exactly 3x -> not a jump (more than 3x is)
        "steady": [0.0, 0.0, 10, 0, 10, 0, 10, 0, 10, 40],
        # no change for seven months, then -2: a jump however small
        "flat": [0.0, 5.0, 5, 5, 5, 5, 5, 5, 5, 3],
        # only five values in the window: too few changes to judge
        "short": [0.0, None, None, None, None, 1.0, 1, 1, 1, 50],
        # the last month missing: nothing to judge
        "gone": [0.0, 1.0, 1, 1, 1, 1, 1, 1, 1, None],
        "new_defaults": [50, 1, 1, 1, 2, 1, 1, 1, 2, 9],
    }
)
JUMP_MEASURES = [
    ("write_offs", "write_offs", "money"),
    ("dso", "steady", "days"),
    ("high_share", "flat", "count"),
    ("contracts", "short", "count"),
    ("collection_rate", "gone", "share"),
]


def test_last_month_jumps_rule():
    jumps = narrative.last_month_jumps(JUMP_FRAME, JUMP_MEASURES, JUMP_MONTHS)
    assert [(j.metric, j.change, j.usual, j.ratio) for j in jumps] == [
        ("write_offs", 90.0, 10.0, 9.0),
        ("high_share", -2.0, 0.0, None),
    ]
    assert all(j.month == D("2025-09-30") for j in jumps)
    # a lower factor makes the steady measure's 3x move a jump too
    lower = narrative.last_month_jumps(JUMP_FRAME, JUMP_MEASURES, JUMP_MONTHS, factor=2.5)
    assert [j.metric for j in lower] == ["write_offs", "dso", "high_share"]


def test_jump_sentences_and_what_the_month_held():
    jumps = narrative.last_month_jumps(JUMP_FRAME, JUMP_MEASURES, JUMP_MONTHS)
    verdict = narrative.verdict(VERDICT_TABLE, VERDICT_COUNTED, jumps)
    assert verdict.jumps == [
        "In Sep 2025, write-offs per month rose by ¥90, 9.0× its usual monthly change (¥10).",
        "In Sep 2025, high-band exposure share fell by 2 after months without change.",
    ]
    # Sep against the median month of Jan-Aug: 1 new default, ¥105 written off
    movers = {
        "new_30": 12,
        "new_30_exposure": 2.5e6,
        "new_30_part_paid": 9,
        "new_defaults": 9,
        "largest_default": 4.0e5,
        "written_off": 200.0,
        "largest_write_off": 150.0,
    }
    assert narrative.jump_drivers(movers, JUMP_FRAME, D("2025-09-30"), JUMP_MONTHS) == (
        "In Sep 2025 the data shows: 12 customers went more than 30 days past due (¥2.5M of "
        "exposure), 9 of them with a part-paid instalment still owed; 9 customers entered default "
        "(usually 1), the largest with ¥400K of exposure; ¥200 was written off (usually ¥105), "
        "the largest customer's ¥150."
    )
    quiet = {**movers, "new_30": 0, "new_defaults": 0, "written_off": 0.0}
    assert narrative.jump_drivers(quiet, JUMP_FRAME, D("2025-09-30"), JUMP_MONTHS) == (
        "In Sep 2025 the data shows: no customer entered default (usually 1); nothing was written "
        "off (usually ¥105)."
    )


def test_the_meaning_names_the_loss_allowance_first_and_the_lever_last():
    table = pl.DataFrame(
        [
            # the policy's lever moved most (-80 %), the allowance less (-20 %), overdue -40 %
            judged("medium_high_share", "share", 0.05, 0.01, True, True),
            judged("overdue_30_share", "share", 0.10, 0.06, True, True),
            judged("allowance", "money", 5e6, 4e6, True, True),
        ],
        schema=BEFORE_AFTER_SCHEMA,
    )
    keys = ("medium_high_share", "overdue_30_share", "allowance")
    meaning = narrative.verdict(table, keys).meaning
    assert meaning == (
        "What it means: the policy made the book safer — loss allowance (IFRS 9) fell by ¥1.0M "
        "(¥5.0M → ¥4.0M)."
    )
    without_allowance = narrative.verdict(table.filter(pl.col("metric") != "allowance"), keys)
    assert "— overdue rate 30+ fell by 4.0 pp (10.0 % → 6.0 %)." in without_allowance.meaning
    lever_only = narrative.verdict(table.filter(pl.col("metric") == "medium_high_share"), keys)
    assert (
        "— new business to Medium/High band fell by 4.0 pp (5.0 % → 1.0 %)." in lever_only.meaning
    )


def test_a_measure_name_reads_lower_case_inside_a_sentence_but_keeps_its_abbreviations():
    assert narrative.inline("Overdue rate 30+") == "overdue rate 30+"
    assert narrative.inline("DSO") == "DSO"
    assert narrative.inline("PD-weighted exposure") == "PD-weighted exposure"
    assert narrative.inline("逾期率 30+") == "逾期率 30+"
    assert narrative.inline("") == ""
