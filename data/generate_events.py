"""Risk events of the demo generator: background credit, operational and legal news, plus the
events that accompany defaults (downgrades before, bankruptcy filings after) and disputes.

Background events are a customer-by-month grid of Bernoulli draws whose rate and severity rise as
quality falls and in the downturn. Day numbers count days since 1970-01-01.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from data.generate_config import (
    EVENT_NOTES,
    EVENT_SOURCES,
    HISTORY_MONTHS,
    INDUSTRIES,
    Scenario,
    downturn_months,
    month_index,
    month_start,
)
from data.generate_contracts import AS_OF, KEY_SPAN, NEVER, ContractDraws
from data.generate_customers import CustomerDraws
from data.generate_random import KeyedRandom

CATEGORIES = ("credit", "operational", "legal")
HISTORY_FIRST = int(month_start(0))
BANKRUPTCY_SHARE = 0.4  # of defaulters
DOWNGRADE_SHARE = 0.7  # of defaulters, 1-6 months before the default


@dataclass
class EventDraws:
    """Per-event arrays of one block, sorted by customer, day, then kind."""

    customer: np.ndarray  # position of the customer in the block
    key: np.ndarray  # random-draw key: customer number * 4096 + position within the customer
    day: np.ndarray  # day numbers
    category: np.ndarray  # object arrays of labels
    kind: np.ndarray
    severity: np.ndarray  # 1-5
    source: np.ndarray
    note: np.ndarray  # None for a missing note


def draw_events(
    rng: KeyedRandom, scenario: Scenario, cust: CustomerDraws, con: ContractDraws,
    default_day: np.ndarray,
) -> EventDraws:  # fmt: skip
    """All risk events of the block's customers, none before onboarding or after AS_OF_END."""
    parts = [_background(rng, scenario, cust)]
    defaulter = np.nonzero(default_day < NEVER)[0]
    key = cust.index[defaulter]
    on = default_day[defaulter]

    room = np.minimum(120, AS_OF - on) + 1
    filed = files_bankruptcy(rng, key)
    filed_on = on + rng.integers("bankruptcy/day", key, 0, room)
    parts.append((defaulter[filed], filed_on[filed], "credit", "bankruptcy_filing", 5))

    warned_on = on - rng.integers("downgrade/day", key, 30, 184)
    warned = rng.bernoulli("downgrade", key, DOWNGRADE_SHARE) & (warned_on >= HISTORY_FIRST)
    warned &= warned_on >= cust.onboarded[defaulter]
    severity = 3 + rng.integers("downgrade/severity", key, 0, 2)
    parts.append(
        (defaulter[warned], warned_on[warned], "credit", "rating_downgrade", severity[warned])
    )

    disputed = np.nonzero(con.dispute_day < NEVER)[0]
    severity = 2 + rng.integers("dispute/severity", con.key[disputed], 0, 2)
    parts.append(
        (con.customer[disputed], con.dispute_day[disputed], "legal", "contract_dispute", severity)
    )

    customer = np.concatenate([p[0] for p in parts])
    day = np.concatenate([p[1] for p in parts])
    category = np.concatenate(
        [np.broadcast_to(np.asarray(p[2], dtype=object), len(p[0])) for p in parts]
    )
    kind = np.concatenate(
        [np.broadcast_to(np.asarray(p[3], dtype=object), len(p[0])) for p in parts]
    )
    severity = np.concatenate([np.broadcast_to(np.asarray(p[4]), len(p[0])) for p in parts])
    order = np.lexsort((kind.astype(str), day, customer))
    customer, day, category, kind, severity = (
        a[order] for a in (customer, day, category, kind, severity)
    )
    # Sorted order is fixed, so (customer number, position within customer) keys the text draws.
    first_of = np.searchsorted(customer, customer)
    text_key = cust.index[customer] * 4096 + (np.arange(len(customer)) - first_of)
    return EventDraws(
        customer=customer,
        key=text_key,
        day=day,
        category=category,
        kind=kind,
        severity=severity.astype(np.int64),
        source=_pick_text(rng, "source", kind, text_key, EVENT_SOURCES),
        note=_notes(rng, kind, text_key),
    )


def files_bankruptcy(rng: KeyedRandom, index: np.ndarray) -> np.ndarray:
    """Whether each customer (by global number) files for bankruptcy if it defaults."""
    return rng.bernoulli("bankruptcy", index, BANKRUPTCY_SHARE)


def _background(
    rng: KeyedRandom, scenario: Scenario, cust: CustomerDraws
) -> tuple[np.ndarray, ...]:
    """Events unrelated to a default: (customer, day, category, kind, severity) arrays."""
    months = np.arange(HISTORY_MONTHS)
    key = cust.index[:, None] * KEY_SPAN + months[None, :]
    active = months[None, :] >= month_index(cust.onboarded)[:, None]
    lo, hi = downturn_months(scenario)
    downturn = (cust.industry == INDUSTRIES.index(scenario.downturn_industry))[:, None] & (
        (months >= lo) & (months <= hi)
    )[None, :]
    risk = np.exp(-0.55 * cust.quality)[:, None] * np.where(downturn, 1.8, 1.0)
    found = []
    for code, category in enumerate(CATEGORIES):
        hit = active & rng.bernoulli(f"event/{category}", key, scenario.event_rates[code] * risk)
        who, month = np.nonzero(hit)
        ek = key[who, month] * 4 + code
        start = month_start(month)
        length = month_start(month + 1) - start
        day = np.minimum(start + rng.integers("event/day", ek, 0, length), AS_OF)
        day = np.maximum(day, cust.onboarded[who])
        kinds, weights = scenario.event_kinds[category]
        kind = np.array(kinds, dtype=object)[rng.choice("event/kind", ek, weights)]
        raw = 2.4 - 0.8 * cust.quality[who] + 0.8 * rng.normal("event/severity", ek)
        found.append(
            (
                who,
                day,
                np.full(len(who), category, dtype=object),
                kind,
                np.clip(np.round(raw), 1, 5),
            )
        )
    return tuple(np.concatenate([f[i] for f in found]) for i in range(5))


def _pick_text(
    rng: KeyedRandom, stream: str, kind: np.ndarray, key: np.ndarray,
    options: dict[str, tuple[tuple[str, ...], tuple[float, ...]]],
) -> np.ndarray:  # fmt: skip
    """One weighted option per event, the options depending on its kind (a loop over kinds)."""
    out = np.empty(len(kind), dtype=object)
    for name, (values, weights) in options.items():
        rows = np.nonzero(kind == name)[0]
        out[rows] = np.array(values, dtype=object)[rng.choice(stream, key[rows], weights)]
    return out


def _notes(rng: KeyedRandom, kind: np.ndarray, key: np.ndarray) -> np.ndarray:
    """A short note per event; about one in ten has none."""
    even = {name: (notes, (1.0,) * len(notes)) for name, notes in EVENT_NOTES.items()}
    notes = _pick_text(rng, "note", kind, key, even)
    notes[rng.bernoulli("note/missing", key, 0.1)] = None
    return notes
