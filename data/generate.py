"""Deterministic, vectorised demo portfolio: customers, contracts, payments, adjustments (credit
notes, write-offs, recoveries), credit reviews and risk events.

Two case studies share one engine: a manufacturer selling on credit to B2B customers and a lender
with loans and leases. A latent credit quality per customer (correlated within an industry) drives
ratings, lateness, events and defaults; one industry goes through a downturn; a credit-policy change
at POLICY_MONTH cuts new business with weak customers and speeds up collection. Rows unpaid
WRITE_OFF_DAYS after their due date are written off, some recovered later; some defaulters without
a bankruptcy filing pay their arrears and cure; limits and ratings change by credit reviews.

Every random draw is keyed by entity (see data.generate_random), so the output depends only on
(scenario, customers, seed): blocks of any size concatenate to exactly the same tables. Money is CNY
rounded to cents; dates are days; nothing happens after AS_OF_END except future due and end dates.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from data.generate_adjustments import (
    ADJUSTMENT_KINDS,
    ADJUSTMENT_NOTES,
    AdjustmentDraws,
    draw_adjustments,
)
from data.generate_config import (
    AS_OF_END,
    CURRENCY,
    HISTORY_MONTHS,
    HISTORY_START,
    INDUSTRIES,
    ISSUED_ON_SHARE,
    LIMIT_FLOOR,
    POLICY_MONTH,
    RATINGS,
    REGIONS,
    SCENARIO_CONFIG,
    SCENARIOS,
    Scenario,
)
from data.generate_contracts import AS_OF, NEVER, ContractDraws, draw_contracts
from data.generate_customers import (
    SEGMENTS,
    CustomerDraws,
    chinese_company_names,
    company_names,
    draw_customers,
    labels,
    owners,
    rating_grades,
)
from data.generate_events import EventDraws, draw_events, files_bankruptcy
from data.generate_payments import (
    CONTRACT_STATUSES,
    NULL_DAY,
    PaymentDraws,
    contract_status,
    curers,
    draw_payments,
)
from data.generate_random import KeyedRandom
from data.generate_reviews import REVIEW_NOTES, ReviewDraws, draw_reviews, exposure_grid
from data.generate_zh import ZH_ADJUSTMENT_NOTES, ZH_EVENT_NOTES, ZH_REVIEW_NOTES

__all__ = [
    "AS_OF_END",
    "HISTORY_MONTHS",
    "HISTORY_START",
    "POLICY_MONTH",
    "SCENARIOS",
    "Portfolio",
    "generate",
    "iter_generate",
]

TABLES = ("customers", "contracts", "payments", "adjustments", "credit_reviews", "risk_events")
# Languages of a demo warehouse's free text (names, notes); identifiers are the same in each.
LANGUAGES = ("en", "zh")


@dataclass(frozen=True)
class Portfolio:
    """Source tables (exact warehouse columns and order) plus what the generator knows but hides."""

    tables: dict[str, pl.DataFrame]
    quality: pl.DataFrame  # customer_id, quality (latent credit quality, higher = better)
    scenario: str
    seed: int
    policy_month: date
    downturn_industry: str
    downturn_start: date
    downturn_end: date


def generate(
    scenario: str = "manufacturer", customers: int = 2000, seed: int = 7, lang: str = "en"
) -> Portfolio:
    """The whole demo portfolio in memory: the concatenation of iter_generate's blocks."""
    blocks = list(iter_generate(scenario, customers, seed, lang=lang))
    return Portfolio(
        tables={t: pl.concat([b.tables[t] for b in blocks]) for t in TABLES},
        quality=pl.concat([b.quality for b in blocks]),
        scenario=blocks[0].scenario,
        seed=seed,
        policy_month=POLICY_MONTH,
        downturn_industry=blocks[0].downturn_industry,
        downturn_start=blocks[0].downturn_start,
        downturn_end=blocks[0].downturn_end,
    )


