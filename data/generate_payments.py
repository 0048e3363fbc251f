"""Payment rows of the demo generator, and the contract statuses and reviews they imply.

One row per monthly invoice (manufacturer) or instalment (lender). Lateness grows as quality falls,
in the downturn and in the months before a default, and shrinks after the credit-policy change.
Anything not paid by AS_OF_END has no paid_on and amount_paid 0. Day numbers count from 1970-01-01.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from data.generate_config import (
    DOWNTURN_LATE,
    INDUSTRIES,
    LATE_CAP,
    LATE_LOGIT,
    LATE_SCALE,
    LATE_SCALE_SLOPE,
    LATE_SLOPE,
    POLICY_LATE,
    POLICY_MONTH,
    STRESS_DAYS,
    STRESS_LATE,
    Scenario,
    add_months,
    day_number,
    month_index,
)
from data.generate_contracts import AS_OF, KEY_SPAN, NEVER, ContractDraws
from data.generate_customers import CustomerDraws
from data.generate_random import KeyedRandom

CONTRACT_STATUSES = ("under_review", "active", "completed", "terminated", "in_dispute", "defaulted")
NULL_DAY = -(10**9)  # marks a null date in day-number arrays


@dataclass
class PaymentDraws:
    """Per-row arrays of one block, sorted by contract then instalment."""

    contract: np.ndarray  # position of the contract in the block
    due: np.ndarray  # day numbers
    amount_due: np.ndarray  # CNY
    paid: np.ndarray  # day number, NULL_DAY if unpaid at AS_OF_END
    amount_paid: np.ndarray  # CNY


def draw_payments(
    rng: KeyedRandom, scenario: Scenario, cust: CustomerDraws, con: ContractDraws,
    default_day: np.ndarray,
) -> PaymentDraws:  # fmt: skip
    """The invoices or instalments of every contract, with when and how much was paid."""
    count = np.where(con.under_review, 0, con.term)
    row_contract = np.repeat(np.arange(len(count)), count)
    number = np.arange(len(row_contract)) - np.repeat(np.cumsum(count) - count, count)
    bill = add_months(con.start[row_contract], number + int(scenario.bill_in_arrears))
    keep = ~con.terminated[row_contract] | (bill <= con.end[row_contract])
    row_contract, number, bill = row_contract[keep], number[keep], bill[keep]
    key = con.key[row_contract] * KEY_SPAN + number
    due = bill + con.terms_days[row_contract]

    if scenario.bill_in_arrears:
        share = 1.0 / con.term[row_contract]
    else:
        # Monthly sales vary around the contract's average; shares still sum to one per contract.
        weight = np.exp(0.3 * rng.normal("invoice", key))
        total = np.bincount(row_contract, weight, minlength=len(count))
        share = weight / total[row_contract]
    amount_due = np.maximum(np.round(con.repayable[row_contract] * share, 2), 0.01)

    owner = con.customer[row_contract]
    quality, defaults_on = cust.quality[owner], default_day[owner]
    after_policy = due >= day_number(POLICY_MONTH)
    downturn = (cust.industry[owner] == INDUSTRIES.index(scenario.downturn_industry)) & (
        (due >= day_number(scenario.downturn_start)) & (due <= day_number(scenario.downturn_end))
    )
    stressed = (due >= defaults_on - STRESS_DAYS) & (due < defaults_on)
    logit = LATE_LOGIT - LATE_SLOPE * quality + 0.9 * downturn + 1.5 * stressed - 0.4 * after_policy
    late = rng.uniform("late", key) < 1.0 / (1.0 + np.exp(-logit))
    scale = (
        LATE_SCALE
        * np.exp(-LATE_SCALE_SLOPE * quality)
        * np.where(downturn, DOWNTURN_LATE, 1.0)
        * np.where(after_policy, POLICY_LATE, 1.0)
        * np.where(stressed, STRESS_LATE, 1.0)
    )
    raw = scale * rng.exponential("late/days", key)
    days_late = np.ceil(LATE_CAP * np.tanh(raw / LATE_CAP)).astype(np.int64)
    early = -rng.integers("early", key, 0, 6)  # good payers settle up to five days early
    paid = due + np.where(late, np.maximum(days_late, 1), early)

    # A defaulter pays nothing from its default day; a disputed contract nothing due after the
    # dispute began; and nothing is paid after the as-of date.
    unpaid = (paid >= defaults_on) | (due >= con.dispute_day[row_contract]) | (paid > AS_OF)
    # Part-payments on recent invoices only: an old unpaid remainder would read as a default.
    partial = ~unpaid & (due >= AS_OF - 85)
    partial &= rng.bernoulli("partial", key, 0.06 * np.exp(-0.4 * quality))
    fraction = np.where(partial, 0.3 + 0.6 * rng.uniform("partial/share", key), 1.0)
    amount_paid = np.where(unpaid, 0.0, np.round(amount_due * fraction, 2))
    return PaymentDraws(
        contract=row_contract,
        due=due,
        amount_due=amount_due,
        paid=np.where(unpaid, NULL_DAY, paid),
        amount_paid=amount_paid,
    )


def contract_status(
    rng: KeyedRandom, con: ContractDraws, pay: PaymentDraws, default_day: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Status code (index into CONTRACT_STATUSES) and last review day (NULL_DAY if none).

    Defaulted: the customer defaulted while the contract was open or owing. Completed: ended and
    paid in full. Reviews are yearly from signing; some contracts missed their last review.
    """
    n = len(con.key)
    owing = np.bincount(pay.contract, pay.amount_due - pay.amount_paid > 0.0, minlength=n) > 0
    defaults_on = default_day[con.customer]
    defaulted = (defaults_on < NEVER) & ((con.end >= defaults_on) | owing)
    disputed = con.dispute_day < NEVER
    completed = (con.end <= AS_OF) & ~owing
    status = np.select(
        [con.under_review, defaulted, con.terminated, disputed, completed],
        [0, 5, 3, 4, 2],
        default=1,
    )

    closed = (status == 2) | (status == 3)
    horizon = np.where(closed, np.minimum(con.end, AS_OF), AS_OF)
    years = (month_index(horizon) - month_index(con.signed)) // 12
    # About 15 % missed their latest yearly review: overdue for review on the dashboard.
    missed = (years >= 1) & rng.bernoulli("review/missed", con.key, 0.15)
    review = add_months(con.signed, 12 * (years - missed))
    review = np.clip(review + rng.integers("review/day", con.key, 0, 15), con.signed, horizon)
    review = np.select(
        [status == 0, status == 5, status == 4],
        [NULL_DAY, np.maximum(defaults_on, con.signed), con.dispute_day],
        default=review,
    )
    return status, review
