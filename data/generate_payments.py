"""Payment rows of the demo generator, and the contract statuses and reviews they imply.

One row per monthly invoice (manufacturer) or instalment (lender). Lateness grows as quality falls,
in the downturn and in the months before a default, and shrinks after the credit-policy change.
A defaulter pays nothing from its default day, unless it is one of the curers: those pay their
arrears late (past 90 days) and then on time. Anything not paid by AS_OF_END has no paid_on and
amount_paid 0. Day numbers count from 1970-01-01.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from data.generate_config import (
    CREDIT_HOLD_DAYS,
    CURE_LAG_DAYS,
    CURE_QUALITY_SLOPE,
    CURE_SHARE,
    DOWNTURN_LATE,
    INDUSTRIES,
    LATE_CAP,
    LATE_LOGIT,
    LATE_SCALE,
    LATE_SCALE_SLOPE,
    LATE_SLOPE,
    LONG_CURE_LAG_DAYS,
    LONG_CURE_SHARE,
    PARTIAL_DAYS,
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
SCHEDULED_KINDS = ("loan", "lease")  # owed from the contract start; other kinds once invoiced


@dataclass
class PaymentDraws:
    """Per-row arrays of one block, sorted by contract then instalment."""

    contract: np.ndarray  # position of the contract in the block
    key: np.ndarray  # random-draw key: contract key * KEY_SPAN + instalment number
    scheduled: np.ndarray  # bool: a loan or lease instalment (owed from the contract start)
    issued: np.ndarray  # day the row is owed: invoice day, or the contract start if scheduled
    due: np.ndarray  # day numbers
    amount_due: np.ndarray  # CNY
    paid: np.ndarray  # day number, NULL_DAY if unpaid at AS_OF_END
    amount_paid: np.ndarray  # CNY


def curers(
    rng: KeyedRandom, cust: CustomerDraws, default_day: np.ndarray, filed: np.ndarray
) -> np.ndarray:
    """Defaulters (without a bankruptcy filing) that will pay their arrears and cure, per customer."""
    share = np.minimum(CURE_SHARE * np.exp(CURE_QUALITY_SLOPE * cust.quality), 0.9)
    return (default_day < NEVER) & ~filed & rng.bernoulli("cure", cust.index, share)


def draw_payments(
    rng: KeyedRandom, scenario: Scenario, cust: CustomerDraws, con: ContractDraws,
    default_day: np.ndarray, cures: np.ndarray,
) -> PaymentDraws:  # fmt: skip
    """The invoices or instalments of every contract, with when and how much was paid.

    `cures` marks the defaulters that pay their arrears late and then on time (see `curers`)."""
    count = np.where(con.under_review, 0, con.term)
    row_contract = np.repeat(np.arange(len(count)), count)
    number = np.arange(len(row_contract)) - np.repeat(np.cumsum(count) - count, count)
    bill = add_months(con.start[row_contract], number + int(scenario.bill_in_arrears))
    keep = ~con.terminated[row_contract] | (bill <= con.end[row_contract])
    # Credit hold: a defaulter (not a curer) gets no invoice billed more than CREDIT_HOLD_DAYS after
    # it stopped paying (deliveries stop); loan and lease instalments keep falling due.
    scheduled = np.isin(np.array(scenario.kinds)[con.kind], SCHEDULED_KINDS)[row_contract]
    owner = con.customer[row_contract]
    held = ~scheduled & ~cures[owner] & (bill > default_day[owner] + CREDIT_HOLD_DAYS)
    unbilled = np.nonzero(keep & held)[0]
    held_contract, held_number = row_contract[unbilled], number[unbilled]
    rows = np.nonzero(keep & ~held)[0]
    row_contract, number, bill, scheduled, owner = (
        a[rows] for a in (row_contract, number, bill, scheduled, owner)
    )
    key = con.key[row_contract] * KEY_SPAN + number
    due = bill + con.terms_days[row_contract]

    if scenario.bill_in_arrears:
        share = 1.0 / con.term[row_contract]
    else:
        # Monthly sales vary around the contract's average; shares sum to one per contract, the
        # invoices the credit hold left unbilled included.
        weight = np.exp(0.3 * rng.normal("invoice", key))
        total = np.bincount(row_contract, weight, minlength=len(count))
        held_key = con.key[held_contract] * KEY_SPAN + held_number
        total += np.bincount(
            held_contract, np.exp(0.3 * rng.normal("invoice", held_key)), minlength=len(count)
        )
        share = weight / total[row_contract]
    amount_due = np.maximum(np.round(con.repayable[row_contract] * share, 2), 0.01)

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
    paid, defaults_on = _cure(rng, cust, owner, due, paid, defaults_on, early, cures)
    # A disputed contract withholds what falls due while the dispute lasts and pays it on the day
    # the dispute is settled (after the as-of date when it is still open).
    settled = con.dispute_settled[row_contract]
    withheld = (due >= con.dispute_day[row_contract]) & (due < settled)
    paid = np.where(withheld, np.maximum(paid, settled), paid)

    # A defaulter pays nothing from its default day, and nothing is paid after the as-of date.
    unpaid = (paid >= defaults_on) | (paid > AS_OF)
    # Part-payments on the last weeks' invoices only, their remainder still within 30 days past due
    # at the as-of date: an older one would have been chased and settled by then, and leaving it
    # open would push a sixth of the lender's good borrowers past 30 days in the last two months.
    partial = ~unpaid & (due >= AS_OF - PARTIAL_DAYS)
    partial &= rng.bernoulli("partial", key, 0.06 * np.exp(-0.4 * quality))
    fraction = np.where(partial, 0.3 + 0.6 * rng.uniform("partial/share", key), 1.0)
    amount_paid = np.where(unpaid, 0.0, np.round(amount_due * fraction, 2))
    return PaymentDraws(
        contract=row_contract,
        key=key,
        scheduled=scheduled,
        issued=np.where(scheduled, con.start[row_contract], bill),
        due=due,
        amount_due=amount_due,
        paid=np.where(unpaid, NULL_DAY, paid),
        amount_paid=amount_paid,
    )


def _cure(
    rng: KeyedRandom, cust: CustomerDraws, owner: np.ndarray, due: np.ndarray, paid: np.ndarray,
    defaults_on: np.ndarray, early: np.ndarray, cures: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Payment days with the curers' arrears paid late and their later rows on time, and the
    default day per row with curers' rows never defaulting.

    A curer stops paying on its default day like any defaulter; its arrears (rows it would have paid
    on or after that day) are settled on one day, CURE_LAG_DAYS (for some LONG_CURE_LAG_DAYS) after
    the oldest of them fell due; rows due after that are paid on time."""
    rows = np.nonzero(cures[owner])[0]
    who, row_due = owner[rows], due[rows]
    stopped = paid[rows] >= defaults_on[rows]
    oldest = np.full(len(cust.index), NEVER, dtype=np.int64)
    np.minimum.at(oldest, who[stopped], row_due[stopped])
    long = rng.bernoulli("cure/long", cust.index, LONG_CURE_SHARE)
    lag = np.where(
        long,
        rng.integers("cure/long-lag", cust.index, *LONG_CURE_LAG_DAYS),
        rng.integers("cure/lag", cust.index, *CURE_LAG_DAYS),
    )
    cure_on = np.where(oldest < NEVER, oldest + lag, NEVER)[who]
    paid, defaults_on = paid.copy(), defaults_on.copy()
    paid[rows] = np.select(
        [stopped & (row_due < cure_on), row_due >= cure_on],
        [cure_on, row_due + early[rows]],
        default=paid[rows],
    )
    defaults_on[rows] = NEVER
    return paid, defaults_on


def contract_status(
    rng: KeyedRandom, con: ContractDraws, pay: PaymentDraws, default_day: np.ndarray,
    owed: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Status code (index into CONTRACT_STATUSES) and last review day (NULL_DAY if none).

    `owed` is what each payment row still owes at AS_OF_END (after credit notes and write-offs).
    Defaulted: the customer defaulted while the contract was open or owing. In dispute: a dispute
    still open at the as-of date. Completed: ended with nothing owed. Reviews are yearly from signing; some contracts missed their last review.
    """
    n = len(con.key)
    owing = np.bincount(pay.contract, owed > 0.005, minlength=n) > 0
    defaults_on = default_day[con.customer]
    defaulted = (defaults_on < NEVER) & ((con.end >= defaults_on) | owing)
    disputed = (con.dispute_day <= AS_OF) & (con.dispute_settled > AS_OF)  # still open
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
