"""Tiny hand-made warehouses whose derived tables the tests check by hand.

`build_tiny` — five customers, seven contracts, sixteen payments and four events, built as of
2026-03-17 (a mid-month as-of date: the grid is 2025-10-31, 11-30, 12-31, 2026-01-31, 02-28, 03-17).
`build_calibration` — five customers without contracts whose grade is their rating (under a policy
that weighs only the rating) and two bankruptcies, for the PD calibration.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import duckdb

from data import warehouse
from data.build import BuildResult, rebuild
from data.policy import DEFAULT_POLICY, Policy

AS_OF = date(2026, 3, 17)
D = date.fromisoformat

# customer_id, name, industry, region, segment, onboarded_on, annual_revenue, external_rating,
# credit_limit, owner, status
CUSTOMERS = [
    ("C1", "Alpha Manufacturing", "manufacturing", "North", "corporate", D("2025-10-01"), 5e6, "BBB", 10_000.0, "ana", "active"),
    ("C2", "Beta Logistics", "logistics", "South", "sme", D("2025-10-15"), None, None, 5_000.0, "ben", "active"),
    ("C3", "Gamma Retail", "retail", "North", "sme", D("2025-10-01"), None, "CCC", 0.0, "ana", "active"),
    ("C4", "Delta Holdings", "finance", "West", "corporate", D("2025-10-01"), 1e8, "A", 100_000.0, "ben", "active"),
    ("C5", "Epsilon Foods", "food", "South", "sme", D("2025-11-20"), None, "BB", 3_000.0, "ana", "active"),
]  # fmt: skip

# contract_id, customer_id, kind, signed_on, start_on, end_on, amount, currency, payment_terms_days,
# collateral_value, status, approved_by, last_reviewed_on
CONTRACTS = [
    ("K1", "C1", "sales", D("2025-10-01"), D("2025-10-01"), D("2026-06-30"), 12_000.0, "EUR", 30, 2_000.0, "active", "cfo", None),
    # starts after the as-of date: neither its payments nor its collateral are exposure yet
    ("K2", "C1", "sales", D("2026-03-01"), D("2026-04-01"), D("2026-12-31"), 5_000.0, "EUR", 30, 1_000.0, "active", "cfo", None),
    # completed and ended 2026-01-31: out of exposure from the 2026-02-28 grid date on
    ("K3", "C2", "service", D("2025-10-15"), D("2025-10-15"), D("2026-01-31"), 4_000.0, "EUR", 30, 0.0, "completed", "cfo", None),
    ("K4", "C2", "loan", D("2025-11-20"), D("2025-12-01"), D("2027-11-30"), 24_000.0, "EUR", 0, 10_000.0, "active", "cfo", None),
    ("K5", "C3", "sales", D("2025-10-01"), D("2025-10-01"), D("2026-12-31"), 4_000.0, "EUR", 60, 0.0, "active", "cfo", None),
    ("K6", "C4", "loan", D("2025-10-01"), D("2025-10-01"), D("2028-09-30"), 40_000.0, "EUR", 0, 50_000.0, "active", "cfo", None),
    # marked defaulted at its review on 2026-02-15
    ("K7", "C5", "service", D("2025-11-25"), D("2025-12-01"), D("2026-11-30"), 3_000.0, "EUR", 30, 0.0, "defaulted", "cfo", D("2026-02-15")),
]  # fmt: skip

# payment_id, contract_id, due_on, amount_due, paid_on, amount_paid
PAYMENTS = [
    ("P1", "K1", D("2025-11-15"), 3_000.0, D("2025-11-10"), 3_000.0),
    ("P2", "K1", D("2026-01-15"), 3_000.0, D("2026-03-20"), 3_000.0),  # paid after the as-of date
    ("P3", "K1", D("2026-02-15"), 3_000.0, D("2026-02-20"), 1_000.0),  # partial payment
    ("P4", "K1", D("2026-04-15"), 3_000.0, None, 0.0),
    ("P5", "K2", D("2026-05-01"), 5_000.0, None, 0.0),
    ("P6", "K3", D("2025-11-30"), 2_000.0, D("2025-11-30"), 2_000.0),
    ("P7", "K3", D("2026-01-31"), 2_000.0, None, 0.0),
    ("P8", "K4", D("2026-01-01"), 1_000.0, D("2026-01-01"), 1_000.0),
    (
        "P9",
        "K4",
        D("2026-02-01"),
        1_000.0,
        D("2026-02-10"),
        1_000.0,
    ),  # late, paid between grid dates
    ("P10", "K4", D("2026-03-01"), 1_000.0, None, 0.0),
    ("P11", "K4", D("2026-04-01"), 1_000.0, None, 0.0),
    ("P12", "K5", D("2025-12-01"), 4_000.0, None, 0.0),
    ("P13", "K6", D("2026-01-01"), 20_000.0, D("2025-12-28"), 20_000.0),
    ("P14", "K6", D("2026-04-01"), 20_000.0, None, 0.0),
    ("P15", "K7", D("2026-01-10"), 1_500.0, D("2026-01-09"), 1_500.0),
    ("P16", "K7", D("2026-02-10"), 1_500.0, None, 0.0),
]

# event_id, customer_id, occurred_on, category, kind, severity, source, note
EVENTS = [
    # 136 days before the as-of date: in the 365-day factor look-back, not the 90-day trigger one
    ("E1", "C2", D("2025-11-01"), "operational", "production_halt", 4, "news", None),
    ("E2", "C2", D("2026-02-01"), "legal", "litigation", 3, "court register", None),
    ("E3", "C3", D("2026-02-10"), "credit", "bankruptcy_filing", 5, "court register", None),
    ("E4", "C1", D("2026-03-01"), "credit", "rating_downgrade", 3, "agency", None),
]


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    """Insert tuples into the table's first columns, in its column order (columns added by later
    migrations, such as payments.issued_on, are left empty unless a tuple is long enough)."""
    if rows:
        names = [r[0] for r in con.sql(f"select * from {table} limit 0").description]
        width = len(rows[0])
        marks = ", ".join("?" for _ in rows[0])
        con.executemany(f"insert into {table} ({', '.join(names[:width])}) values ({marks})", rows)


def build_tiny(
    path: Path, policy: Policy | None = None
) -> tuple[duckdb.DuckDBPyConnection, BuildResult]:
    """The tiny warehouse at `path`, built as of AS_OF; returns the open connection and the result."""
    con = warehouse.connect(path)
    for table, rows in (
        ("customers", CUSTOMERS),
        ("contracts", CONTRACTS),
        ("payments", PAYMENTS),
        ("risk_events", EVENTS),
    ):
        insert_rows(con, table, rows)
    return con, rebuild(con, as_of=AS_OF, policy=policy)


def rating_only_policy(min_observations: int, prior_weight: float = 50.0) -> Policy:
    """The shipped policy with all weight on the rating (score = rating score), a small minimum
    of observations and the given prior weight, so calibration grades are the rating's:
    AAA -> A, BBB -> B, BB -> C, D -> E."""
    raw = tomllib.loads(DEFAULT_POLICY.read_text(encoding="utf-8"))
    raw["weights"] = {f: 0.0 for f in raw["weights"]} | {"rating": 1.0}
    raw["pd"]["min_observations"] = min_observations
    raw["pd"]["prior_weight"] = prior_weight
    return Policy.from_dict(raw)


CALIBRATION_CUSTOMERS = [
    (cid, cid, "services", "North", "sme", D("2024-12-01"), None, rating, 1_000.0, "ana", "active")
    for cid, rating in (("X1", "AAA"), ("X2", "AAA"), ("X3", "BBB"), ("X4", "BB"), ("X5", "D"))
]
CALIBRATION_EVENTS = [
    # the first activity: it starts the grid at 2024-12-31 (and weighs nothing under this policy)
    ("M1", "X1", D("2024-12-01"), "credit", "management_change", 1, "news", None),
    ("B1", "X2", D("2025-06-15"), "credit", "bankruptcy_filing", 5, "court register", None),
    ("B2", "X4", D("2026-02-10"), "credit", "bankruptcy_filing", 5, "court register", None),
]


def build_calibration(
    path: Path, min_observations: int = 3, prior_weight: float = 50.0, copies: int = 1
) -> duckdb.DuckDBPyConnection:
    """The calibration warehouse at `path`, built as of AS_OF under `rating_only_policy`; `copies`
    repeats every customer and event (ids suffixed -2, -3, ...), multiplying the observations."""
    con = warehouse.connect(path)

    def suffixed(rows: list[tuple], copy: int, *positions: int) -> list[tuple]:
        if copy == 1:
            return rows
        return [
            tuple(f"{v}-{copy}" if i in positions else v for i, v in enumerate(r)) for r in rows
        ]

    for copy in range(1, copies + 1):
        insert_rows(con, "customers", suffixed(CALIBRATION_CUSTOMERS, copy, 0))
        insert_rows(con, "risk_events", suffixed(CALIBRATION_EVENTS, copy, 0, 1))
    rebuild(con, as_of=AS_OF, policy=rating_only_policy(min_observations, prior_weight))
    return con


# --- a tiny book of the rules real portfolios need: billing dates, write-offs, cures, reviews ----
# Built as of 2025-10-31; the grid is every month-end 2025-01-31 .. 2025-10-31.
BOOK_AS_OF = date(2025, 10, 31)

BOOK_CUSTOMERS = [
    # R1's limit and rating today are its customer row's; its reviews say what was in force before
    ("R1", "Rho Components", "manufacturing", "North", "sme", D("2025-01-01"), None, "B", 4_000.0, "ana", "active"),
    ("R2", "Sigma Textiles", "textiles", "North", "sme", D("2025-01-01"), None, "BB", 10_000.0, "ana", "active"),
    # closed, but still owes its loan instalments
    ("R3", "Tau Leasing", "finance", "South", "corporate", D("2025-01-01"), None, None, 5_000.0, "ben", "closed"),
]  # fmt: skip

BOOK_CONTRACTS = [
    ("S1", "R1", "sales", D("2025-01-01"), D("2025-01-01"), D("2025-06-30"), 7_000.0, "CNY", 30, 0.0, "completed", "cfo", None),
    ("S2", "R2", "sales", D("2025-01-01"), D("2025-01-01"), D("2025-12-31"), 5_000.0, "CNY", 30, 0.0, "active", "cfo", None),
    ("L1", "R3", "loan", D("2025-06-01"), D("2025-06-01"), D("2025-09-30"), 3_000.0, "CNY", 0, 0.0, "completed", "cfo", None),
]  # fmt: skip

# payment_id, contract_id, due_on, amount_due, paid_on, amount_paid, issued_on
BOOK_PAYMENTS = [
    # never paid: 180 days past due on 2025-07-30, written off that day
    ("Q1", "S1", D("2025-01-31"), 5_000.0, None, 0.0, D("2025-01-01")),
    # issued 05-02 (its terms would have said 04-20), paid on time
    ("Q2", "S1", D("2025-05-20"), 2_000.0, D("2025-05-20"), 2_000.0, D("2025-05-02")),
    # no issue date: invoiced due_on - 30 = 01-01; paid 135 days late, on 06-15
    ("Q3", "S2", D("2025-01-31"), 2_000.0, D("2025-06-15"), 2_000.0, None),
    # issued 06-01, due 09-30, never paid; 1000 of it credited on 07-10
    ("Q4", "S2", D("2025-09-30"), 3_000.0, None, 0.0, D("2025-06-01")),
    # a loan's schedule: exposure from the start on 06-01, 1000 an instalment, the last one unpaid
    ("Q5", "L1", D("2025-07-01"), 1_000.0, D("2025-07-01"), 1_000.0, None),
    ("Q6", "L1", D("2025-08-01"), 1_000.0, D("2025-08-01"), 1_000.0, None),
    ("Q7", "L1", D("2025-09-01"), 1_000.0, None, 0.0, None),
]

# adjustment_id, payment_id, kind, occurred_on, amount, note
BOOK_ADJUSTMENTS = [
    ("A1", "Q1", "write_off", D("2025-07-30"), 5_000.0, "180 days past due"),
    ("A2", "Q1", "recovery", D("2025-09-15"), 1_000.0, "from the liquidator"),
    ("A3", "Q4", "credit_note", D("2025-07-10"), 1_000.0, "short delivery"),
]

# review_id, customer_id, effective_on, credit_limit, external_rating, decided_by, note
BOOK_REVIEWS = [
    ("V1", "R1", D("2025-01-01"), 10_000.0, "BBB", "cfo", "onboarding"),
    # a limit cut in March that leaves the rating as it was
    ("V2", "R1", D("2025-03-01"), 4_000.0, None, "cfo", "cut after late payment"),
]


def build_book(
    path: Path, policy: Policy | None = None
) -> tuple[duckdb.DuckDBPyConnection, BuildResult]:
    """The real-books tiny warehouse at `path`, built as of BOOK_AS_OF."""
    con = warehouse.connect(path)
    for table, rows in (
        ("customers", BOOK_CUSTOMERS),
        ("contracts", BOOK_CONTRACTS),
        ("adjustments", BOOK_ADJUSTMENTS),
        ("credit_reviews", BOOK_REVIEWS),
    ):
        insert_rows(con, table, rows)
    con.executemany(
        "insert into payments (payment_id, contract_id, due_on, amount_due, paid_on, amount_paid,"
        " issued_on) values (?, ?, ?, ?, ?, ?, ?)",
        BOOK_PAYMENTS,
    )
    return con, rebuild(con, as_of=BOOK_AS_OF, policy=policy)
