"""Credit reviews of the demo generator: the limit and rating in force from each review's date.

Most customers (REVIEWED_SHARE) have a review history: yearly reviews on the anniversaries of their
onboarding (the first one no later than history opens, so every month of history has a limit in
force), each setting the limit from the peak exposure of the REVIEW_HORIZON_MONTHS it is set for
(the business planned with the customer) at the customer's utilisation target; a rating downgrade
is followed by a cut and the lowered rating, a default (without cure) by a deeper cut and the
default-range rating. The limit is set with a look at the coming year's exposure: generated data,
where the business "planned with the customer" is the business that happened.
The last review's limit and rating are the customer's values today (customers.credit_limit and
external_rating); the ratings are chained backwards from them, each downgrade one or two notches.
Day numbers count days since 1970-01-01.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from data.generate_config import (
    COMMITTEE,
    DEFAULT_CUT,
    DEFAULT_REVIEW_LAG_DAYS,
    DOWNGRADE_CUT,
    HISTORY_MONTHS,
    LIMIT_FLOOR,
    OFFICERS,
    RATINGS,
    REVIEW_CONFIRM_BAND,
    REVIEW_HORIZON_MONTHS,
    REVIEW_LAG_DAYS,
    REVIEW_MISSED_SHARE,
    REVIEWED_SHARE,
    WARMUP_MONTHS,
    Scenario,
    add_months,
    month_index,
    month_start,
)
from data.generate_contracts import AS_OF, KEY_SPAN, NEVER
from data.generate_customers import CustomerDraws
from data.generate_events import EventDraws
from data.generate_payments import NULL_DAY, PaymentDraws
from data.generate_random import KeyedRandom

# Month-start columns of the exposure grid: from the warm-up's first month to the last of history.
GRID_FIRST = -WARMUP_MONTHS
GRID_MONTHS = WARMUP_MONTHS + HISTORY_MONTHS
PERIODIC, DOWNGRADE, DEFAULT = 0, 1, 2  # review types (and their order on one day)
REVIEW_NOTES = (
    "Limit set at onboarding",
    "Annual review: limit confirmed",
    "Annual review: limit raised",
    "Annual review: limit lowered",
    "Limit cut after rating downgrade",
    "Limit cut after default",
)
_ONBOARDING, _CONFIRMED, _RAISED, _LOWERED, _CUT, _DEFAULTED = range(6)


@dataclass
class ReviewDraws:
    """Per-review arrays of one block, sorted by customer then day."""

    customer: np.ndarray  # position of the customer in the block
    day: np.ndarray  # effective day numbers
    limit: np.ndarray  # CNY
    rating: np.ndarray  # object array: a RATINGS label, or None (rating unchanged)
    decided_by: np.ndarray  # object array of names
    note: np.ndarray  # index into REVIEW_NOTES


def exposure_grid(
    pay: PaymentDraws, owner: np.ndarray, written_day: np.ndarray, n: int
) -> np.ndarray:
    """Exposure per customer (rows) at each month start (columns, GRID_FIRST on): a row counts from
    the day it is owed until it is paid or written off (`written_day`, NEVER if not)."""
    settle = np.where(pay.paid != NULL_DAY, pay.paid, written_day)
    starts = month_start(np.arange(GRID_FIRST, GRID_FIRST + GRID_MONTHS))
    first = np.searchsorted(starts, pay.issued)  # the first month start on or after the issue
    last = np.searchsorted(starts, settle)  # ... on or after settlement: no longer counted
    width = GRID_MONTHS + 1
    steps = np.bincount(owner * width + first, pay.amount_due, minlength=n * width)
    steps -= np.bincount(owner * width + last, pay.amount_due, minlength=n * width)
    return np.cumsum(steps.reshape(n, width), axis=1)[:, :GRID_MONTHS]


def draw_reviews(
    rng: KeyedRandom, scenario: Scenario, cust: CustomerDraws, events: EventDraws,
    default_day: np.ndarray, grid: np.ndarray, use: np.ndarray, by_size: np.ndarray,
    grades: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> tuple[ReviewDraws, np.ndarray]:  # fmt: skip
    """Reviews of the block's customers and, per customer, the limit in force today (NaN for a
    customer without reviews).

    `default_day` holds the defaults that do not cure (NEVER otherwise); `grid` the exposure at
    month starts (exposure_grid); `use` the utilisation target; `by_size` the limit of a customer
    without exposure; `grades` (performing, today, unrated) from rating_grades.
    """
    n, idx = len(cust.index), cust.index
    reviewed = rng.bernoulli("review/history", idx, REVIEWED_SHARE)
    defaulted = (default_day < NEVER) & reviewed
    default_on = np.minimum(
        default_day + rng.integers("review/default-lag", idx, *DEFAULT_REVIEW_LAG_DAYS), AS_OF
    )
    default_on = np.where(defaulted, default_on, NEVER)

    # Yearly reviews from the last anniversary of onboarding before history opens (or onboarding).
    since = month_index(cust.onboarded)
    k0 = np.maximum(0, -((since + 12) // 12))  # ceil((-12 - since) / 12), at least 0
    number = np.arange(5)
    k = k0[:, None] + number[None, :]
    slot_key = idx[:, None] * KEY_SPAN + number[None, :]
    day = add_months(np.repeat(cust.onboarded, 5), 12 * k.ravel()).reshape(n, 5)
    day = np.where(number > 0, day + rng.integers("review/day", slot_key, 0, 15), day)
    keep = reviewed[:, None] & (day <= AS_OF) & (day < default_on[:, None])
    keep &= (number[None, :] == 0) | ~rng.bernoulli("review/missed", slot_key, REVIEW_MISSED_SHARE)
    p_customer, p_slot = np.nonzero(keep)
    p_day = day[p_customer, p_slot]
    opening = np.where(k[p_customer, p_slot] == 0, _ONBOARDING, _CONFIRMED)
    opening = np.where(p_slot == 0, opening, -1)

    # A downgrade is followed by a cut; the lowered rating until a default review sets its own.
    down = np.nonzero(events.kind == "rating_downgrade")[0]
    d_customer = events.customer[down]
    d_day = events.day[down] + rng.integers(
        "review/downgrade-lag", events.key[down], *REVIEW_LAG_DAYS
    )
    d_keep = reviewed[d_customer] & (d_day <= AS_OF)
    d_customer, d_day, d_key = d_customer[d_keep], d_day[d_keep], events.key[down][d_keep]
    d_notches = 1 + (events.severity[down][d_keep] >= 4)
    d_rated = d_day < default_on[d_customer]
    d_cut = _share(rng, "review/downgrade-cut", d_key, DOWNGRADE_CUT)

    f_customer = np.nonzero(defaulted)[0]
    f_cut = _share(rng, "review/default-cut", idx[f_customer], DEFAULT_CUT)

    customer = np.concatenate([p_customer, d_customer, f_customer])
    kind = np.concatenate(
        [np.full(len(p_customer), PERIODIC), np.full(len(d_customer), DOWNGRADE),
         np.full(len(f_customer), DEFAULT)]
    )  # fmt: skip
    on = np.concatenate([p_day, d_day, default_on[f_customer]])
    cut = np.concatenate([np.zeros(len(p_customer)), d_cut, f_cut])
    notches = np.concatenate(
        [np.zeros(len(p_customer), np.int64), d_notches * d_rated,
         np.zeros(len(f_customer), np.int64)]
    )  # fmt: skip
    first_note = np.concatenate(
        [opening, np.full(len(d_customer), -1), np.full(len(f_customer), -1)]
    )
    order = np.lexsort((kind, on, customer))
    customer, kind, on, cut, notches, first_note = (
        a[order] for a in (customer, kind, on, cut, notches, first_note)
    )
    start = np.searchsorted(customer, customer)
    position = np.arange(len(customer)) - start
    key = idx[customer] * KEY_SPAN + position

    limit, note = _limits(kind, customer, position, on, cut, first_note, n, grid, use, by_size)
    rating = _ratings(kind, customer, notches, position, grades)
    officers = np.array(OFFICERS, dtype=object)[
        rng.integers("review/officer", key, 0, len(OFFICERS))
    ]
    decided_by = np.where(limit >= scenario.committee_amount, COMMITTEE, officers)
    last = np.append(customer[1:] != customer[:-1], True)  # each customer's latest review
    today = np.full(n, np.nan)
    today[customer[last]] = limit[last]
    return (
        ReviewDraws(
            customer=customer, day=on, limit=limit, rating=rating, decided_by=decided_by,
            note=note,
        ),
        today,
    )  # fmt: skip


def _share(rng: KeyedRandom, stream: str, key: np.ndarray, bounds: tuple[float, float]):
    low, high = bounds
    return low + (high - low) * rng.uniform(stream, key)


def _limits(
    kind: np.ndarray, customer: np.ndarray, position: np.ndarray, on: np.ndarray,
    cut: np.ndarray, first_note: np.ndarray, n: int, grid: np.ndarray, use: np.ndarray,
    by_size: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """The limit each review sets and its note, review by review in each customer's order (a loop
    over the position within a customer, vectorised over customers)."""
    # the peak exposure of the year the limit is set for (the business planned with the customer)
    ahead = grid.copy()
    for shift in range(1, REVIEW_HORIZON_MONTHS):
        np.maximum(ahead[:, :-shift], grid[:, shift:], out=ahead[:, :-shift])
    column = np.clip(month_index(on) - GRID_FIRST, 0, GRID_MONTHS - 1)
    planned = ahead[customer, column]
    target = np.where(planned > 0, planned / use[customer], by_size[customer])
    target = np.maximum(np.round(target, -3), LIMIT_FLOOR)

    limit = np.zeros(len(customer))
    note = np.zeros(len(customer), dtype=np.int64)
    prev = np.full(n, np.nan)
    cut_since = np.zeros(n, dtype=bool)
    for step in range(int(position.max(initial=-1)) + 1):
        rows = np.nonzero(position == step)[0]
        who, before = customer[rows], prev[customer[rows]]
        periodic = kind[rows] == PERIODIC
        known = ~np.isnan(before)
        base = np.where(known, before, target[rows])
        steady = np.abs(target[rows] / base - 1) < REVIEW_CONFIRM_BAND
        renewed = np.select(
            [~known, cut_since[who], steady],
            [target[rows], np.minimum(target[rows], base), base],
            default=target[rows],
        )
        lowered = np.floor(base * (1 - cut[rows]) / 100) * 100
        new = np.where(periodic, renewed, lowered)
        note[rows] = np.select(
            [periodic & (first_note[rows] >= 0), periodic & (new > base),
             periodic & (new < base), periodic, kind[rows] == DOWNGRADE],
            [first_note[rows], _RAISED, _LOWERED, _CONFIRMED, _CUT],
            default=_DEFAULTED,
        )  # fmt: skip
        limit[rows] = new
        prev[who] = new
        cut_since[who] = ~periodic
    return limit, note


def _ratings(
    kind: np.ndarray, customer: np.ndarray, notches: np.ndarray, position: np.ndarray,
    grades: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> np.ndarray:  # fmt: skip
    """The rating each review sets (None: unchanged), chained back from today's: after a downgrade
    the performing grade less the notches of the downgrades still to come; the first review the
    grade before all of them; a default review today's default-range grade."""
    performing, today, unrated = grades
    cumulative = np.cumsum(notches)
    start = np.searchsorted(customer, customer)
    upto = cumulative - cumulative[start] + notches[start]  # so far, this review included
    total = np.bincount(customer, notches, minlength=len(performing)).astype(np.int64)
    after = total[customer] - upto
    grade = np.select(
        [kind == DEFAULT, position == 0, (kind == DOWNGRADE) & (notches > 0)],
        [today[customer], np.clip(performing[customer] - total[customer], 0, 8),
         np.clip(performing[customer] - after, 0, 8)],
        default=-1,
    )  # fmt: skip
    labels = np.array([*RATINGS, None], dtype=object)[grade]
    labels[unrated[customer]] = None
    return labels
