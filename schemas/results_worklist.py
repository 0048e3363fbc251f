"""Output models of the work queries (queries/worklist.py, queries/worklist_collections.py) and of
the SQL they read the warehouse with. Money in the reporting currency, days as whole numbers,
times in UTC. The worklog's codes are those of data/worklog_*.py.
"""

from __future__ import annotations

from datetime import date

import pandera.polars as pa
import polars as pl

from data.policy import BANDS, RANKINGS
from data.worklog_collections import CHANNELS, CONTACT_OUTCOMES, DISPUTE_REASONS, DISPUTE_STATES
from data.worklog_decisions import KINDS as DECISION_KINDS
from data.worklog_decisions import STATES as DECISION_STATES
from data.worklog_reviews import OUTCOMES, STATES
from schemas.results import register

GRADES = ["A", "B", "C", "D", "E"]
AGE_BUCKETS = ["0_30", "31_60", "61_90", "90p"]
PROMISE_STATUSES = ["open", "kept", "broken", "cancelled"]
UTC_TIME = pl.Datetime("us", "UTC")
# Sums of floating amounts can land a hair outside a bound.
SLACK = 1e-6


@register("worklist_customers")
class WorklistCustomers(pa.DataFrameModel):
    customer_id: str = pa.Field(unique=True)
    name: str
    region: str = pa.Field(nullable=True)
    owner: str = pa.Field(nullable=True)
    credit_limit: float = pa.Field(nullable=True, ge=0)
    as_of: date = pa.Field(nullable=True)


