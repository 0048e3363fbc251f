"""The What-if page's questions: the policy in force, the history to re-score, the customers shown.

The re-scoring itself is queries/whatif_simulation.py (pure Polars, no warehouse access): these
functions only read, so a scenario can never write to the warehouse. The customers shown are those
of the global filters (`filters`, queries.filters.Filters).
"""

from __future__ import annotations

import duckdb
import polars as pl

from data.policy import entries_in_force, in_force
from queries.filters import Filters
from queries.runner import run
from queries.whatif_simulation import prepare_history

# the policy the warehouse was built with: its (key, value) entries, and validated
policy_in_force = entries_in_force
current_policy = in_force


def history(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every customer_month row with the factor scores (0-100), max DPD (days), default flag and
    whether a trigger the simulator does not re-evaluate fired (other_trigger), prepared for
    re-scoring (whatif_simulation.prepare_history) under the policy in force's downgrade look-back."""
    months = current_policy(con).watchlist.downgrade_months
    return prepare_history(run(con, "whatif_history", downgrade_months=months), months)


def snapshot(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
) -> pl.DataFrame:
    """Customers at as_of within the filters, with the current policy's score, grade, band, PD, LGD,
    expected loss (money) and watchlist flag."""
    return run(
        con,
        "whatif_snapshot",
        **filters.params(),
    )


def defaults(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
) -> pl.DataFrame:
    """Past defaults up to as_of among the filtered customers, with whether the current policy had
    them on the watchlist in the 12 months before."""
    return run(
        con,
        "whatif_defaults",
        **filters.params(),
    )
