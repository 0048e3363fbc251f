"""Contract draws of the demo generator: monthly signing, terms, defaults and contract life events.

Signing is a customer-by-month grid (warm-up year plus 36 history months) of Bernoulli draws, so the
credit policy can act on the months after it. Defaults come from a monthly hazard on the months in
which a customer has an open contract. Day numbers count days since 1970-01-01; NEVER marks "no
such day".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from data.generate_config import (
    AS_OF_END,
    COMMITTEE,
    DEFAULT_BASE,
    DEFAULT_SLOPE,
    DISPUTE_DAYS,
    DISPUTE_RATE,
    DOWNTURN_HAZARD,
    HISTORY_MONTHS,
    INDUSTRIES,
    OFFICERS,
    POLICY_INDEX,
    SIGNING_MONTHS,
    WARMUP_MONTHS,
    Scenario,
    add_months,
    day_number,
    downturn_months,
    month_index,
    month_start,
)
from data.generate_customers import CustomerDraws
from data.generate_random import KeyedRandom

NEVER = 10**9
AS_OF = day_number(AS_OF_END)
KEY_SPAN = 64  # keys of child entities: parent key * KEY_SPAN + child number (< KEY_SPAN)
POLICY_SIGNING = 0.3  # weak customers' signing rate after the policy, relative to before
POLICY_AMOUNT = 0.6  # weak customers' contract size after the policy, relative to before


@dataclass
class ContractDraws:
    """Per-contract arrays of one block, sorted by customer then signing month."""

    customer: np.ndarray  # position of the customer in the block
    key: np.ndarray  # random-draw key: customer number * KEY_SPAN + signing-month slot
    kind: np.ndarray  # index into scenario.kinds
    signed: np.ndarray  # day numbers
    start: np.ndarray
    end: np.ndarray
    term: np.ndarray  # months
    terms_days: np.ndarray  # payment terms, days after billing
    amount: np.ndarray  # CNY, principal or contract value
    repayable: np.ndarray  # CNY, total of the instalments (principal plus flat interest)
    interest_rate: np.ndarray  # yearly rate of a loan (share, 0.065 = 6.5 %); NaN for other kinds
    collateral: np.ndarray  # CNY
    approved_by: np.ndarray  # object array of names
    under_review: np.ndarray  # bool
    terminated: np.ndarray  # bool; end holds the termination day
    dispute_day: np.ndarray  # day the dispute began, NEVER if none
    dispute_settled: (
        np.ndarray
    )  # day it was settled (after the as-of date: still open), NEVER if none


def default_days(
    rng: KeyedRandom, scenario: Scenario, cust: CustomerDraws, start: np.ndarray,
    end: np.ndarray, owner: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """Day each customer defaults (NEVER if it does not), from a monthly hazard on open months.

    A month counts as open when a contract started before it and ends in or after it, so only
    customers with exposure can default.
    """
    n, months = len(cust.index), HISTORY_MONTHS
    first = np.clip(month_index(start) + 1, 0, months)
    last = np.clip(month_index(end) + 1, 0, months)
    flat = owner * (months + 1)
    steps = np.bincount(flat + first, minlength=n * (months + 1)) - np.bincount(
        flat + last, minlength=n * (months + 1)
    )
    open_months = np.cumsum(steps.reshape(n, months + 1), axis=1)[:, :months] > 0

    grid = np.arange(months)
    down_lo, down_hi = downturn_months(scenario)
    in_downturn = (cust.industry == INDUSTRIES.index(scenario.downturn_industry))[:, None] & (
        (grid >= down_lo) & (grid <= down_hi)
    )
    hazard = DEFAULT_BASE * np.exp(-DEFAULT_SLOPE * cust.quality)[:, None]
    hazard = hazard * np.where(in_downturn, DOWNTURN_HAZARD, 1.0)
    key = cust.index[:, None] * KEY_SPAN + grid[None, :]
    hit = open_months & rng.bernoulli("default", key, hazard)
    month = np.argmax(hit, axis=1)
    day = month_start(month) + rng.integers("default/day", cust.index, 0, 28)
    return np.where(hit.any(axis=1), day, NEVER)


def draw_contracts(
    rng: KeyedRandom, scenario: Scenario, cust: CustomerDraws
) -> tuple[ContractDraws, np.ndarray]:
    """Contracts of the block's customers and each customer's default day (NEVER if none)."""
    slots = np.arange(SIGNING_MONTHS)
    month = slots - WARMUP_MONTHS
    key = cust.index[:, None] * KEY_SPAN + slots[None, :]
    weak_after = cust.weak[:, None] & (month >= POLICY_INDEX)[None, :]
    rate = cust.sign_rate[:, None] * np.where(weak_after, POLICY_SIGNING, 1.0)
    first = cust.first_month[:, None]
    may_sign = (month > first) & (month <= cust.churn_month[:, None])
    signs = (month == first) | (may_sign & rng.bernoulli("sign", key, rate))
    owner, slot = np.nonzero(signs)
    ck, month = key[owner, slot], slot - WARMUP_MONTHS

    signed = month_start(month) + rng.integers("signed", ck, 0, 28)
    signed = np.where(
        month == cust.first_month[owner], np.maximum(signed, cust.onboarded[owner]), signed
    )
    start = signed + rng.integers("start", ck, 0, scenario.start_lag_days)
    term = np.array(scenario.terms_months)[rng.choice("term", ck, scenario.terms_weights)]
    closing = 0 if scenario.bill_in_arrears else 1  # loans end on the last instalment day
    end = add_months(start, term) - closing

    default_day = default_days(rng, scenario, cust, start, end, owner)
    # Nothing is signed once the customer has defaulted (its default month included).
    keep = signed < month_start(month_index(np.minimum(default_day, AS_OF))[owner])
    keep |= default_day[owner] == NEVER
    owner, ck, month, signed, start, term, end = (
        a[keep] for a in (owner, ck, month, signed, start, term, end)
    )
    quality, defaulter = cust.quality[owner], default_day[owner] < NEVER

    amount = (
        cust.revenue[owner]
        * scenario.amount_share
        * np.exp(0.5 * rng.normal("amount", ck) - 0.125)
        * term
        / 18.0
        * np.where(cust.weak[owner] & (month >= POLICY_INDEX), POLICY_AMOUNT, 1.0)
    )
    amount = np.round(np.maximum(amount, 5_000.0), 2)
    rate = np.where(
        scenario.interest_rate > 0,
        scenario.interest_rate + 0.02 * np.clip(-quality, -1.0, 2.5),
        0.0,
    )
    repayable = np.round(amount * (1.0 + rate * term / 12.0 * 0.55), 2)
    kind = rng.choice("kind", ck, scenario.kind_weights)
    lease = np.array([k == "lease" for k in scenario.kinds])[kind]
    secured = lease | rng.bernoulli("collateral", ck, scenario.collateral_share)
    # the rate is stored for loans only (contracts.interest_rate, which discounts their ECL); sales,
    # service and lease contracts are receivables and carry none
    loan = np.array([k == "loan" for k in scenario.kinds])[kind]
    interest_rate = np.where(loan & (rate > 0), np.round(rate, 4), np.nan)
    cover = np.where(
        lease,
        0.5 + 0.5 * rng.uniform("collateral/lease", ck),
        scenario.collateral_max * rng.uniform("collateral/share", ck),
    )
    collateral = np.round(np.where(secured, amount * cover, 0.0), 2)
    officers = np.array(OFFICERS, dtype=object)[rng.integers("officer", ck, 0, len(OFFICERS))]
    approved_by = np.where(amount >= scenario.committee_amount, COMMITTEE, officers)

    # Recently signed contracts still in review start after the as-of date and bill nothing yet.
    under_review = ~defaulter & (signed > AS_OF - 30) & rng.bernoulli("review", ck, 0.6)
    start = np.where(under_review, AS_OF + 1 + rng.integers("review/start", ck, 0, 31), start)
    end = np.where(under_review, add_months(start, term) - closing, end)

    terminated = ~defaulter & ~under_review & (start <= AS_OF - 90)
    terminated &= rng.bernoulli("terminated", ck, 0.025)
    span = np.minimum(end, AS_OF) - start
    stop = start + np.maximum(40, np.floor((0.2 + 0.7 * rng.uniform("terminated/day", ck)) * span))
    end = np.where(terminated, np.minimum(stop.astype(np.int64), np.minimum(end, AS_OF)), end)

    # Disputes over the contract's life (generate_config.DISPUTE_RATE), settled DISPUTE_DAYS later.
    first_day = np.maximum(start + 30, month_start(0))
    span = np.maximum(np.minimum(end, AS_OF - 10) - first_day, 0)
    chance = 1.0 - np.exp(-DISPUTE_RATE * np.exp(-0.5 * quality) * span / 365.25)
    disputed = ~defaulter & ~under_review & ~terminated & (span > 0)
    disputed &= rng.bernoulli("dispute", ck, chance)
    began = first_day + np.floor(rng.uniform("dispute/day", ck) * span).astype(np.int64)
    settled = began + rng.integers("dispute/days", ck, *DISPUTE_DAYS)
    contracts = ContractDraws(
        customer=owner,
        key=ck,
        kind=kind,
        signed=signed,
        start=start,
        end=end,
        term=term,
        terms_days=np.array(scenario.payment_terms)[
            rng.choice("payment-terms", ck, scenario.payment_terms_weights)
        ],
        amount=amount,
        repayable=repayable,
        interest_rate=interest_rate,
        collateral=collateral,
        approved_by=approved_by,
        under_review=under_review,
        terminated=terminated,
        dispute_day=np.where(disputed, began, NEVER),
        dispute_settled=np.where(disputed, settled, NEVER),
    )
    return contracts, default_day
