"""Pandera models of the monitoring tables built on customer_month and the source tables.

Each model is registered under its table's name, so a query named after the table (or a test reading
it through the statement runner, data.runner) is validated against it. Money is in the reporting currency; shares
are 0-1; HHI is 0-10 000; counts are customers or payment rows. Floating sums may land a hair above a
bound (a top-20 share of 1.0000000000000002), hence the small tolerance on upper bounds.
"""

from __future__ import annotations

from datetime import date

import pandera.polars as pa

from schemas.results import register

TRIGGERS = [
    "overdue",
    "downgrade",
    "limit_breach",
    "legal",
    "operational",
    "rating_downgrade",
    "concentration",
]
GRADES = ["A", "B", "C", "D", "E"]
DIMENSIONS = ["customer", "industry", "region"]
SPELL_OUTCOMES = ["cured", "defaulted", "on_list"]
HORIZONS_MONTHS = [1, 3, 12]
FLOAT_SLACK = 1e-9


@register("concentration_month")
class ConcentrationMonth(pa.DataFrameModel):
    """One row per grid date x dimension: how concentrated exposure is over that dimension's groups."""

    as_of: date
    dimension: str = pa.Field(isin=DIMENSIONS)
    names: int = pa.Field(ge=0)
    total_exposure: float = pa.Field(ge=0)
    top1_share: float = pa.Field(nullable=True, ge=0, le=1 + FLOAT_SLACK)
    top5_share: float = pa.Field(nullable=True, ge=0, le=1 + FLOAT_SLACK)
    top10_share: float = pa.Field(nullable=True, ge=0, le=1 + FLOAT_SLACK)
    top20_share: float = pa.Field(nullable=True, ge=0, le=1 + FLOAT_SLACK)
    hhi: float = pa.Field(nullable=True, gt=0, le=10_000 * (1 + FLOAT_SLACK))
    effective_names: float = pa.Field(nullable=True, ge=1 - FLOAT_SLACK)
    gini: float = pa.Field(nullable=True, ge=-FLOAT_SLACK, le=1)
    single_name_breaches: int = pa.Field(ge=0)

    class Config:
        strict = True
        coerce = False
        unique = ["as_of", "dimension"]


@register("watchlist_month")
class WatchlistMonth(pa.DataFrameModel):
    """One row per grid date x trigger ('any' = on the watchlist): members, inflow and outflow."""

    as_of: date
    trigger: str = pa.Field(isin=[*TRIGGERS, "any"])
    members: int = pa.Field(ge=0)
    inflow: int = pa.Field(nullable=True, ge=0)  # null at the first grid date
    outflow: int = pa.Field(nullable=True, ge=0)

    class Config:
        strict = True
        coerce = False
        unique = ["as_of", "trigger"]


@register("watchlist_cube")
class WatchlistCube(pa.DataFrameModel):
    """One row per grid date x segment x region x industry x trigger with members or leavers."""

    as_of: date
    segment: str
    region: str
    industry: str
    trigger: str = pa.Field(isin=[*TRIGGERS, "any"])
    members: int = pa.Field(ge=0)
    inflow: int = pa.Field(ge=0)
    outflow: int = pa.Field(ge=0)

    class Config:
        strict = True
        coerce = False
        unique = ["as_of", "segment", "region", "industry", "trigger"]


@register("watchlist_spells")
class WatchlistSpells(pa.DataFrameModel):
    """One row per customer per continuous spell on the watchlist."""

    customer_id: str
    entered_on: date
    left_on: date = pa.Field(nullable=True)  # first grid date off the list; null while still on
    months_on: int = pa.Field(ge=1)  # grid dates in the spell
    entry_triggers: list[str]
    outcome: str = pa.Field(isin=SPELL_OUTCOMES)

    class Config:
        strict = True
        coerce = False
        unique = ["customer_id", "entered_on"]


@register("early_warning")
class EarlyWarning(pa.DataFrameModel):
    """One row per entry into default: whether, and how many months before it, the customer was on
    the list."""

    customer_id: str
    defaulted_on: date
    on_watchlist_before: bool
    first_flagged_on: date = pa.Field(nullable=True)
    lead_months: int = pa.Field(nullable=True, ge=0)

    class Config:
        strict = True
        coerce = False
        unique = ["customer_id", "defaulted_on"]


@register("collections_month")
class CollectionsMonth(pa.DataFrameModel):
    """One row per grid date x segment x region x industry: additive receivable amounts and flows.

    Money in the reporting currency; count_* are payment rows. Ratios (collection rate, DSO, CEI,
    roll rates) are left to the reading query so that filtered groups can be summed first.
    """

    as_of: date
    segment: str
    region: str
    industry: str
    receivables: float = pa.Field(ge=0)
    current_receivables: float = pa.Field(ge=0)
    overdue_1_30: float = pa.Field(ge=0)
    overdue_31_60: float = pa.Field(ge=0)
    overdue_61_90: float = pa.Field(ge=0)
    overdue_90p: float = pa.Field(ge=0)
    count_current: int = pa.Field(ge=0)
    count_1_30: int = pa.Field(ge=0)
    count_31_60: int = pa.Field(ge=0)
    count_61_90: int = pa.Field(ge=0)
    count_90p: int = pa.Field(ge=0)
    credit_sales: float = pa.Field(ge=0)
    credit_sales_90d: float = pa.Field(ge=0)
    collected: float = pa.Field(ge=0)
    written_off: float = pa.Field(ge=0)
    credited: float = pa.Field(ge=0)
    recovered: float = pa.Field(ge=0)
    due_in_period: float = pa.Field(ge=0)
    opening_overdue: float = pa.Field(ge=0)
    opening_receivables: float = pa.Field(ge=0)
    rolled_from_current: float = pa.Field(ge=0)
    rolled_from_1_30: float = pa.Field(ge=0)
    rolled_from_31_60: float = pa.Field(ge=0)
    rolled_from_61_90: float = pa.Field(ge=0)
    rolled_to_1_30: float = pa.Field(ge=0)
    rolled_to_31_60: float = pa.Field(ge=0)
    rolled_to_61_90: float = pa.Field(ge=0)
    rolled_to_90p: float = pa.Field(ge=0)

    class Config:
        strict = True
        coerce = False
        unique = ["as_of", "segment", "region", "industry"]


@register("rating_migration")
class RatingMigration(pa.DataFrameModel):
    """One row per month-end from-date x horizon x from_grade x to_grade: customers migrating."""

    from_as_of: date
    horizon_months: int = pa.Field(isin=HORIZONS_MONTHS)
    to_as_of: date
    from_grade: str = pa.Field(isin=GRADES)
    to_grade: str = pa.Field(isin=GRADES)
    customers: int = pa.Field(ge=0)

    class Config:
        strict = True
        coerce = False
        unique = ["from_as_of", "horizon_months", "from_grade", "to_grade"]
