"""Adjustments of the demo generator: credit notes on disputed invoices, write-offs of rows left
unpaid WRITE_OFF_DAYS after their due date, and recoveries after write-offs.

The rules the loader checks hold by construction: per payment row, credit notes and write-offs
together never exceed amount_due - amount_paid, and recoveries never exceed what was written off
before them. A payment that arrives more than WRITE_OFF_DAYS after the due date (a late curer) is
not left on the row: the row is written off in full at due + WRITE_OFF_DAYS and the payment becomes
a recovery on the day it arrived. Day numbers count days since 1970-01-01.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from data.generate_config import (
    CREDIT_NOTE_FRACTION,
    CREDIT_NOTE_SHARE,
    RECOVERY_DELAY_DAYS,
    RECOVERY_FRACTION,
    RECOVERY_SHARE,
    SECOND_RECOVERY_DELAY_DAYS,
    SECOND_RECOVERY_SHARE,
    SECURED_RECOVERY_FRACTION,
    SECURED_RECOVERY_SHARE,
    WRITE_OFF_DAYS,
)
from data.generate_contracts import AS_OF, ContractDraws
from data.generate_payments import NULL_DAY, PaymentDraws
from data.generate_random import KeyedRandom

ADJUSTMENT_KINDS = ("credit_note", "write_off", "recovery")  # codes 0, 1, 2 (and same-day order)
# Notes by code; the write-off note names the day count of the practice.
ADJUSTMENT_NOTES = (
    "Credit note: disputed quantity",
    "Credit note: quality claim",
    "Credit note: pricing error",
    f"Written off at {WRITE_OFF_DAYS} days past due",
    "Paid by the collection agency",
    "Settlement with the debtor",
    "Collateral sold",
    "Late payment after write-off",
)
_CREDIT_NOTES, _WRITE_OFF, _AGENCY, _SETTLEMENT, _COLLATERAL, _LATE = 0, 3, 4, 5, 6, 7


@dataclass
class AdjustmentDraws:
    """Per-adjustment arrays of one block, sorted by payment row, day, then kind."""

    row: np.ndarray  # position of the payment row in the block
    kind: np.ndarray  # index into ADJUSTMENT_KINDS
    day: np.ndarray  # day numbers
    amount: np.ndarray  # CNY, >= 0
    note: np.ndarray  # index into ADJUSTMENT_NOTES


def draw_adjustments(
    rng: KeyedRandom, con: ContractDraws, pay: PaymentDraws
) -> tuple[PaymentDraws, AdjustmentDraws, np.ndarray]:
    """The payments as recorded (credit-noted rows paid net, payments after a write-off moved to
    recoveries), their adjustments, and what each row still owes at AS_OF_END."""
    key, due, amount_due = pay.key, pay.due, pay.amount_due
    paid, amount_paid = pay.paid.copy(), pay.amount_paid.copy()
    is_paid = paid != NULL_DAY
    # Draws beyond the first of each kind are made for the rows concerned only (a few percent).

    # Credit notes: part of an invoice, between issue and due date, before it was paid.
    noted = ~pay.scheduled & (pay.issued <= AS_OF)
    noted = np.nonzero(noted & rng.bernoulli("credit-note", key, CREDIT_NOTE_SHARE))[0]
    n_key, n_issued = key[noted], pay.issued[noted]
    credit = np.maximum(
        np.round(
            amount_due[noted] * _share(rng, "credit-note/share", n_key, CREDIT_NOTE_FRACTION), 2
        ),
        0.01,
    )
    last = np.minimum(due[noted], AS_OF)
    last = np.where(is_paid[noted], np.minimum(last, paid[noted] - 1), last)
    credit_day = n_issued + rng.integers(
        "credit-note/day", n_key, 0, np.maximum(last, n_issued) - n_issued + 1
    )
    credited = np.zeros(len(key))
    credited[noted] = credit
    net = np.minimum(amount_paid[noted], np.round(amount_due[noted] - credit, 2))
    amount_paid[noted] = np.where(is_paid[noted], net, amount_paid[noted])

    # A payment later than the write-off is a recovery of the written-off row.
    cutoff = due + WRITE_OFF_DAYS
    late = np.nonzero(is_paid & (paid > cutoff))[0]
    late_day, late_amount = paid[late], amount_paid[late]
    paid[late], amount_paid[late] = NULL_DAY, 0.0

    remainder = np.round(amount_due - amount_paid - credited, 2)
    written = (cutoff <= AS_OF) & (remainder > 0.005)
    owed = np.where(written, 0.0, np.maximum(remainder, 0.0))
    written_rows = np.nonzero(written)[0]

    # Recoveries of written-off rows: one or two, together a fraction of the amount.
    candidates = written.copy()
    candidates[late] = False
    r_rows = np.nonzero(candidates)[0]
    r_key, secured = key[r_rows], con.collateral[pay.contract[r_rows]] > 0
    r_share = np.where(secured, SECURED_RECOVERY_SHARE, RECOVERY_SHARE)
    recovering = rng.bernoulli("recovery", r_key, r_share)
    r_rows, r_key, secured = r_rows[recovering], r_key[recovering], secured[recovering]
    fraction = np.where(
        secured,
        _share(rng, "recovery/share", r_key, SECURED_RECOVERY_FRACTION),
        _share(rng, "recovery/share", r_key, RECOVERY_FRACTION),
    )
    total = np.round(remainder[r_rows] * fraction, 2)
    twice = rng.bernoulli("recovery/second", r_key, SECOND_RECOVERY_SHARE)
    first = np.round(
        total * np.where(twice, _share(rng, "recovery/split", r_key, (0.4, 0.8)), 1.0), 2
    )
    second = np.round(total - first, 2)
    first_day = cutoff[r_rows] + rng.integers("recovery/day", r_key, *RECOVERY_DELAY_DAYS)
    second_day = first_day + rng.integers("recovery/second-day", r_key, *SECOND_RECOVERY_DELAY_DAYS)
    once = (first_day <= AS_OF) & (first > 0)
    again = once & twice & (second_day <= AS_OF) & (second > 0)
    source = np.where(
        secured & rng.bernoulli("recovery/collateral", r_key, 0.6),
        _COLLATERAL,
        np.where(rng.bernoulli("recovery/agency", r_key, 0.5), _AGENCY, _SETTLEMENT),
    )

    notes = _CREDIT_NOTES + rng.integers("credit-note/note", n_key, 0, 3)
    parts = [  # (rows, kind, day, amount, note)
        (noted, 0, credit_day, credit, notes),
        (written_rows, 1, cutoff[written_rows], remainder[written_rows], _WRITE_OFF),
        (late, 2, late_day, late_amount, _LATE),
        (r_rows[once], 2, first_day[once], first[once], source[once]),
        (r_rows[again], 2, second_day[again], second[again], source[again]),
    ]
    row = np.concatenate([p[0] for p in parts])
    kind = np.concatenate([np.full(len(p[0]), p[1]) for p in parts])
    day, amount, note = (
        np.concatenate([np.broadcast_to(p[i], len(p[0])) for p in parts]) for i in (2, 3, 4)
    )
    order = np.lexsort((kind, day, row))
    adjustments = AdjustmentDraws(
        row=row[order],
        kind=kind[order].astype(np.int64),
        day=day[order].astype(np.int64),
        amount=amount[order].astype(np.float64),
        note=note[order].astype(np.int64),
    )
    recorded = replace(pay, paid=paid, amount_paid=amount_paid)
    return recorded, adjustments, owed


def _share(rng: KeyedRandom, stream: str, key: np.ndarray, bounds: tuple[float, float]):
    """Uniform draws between the bounds."""
    low, high = bounds
    return low + (high - low) * rng.uniform(stream, key)