@register("worklist_alerts")
class WorklistAlerts(pa.DataFrameModel):
    """One row per watchlist spell: (customer_id, alert_on) is the alert's key."""

    customer_id: str
    name: str
    region: str
    segment: str
    industry: str
    owner: str
    alert_on: date
    entered_on: date
    left_on: date = pa.Field(nullable=True)
    triggers: list[str]
    band: str = pa.Field(nullable=True, isin=list(BANDS))
    due_on: date = pa.Field(nullable=True)

    @pa.dataframe_check(name="one_row_per_alert")
    def unique_alert(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(~pl.struct("customer_id", "alert_on").is_duplicated())


@register("worklist_alert_reviews")
class WorklistAlertReviews(WorklistAlerts):
    item_id: pl.Int64 = pa.Field(nullable=True)
    version: pl.Int64 = pa.Field(ge=0)
    state: str = pa.Field(isin=list(STATES))
    assignee: str = pa.Field(nullable=True)
    outcome: str = pa.Field(nullable=True, isin=list(OUTCOMES))
    note: str
    updated_by: str = pa.Field(nullable=True)
    updated_at: UTC_TIME = pa.Field(nullable=True)
    age_days: pl.Int64
    age_bucket: str = pa.Field(isin=AGE_BUCKETS)
    overdue: bool


@register("worklist_decisions")
class WorklistDecisions(pa.DataFrameModel):
    item_id: pl.Int64 = pa.Field(unique=True)
    review_id: str = pa.Field(unique=True, str_startswith="DEC-")
    customer_id: str
    name: str = pa.Field(nullable=True)
    region: str = pa.Field(nullable=True)
    decision: str = pa.Field(nullable=True, isin=list(DECISION_KINDS))
    new_limit: float = pa.Field(nullable=True, ge=0)
    previous_limit: float = pa.Field(nullable=True, ge=0)
    reason: str
    alert_on: date = pa.Field(nullable=True)
    effective_on: date = pa.Field(nullable=True)
    state: str = pa.Field(isin=list(DECISION_STATES))
    version: pl.Int64 = pa.Field(ge=1)
    requested_by: str = pa.Field(nullable=True)
    requested_at: UTC_TIME = pa.Field(nullable=True)
    decided_by: str = pa.Field(nullable=True)
    decided_at: UTC_TIME = pa.Field(nullable=True)
    note: str
    may_decide: bool
    why_not: str


@register("worklist_history")
class WorklistHistory(pa.DataFrameModel):
    """One row per stored version; read defensively, so values are not checked against codes
    (a row written by hand shows with its `problem`)."""

    item_id: pl.Int64
    kind: str
    customer_id: str
    alert_on: date = pa.Field(nullable=True)
    version: pl.Int64
    state: str
    fields: str
    note: str
    author: str = pa.Field(nullable=True)
    role: str = pa.Field(nullable=True)
    at: UTC_TIME = pa.Field(nullable=True)
    problem: str


@register("worklist_promises")
class WorklistPromises(pa.DataFrameModel):
    item_id: pl.Int64 = pa.Field(unique=True)
    customer_id: str
    name: str = pa.Field(nullable=True)
    region: str = pa.Field(nullable=True)
    amount: float = pa.Field(gt=0)
    promised_on: date
    made_on: date
    paid_since: float = pa.Field(ge=0)
    status: str = pa.Field(isin=PROMISE_STATUSES)
    state: str = pa.Field(isin=["open", "cancelled"])
    version: pl.Int64 = pa.Field(ge=1)
    author: str = pa.Field(nullable=True)
    at: UTC_TIME = pa.Field(nullable=True)
    note: str


@register("worklist_contacts")
class WorklistContacts(pa.DataFrameModel):
    item_id: pl.Int64 = pa.Field(unique=True)
    customer_id: str
    name: str = pa.Field(nullable=True)
    region: str = pa.Field(nullable=True)
    channel: str = pa.Field(nullable=True, isin=list(CHANNELS))
    outcome: str = pa.Field(nullable=True, isin=list(CONTACT_OUTCOMES))
    contacted_on: date = pa.Field(nullable=True)
    note: str
    author: str = pa.Field(nullable=True)
    at: UTC_TIME = pa.Field(nullable=True)


@register("worklist_disputes")
class WorklistDisputes(pa.DataFrameModel):
    item_id: pl.Int64 = pa.Field(unique=True)
    customer_id: str
    name: str = pa.Field(nullable=True)
    region: str = pa.Field(nullable=True)
    reason: str = pa.Field(nullable=True, isin=list(DISPUTE_REASONS))
    amount: float = pa.Field(nullable=True, gt=0)
    state: str = pa.Field(isin=list(DISPUTE_STATES))
    version: pl.Int64 = pa.Field(ge=1)
    opened_by: str = pa.Field(nullable=True)
    opened_at: UTC_TIME = pa.Field(nullable=True)
    note: str


@register("worklist_overdue_customers")
class WorklistOverdueCustomers(pa.DataFrameModel):
    """One row per customer with an overdue amount at the as-of date (unranked)."""

    customer_id: str = pa.Field(unique=True)
    name: str
    region: str
    segment: str
    industry: str
    owner: str
    grade: str = pa.Field(isin=GRADES)
    exposure: float = pa.Field(ge=0)
    expected_loss: float = pa.Field(ge=0)
    overdue_amount: float = pa.Field(gt=0)
    max_dpd: pl.Int32 = pa.Field(ge=0)
    receivables: float = pa.Field(ge=-SLACK)
    current_receivables: float = pa.Field(ge=-SLACK)
    overdue_1_30: float = pa.Field(ge=-SLACK)
    overdue_31_60: float = pa.Field(ge=-SLACK)
    overdue_61_90: float = pa.Field(ge=-SLACK)
    overdue_90p: float = pa.Field(ge=-SLACK)
    credit_sales_90d: float = pa.Field(ge=0)
    dso: float = pa.Field(nullable=True, ge=0)
    best_possible_dso: float = pa.Field(nullable=True, ge=0)
    average_days_delinquent: float = pa.Field(nullable=True, ge=-SLACK)


@register("worklist_collections")
class WorklistCollections(WorklistOverdueCustomers):
    """The ranked worklist: rank 1 is worked first."""

    rank: pl.Int64 = pa.Field(ge=1, unique=True)
    ranking: str = pa.Field(isin=list(RANKINGS))
    rank_value: float = pa.Field(ge=0)
    broken_promises: pl.Int64 = pa.Field(ge=0)
    open_promises: pl.Int64 = pa.Field(ge=0)
    promised_amount: float = pa.Field(ge=0)
    open_disputes: pl.Int64 = pa.Field(ge=0)
    last_contact_on: date = pa.Field(nullable=True)
    last_contact_outcome: str = pa.Field(nullable=True, isin=list(CONTACT_OUTCOMES))


@register("worklist_payments_since")
class WorklistPaymentsSince(pa.DataFrameModel):
    customer_id: str
    since_on: date
    paid_since: float = pa.Field(ge=0)


@register("worklist_counts")
class WorklistCounts(pa.DataFrameModel):
    """One row: the Overview's numbers about acting on risk."""

    open_alerts: pl.Int64 = pa.Field(ge=0)
    open_alerts_0_30: pl.Int64 = pa.Field(ge=0)
    open_alerts_31_60: pl.Int64 = pa.Field(ge=0)
    open_alerts_61_90: pl.Int64 = pa.Field(ge=0)
    open_alerts_90p: pl.Int64 = pa.Field(ge=0)
    unassigned_alerts: pl.Int64 = pa.Field(ge=0)
    reviews_overdue: pl.Int64 = pa.Field(ge=0)
    decisions_pending: pl.Int64 = pa.Field(ge=0)
    decisions_awaiting_user: pl.Int64 = pa.Field(ge=0)
    promises_open: pl.Int64 = pa.Field(ge=0)
    promises_broken_this_month: pl.Int64 = pa.Field(ge=0)
    disputes_open: pl.Int64 = pa.Field(ge=0)

    @pa.dataframe_check(name="one_row")
    def one_row(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.len() == 1)
