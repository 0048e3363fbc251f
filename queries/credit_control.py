"""The Credit control & contracts page's questions: limits and utilisation, the policy's controls by band,
overdue credit reviews, contracts to act on.

Every function takes the global filters as one `filters` (queries.filters.Filters). Money in the
reporting currency; utilisation = exposure / credit limit as a share (1 = 100 %).
"""

from __future__ import annotations

import duckdb
import polars as pl

from queries.filters import Filters
from queries.runner import run

CUSTOMER_LISTS = ("attention", "overdue", "all")
CONTRACT_LISTS = ("review", "expiring", "dispute")


def customer_lists(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    limit: int = 200,
    all_limit: int = 200,
) -> pl.DataFrame:
    """Every customer list of CUSTOMER_LISTS in one pass (column `list`): customers with exposure,
    largest first, at most `limit` per list (`all_limit` for 'all'); `matching` counts each list.

    'attention': over their limit or utilisation >= 80 %; 'overdue': credit review overdue by their
    band's frequency; 'all'. Each row carries limit_status ('over', 'near', 'within'), the band's
    control (limit_action, collateral_required, prepayment_required, review_months), last_review,
    review_due and review_overdue.
    """
    return run(
        con,
        "credit_control_customers",
        limit=limit,
        all_limit=all_limit,
        **filters.params(),
    )


def customers(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    which: str = "all",
    limit: int = 200,
) -> pl.DataFrame:
    """One list of `customer_lists` (without the `list` column)."""
    if which not in CUSTOMER_LISTS:
        raise ValueError(f"which must be one of {CUSTOMER_LISTS}, not {which!r}")
    lists = customer_lists(con, filters, limit=limit, all_limit=limit)
    return lists.filter(pl.col("list") == which).drop("list")


def bands(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
) -> pl.DataFrame:
    """One row per band (Low, Medium, High): the policy's control and the filtered customers'
    count, exposure (money), over_limit, near_limit and reviews_overdue counts."""
    return run(con, "credit_control_bands", **filters.params())


def totals(bands_frame: pl.DataFrame) -> dict[str, int]:
    """Customers, over_limit, near_limit and reviews_overdue summed over the bands (counts)."""
    columns = ("customers", "over_limit", "near_limit", "reviews_overdue")
    return {c: int(bands_frame[c].sum()) for c in columns}


def contract_lists(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    limit: int = 200,
) -> pl.DataFrame:
    """Every contract list of CONTRACT_LISTS in one pass (column `list`): live contracts needing
    attention, largest amount first, at most `limit` per list; `matching` counts each list.

    'review': due for review by the band's frequency; 'expiring': ending in the 90 days after
    `as_of` (days_left in days); 'dispute': in dispute.
    """
    return run(con, "credit_control_contracts", limit=limit, **filters.params())


def contracts(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    which: str,
    limit: int = 200,
) -> pl.DataFrame:
    """One list of `contract_lists` (without the `list` column)."""
    if which not in CONTRACT_LISTS:
        raise ValueError(f"which must be one of {CONTRACT_LISTS}, not {which!r}")
    lists = contract_lists(con, filters, limit=limit)
    return lists.filter(pl.col("list") == which).drop("list")


def utilisation(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
) -> pl.DataFrame:
    """Customers and exposure (money) per 10-point utilisation bin (`bin` = lower edge in percent;
    200 = 200 % and above)."""
    return run(con, "credit_control_utilisation", **filters.params())