def iter_generate(
    scenario: str, customers: int, seed: int, block: int = 10_000, lang: str = "en"
) -> Iterator[Portfolio]:
    """The portfolio in blocks of `block` customers (with their contracts, payments and events).

    Ids run on across blocks, and every draw is keyed by entity, so the blocks concatenate to
    generate()'s tables whatever the block size. Memory is bounded by one block. `lang` "zh" gives
    Chinese company names and event notes; every other value and every draw is the same.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {LANGUAGES}")
    if scenario not in SCENARIO_CONFIG:
        raise ValueError(f"unknown scenario {scenario!r}; expected one of {SCENARIOS}")
    if customers < 1 or block < 1:
        raise ValueError("customers and block must be positive")
    config, rng = SCENARIO_CONFIG[scenario], KeyedRandom(seed)
    next_ids = {
        "contracts": 0,
        "payments": 0,
        "adjustments": 0,
        "credit_reviews": 0,
        "risk_events": 0,
    }
    for first in range(0, customers, block):
        portfolio = _block(config, rng, first, min(block, customers - first), next_ids, lang)
        for table in next_ids:
            next_ids[table] += portfolio.tables[table].height
        yield portfolio


def _block(
    config: Scenario, rng: KeyedRandom, first: int, n: int, next_ids: dict[str, int], lang: str
) -> Portfolio:
    """One block of customers with everything that hangs off them."""
    cust = draw_customers(rng, config, first, n)
    con, default_day = draw_contracts(rng, config, cust)
    cures = curers(rng, cust, default_day, files_bankruptcy(rng, cust.index))
    pay = draw_payments(rng, config, cust, con, default_day, cures)
    pay, adj, owed = draw_adjustments(rng, con, pay)
    # a curer's default is not lasting: its contracts, status, rating and limit are a performer's
    lasting = np.where(cures, NEVER, default_day)
    status, review = contract_status(rng, con, pay, lasting, owed)
    events = draw_events(rng, config, cust, con, default_day)

    customer_ids = _ids("C", 7, cust.index)
    contract_ids = _ids("K", 8, next_ids["contracts"] + np.arange(len(con.key)))
    contracts = pl.DataFrame(
        {
            "contract_id": contract_ids,
            "customer_id": customer_ids.gather(con.customer),
            "kind": labels(config.kinds, con.kind),
            "signed_on": _dates(con.signed),
            "start_on": _dates(con.start),
            "end_on": _dates(con.end),
            "amount": con.amount,
            "currency": pl.repeat(CURRENCY, len(con.key), eager=True),
            "payment_terms_days": pl.Series(con.terms_days, dtype=pl.Int64),
            "collateral_value": con.collateral,
            "status": labels(CONTRACT_STATUSES, status),
            "approved_by": pl.Series(con.approved_by.tolist(), dtype=pl.String),
            "last_reviewed_on": _dates(review),
            "interest_rate": pl.Series(con.interest_rate, dtype=pl.Float64).fill_nan(None),
        }
    )
    payment_ids = _ids("P", 9, next_ids["payments"] + np.arange(len(pay.due)))
    # Billing dates on the invoices of most sales and service contracts, once issued (an invoice
    # billed after AS_OF_END has no date yet); loans and leases leave it empty.
    dated = ~pay.scheduled & rng.bernoulli("issued-on", con.key, ISSUED_ON_SHARE)[pay.contract]
    dated &= pay.issued <= AS_OF
    payments = pl.DataFrame(
        {
            "payment_id": payment_ids,
            "contract_id": contract_ids.gather(pay.contract),
            "issued_on": _dates(np.where(dated, pay.issued, NULL_DAY)),
            "due_on": _dates(pay.due),
            "amount_due": pay.amount_due,
            "paid_on": _dates(pay.paid),
            "amount_paid": pay.amount_paid,
        }
    )
    risk_events = pl.DataFrame(
        {
            "event_id": _ids("E", 8, next_ids["risk_events"] + np.arange(len(events.day))),
            "customer_id": customer_ids.gather(events.customer),
            "occurred_on": _dates(events.day),
            "category": pl.Series(events.category.tolist(), dtype=pl.String),
            "kind": pl.Series(events.kind.tolist(), dtype=pl.String),
            "severity": pl.Series(events.severity, dtype=pl.Int64),
            "source": pl.Series(events.source.tolist(), dtype=pl.String),
            "note": pl.Series(
                [ZH_EVENT_NOTES.get(note, note) for note in events.note.tolist()]
                if lang == "zh"
                else events.note.tolist(),
                dtype=pl.String,
            ),
        }
    )
    adjustments = pl.DataFrame(
        {
            "adjustment_id": _ids("A", 9, next_ids["adjustments"] + np.arange(len(adj.row))),
            "payment_id": payment_ids.gather(adj.row),
            "kind": labels(ADJUSTMENT_KINDS, adj.kind),
            "occurred_on": _dates(adj.day),
            "amount": adj.amount,
            "note": _notes(
                ADJUSTMENT_NOTES, adj.note, ZH_ADJUSTMENT_NOTES if lang == "zh" else None
            ),
        }
    )
    customers, rev = _customers(
        rng, config, cust, con, pay, owed, adj, status, lasting, customer_ids, events
    )
    credit_reviews = pl.DataFrame(
        {
            "review_id": _ids("R", 8, next_ids["credit_reviews"] + np.arange(len(rev.day))),
            "customer_id": customer_ids.gather(rev.customer),
            "effective_on": _dates(rev.day),
            "credit_limit": rev.limit,
            "external_rating": pl.Series(rev.rating.tolist(), dtype=pl.String),
            "decided_by": pl.Series(rev.decided_by.tolist(), dtype=pl.String),
            "note": _notes(REVIEW_NOTES, rev.note, ZH_REVIEW_NOTES if lang == "zh" else None),
        }
    )
    if lang == "zh":
        customers = customers.with_columns(chinese_company_names(rng, cust).alias("name"))
    return Portfolio(
        tables={
            "customers": customers,
            "contracts": contracts,
            "payments": payments,
            "adjustments": adjustments,
            "credit_reviews": credit_reviews,
            "risk_events": risk_events,
        },
        quality=pl.DataFrame({"customer_id": customer_ids, "quality": cust.quality}),
        scenario=config.name,
        seed=rng.seed,
        policy_month=POLICY_MONTH,
        downturn_industry=config.downturn_industry,
        downturn_start=config.downturn_start,
        downturn_end=config.downturn_end,
    )


def _customers(
    rng: KeyedRandom, config: Scenario, cust: CustomerDraws, con: ContractDraws,
    pay: PaymentDraws, owed: np.ndarray, adj: AdjustmentDraws, status: np.ndarray,
    default_day: np.ndarray, ids: pl.Series, events: EventDraws,
) -> tuple[pl.DataFrame, ReviewDraws]:  # fmt: skip
    """The customers table and the credit reviews: limits follow exposure (at AS_OF_END, or at a
    review), status follows the contracts; today's limit and rating are the latest review's.

    `default_day` holds the defaults that do not cure (NEVER otherwise)."""
    n, idx = len(cust.index), cust.index
    # Exposure today: what rows owed by AS_OF_END (invoiced, or of a started loan) still owe.
    owner = con.customer[pay.contract]
    exposure = np.bincount(owner, owed * (pay.issued <= AS_OF), minlength=n)

    # Utilisation targets: a few above the limit, most at 60-95 %, the rest lower; weak customers'
    # limits were cut by the policy, so they sit higher.
    band = rng.choice("limit/band", idx, (0.09, 0.6, 0.31))
    u = rng.uniform("limit/use", idx)
    use = np.array([1.02, 0.6, 0.1])[band] + np.array([0.33, 0.35, 0.5])[band] * u
    use = use + np.where(cust.weak, 0.05, 0.0)
    by_size = cust.revenue * config.amount_share * (0.5 + u) * np.where(cust.weak, 0.7, 1.0)
    limit = np.where(exposure > 0, exposure / use, by_size)
    limit = np.maximum(np.round(limit, -3), LIMIT_FLOOR)

    defaulted = default_day < NEVER
    grades = rating_grades(rng, cust, defaulted)
    written_day = np.full(len(pay.due), NEVER, dtype=np.int64)
    is_write_off = adj.kind == ADJUSTMENT_KINDS.index("write_off")
    written_day[adj.row[is_write_off]] = adj.day[is_write_off]
    grid = exposure_grid(pay, owner, written_day, n)
    reviews, reviewed_limit = draw_reviews(
        rng, config, cust, events, default_day, grid, use, by_size, grades
    )
    limit = np.where(np.isnan(reviewed_limit), limit, reviewed_limit)
    rating = np.array(RATINGS, dtype=object)[grades[1]]
    rating[grades[2]] = None

    has_open = np.bincount(con.customer, np.isin(status, [0, 1, 4]), minlength=n) > 0
    quiet = np.where(rng.bernoulli("status/closed", idx, 0.25), "closed", "dormant")
    customer_status = np.select(
        [defaulted, has_open | (exposure > 0)],
        [np.where(rng.bernoulli("status/workout", idx, 0.4), "closed", "active"), "active"],
        default=quiet,
    )
    unknown_revenue = rng.bernoulli("revenue/missing", idx, np.where(cust.segment == 2, 0.08, 0.03))
    return pl.DataFrame(
        {
            "customer_id": ids,
            "name": company_names(rng, cust),
            "industry": labels(INDUSTRIES, cust.industry),
            "region": labels(REGIONS, cust.region),
            "segment": labels(SEGMENTS, cust.segment),
            "onboarded_on": _dates(cust.onboarded),
            "annual_revenue": pl.Series(np.round(cust.revenue, 2)).scatter(
                np.nonzero(unknown_revenue)[0], None
            ),
            "external_rating": pl.Series(rating.tolist(), dtype=pl.String),
            "credit_limit": limit,
            "owner": owners(rng, cust),
            "status": pl.Series(customer_status.tolist(), dtype=pl.String),
        }
    ), reviews


def _notes(texts: tuple[str, ...], codes: np.ndarray, chinese: dict[str, str] | None) -> pl.Series:
    """Note texts by code, in Chinese when `chinese` maps them."""
    if chinese is not None:
        texts = tuple(chinese[text] for text in texts)
    return pl.Series(texts, dtype=pl.String).gather(codes)


def _ids(prefix: str, width: int, numbers: np.ndarray) -> pl.Series:
    """Zero-padded text ids, 1-based: prefix + number + 1."""
    digits = pl.Series(np.asarray(numbers, dtype=np.int64) + 1).cast(pl.String).str.zfill(width)
    return (prefix + digits).alias("id")


def _dates(days: np.ndarray) -> pl.Series:
    """Dates from day numbers (days since 1970-01-01); NULL_DAY becomes null."""
    days = np.asarray(days, dtype=np.int64)
    series = pl.Series(np.where(days == NULL_DAY, 0, days).astype(np.int32)).cast(pl.Date)
    return series.scatter(np.nonzero(days == NULL_DAY)[0], None)
