"""Row-level scope and masking, enforced where the SQL runs: a scoped connection.

A restricted user (anyone but an admin while access control is on) never gets a connection to the
warehouse itself. They get an in-memory DuckDB database that attaches the warehouse read-only under
the alias `wh` and defines, in its own `main` schema, one view per warehouse table with the table's
name and columns. Every query file names tables unqualified (`from customer_month`), and DuckDB
resolves an unqualified name in the default database first — the in-memory one — so the same SQL
reads the views, and only the views. Nothing a page, chart or export does can reach a row the views
leave out, and a table added later is covered by the same rules (deny by default):

- a table with `region`, `customer_id`, `contract_id` or `payment_id` keeps the rows of customers in
  the scope's regions (payments through their contract, adjustments through their payment); with
  identifier columns but none of those keys, under
  a region scope it is empty;
- reference tables (policy, grid, calibration, versions) are shown whole;
- admin tables (load history, quarantine: raw rejected rows of every region) are always empty;
- any other table is a portfolio-wide aggregate: whole without a region scope, empty with one
  (the pages then compute their figures from the scoped customer rows, see `narrow`).

A masked scope (executives) also replaces customer identifiers by keyed pseudonyms: the same
customer gets the same code in every table (joins still work, charts still have one mark per
customer), the code cannot be traced back without a key that lives only in this process, and free
text about customers (event notes) is blanked. Values in the views come from a one-row settings
table filled with bound parameters; only catalogue identifiers are spliced into the DDL.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
from dataclasses import dataclass
from typing import Any

import duckdb

ALIAS = "wh"
REFERENCE_TABLES = frozenset(
    {
        "month_grid",
        "policy_factors",
        "policy_in_force",
        "pd_calibration",
        "lgd_calibration",
        "schema_version",
        "warehouse_state",
    }
)
ADMIN_TABLES = frozenset({"load_history", "quarantine"})
FREE_TEXT = frozenset({"note"})
IN_SCOPE = "list_contains((select regions from scope_settings), region)"
SCOPED_CUSTOMERS = (
    "select customer_id from wh.main.customers "
    "where list_contains((select regions from scope_settings), region)"
)
SCOPED_PAYMENTS = (
    "select payment_id from wh.main.payments where contract_id in ("
    "select contract_id from wh.main.contracts where customer_id in ("
    "select customer_id from wh.main.customers "
    "where list_contains((select regions from scope_settings), region)))"
)
SCOPED_CONTRACTS = (
    "select contract_id from wh.main.contracts where customer_id in ("
    "select customer_id from wh.main.customers "
    "where list_contains((select regions from scope_settings), region))"
)
# One key per process: pseudonyms are stable while the dashboard runs and meaningless outside it.
_PSEUDONYM_KEY = secrets.token_hex(32)


@dataclass(frozen=True)
class Scope:
    """What a restricted user may see. regions None = every region; masked = no identifiers."""

    regions: tuple[str, ...] | None = None
    masked: bool = False

    @property
    def key(self) -> str:
        """A text that differs between any two scopes (part of every cache key)."""
        regions = "*" if self.regions is None else "|".join(sorted(self.regions))
        return f"masked={self.masked};regions={regions}"

    def narrow_regions(self, chosen: tuple[str, ...] | None = ()) -> tuple[str, ...]:
        """The region filter kept inside the scope: the chosen regions the scope allows, or the
        scope's regions (sorted) when none of them is chosen; `chosen` as given without a region
        scope.

        With no region chosen, the scope's regions are the filter, so queries compute from the
        scoped customer rows instead of reading a portfolio-wide aggregate (which is empty here).
        """
        if self.regions is None:
            return tuple(chosen or ())
        kept = tuple(r for r in (chosen or ()) if r in self.regions)
        return kept or tuple(sorted(self.regions))

    def narrow(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Query arguments with the global region filter kept inside the scope (narrow_regions).

        The filter is the argument that is a dataclass with a `regions` field: the global filters
        (queries.filters.Filters), which this layer cannot import, so it knows them by that field
        and rewrites them with dataclasses.replace. A bare `regions` argument is narrowed too.
        """
        if self.regions is None:
            return arguments
        narrowed = dict(arguments)
        for name, value in arguments.items():
            if name == "regions":
                narrowed[name] = self.narrow_regions(value)
            elif _has_regions_field(value):
                chosen = self.narrow_regions(value.regions)
                narrowed[name] = dataclasses.replace(value, regions=chosen)
        return narrowed


def _has_regions_field(value: object) -> bool:
    """Whether `value` is a filter object: a dataclass instance (not a Scope) with `regions`."""
    return (
        dataclasses.is_dataclass(value)
        and not isinstance(value, (type, Scope))
        and any(f.name == "regions" for f in dataclasses.fields(value))
    )


def is_identifier(column: str) -> bool:
    """Columns that identify a customer, contract, payment or event (masked for executives)."""
    return column in ("name", "customer_name") or column.endswith("_id")


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _pseudonym(column: str) -> str:
    # '#' + 10 hex digits of a keyed SHA-256: unlinkable without the process's key.
    key = "(select pseudonym_key from scope_settings)"
    return f"'#' || upper(left(sha256({key} || {_quoted(column)}::varchar), 10))"


def view_sql(table: str, columns: list[str], scope: Scope) -> str:
    """The `create view` statement that stands in for warehouse table `table` under `scope`."""
    source = f"{ALIAS}.main.{_quoted(table)}"
    has = set(columns)
    keyed = bool(has & {"region", "customer_id", "contract_id", "payment_id"})
    identifying = any(is_identifier(c) for c in columns)

    conditions: list[str] = []
    if table in ADMIN_TABLES:
        conditions.append("false")
    elif scope.regions is not None:
        if "region" in has:
            conditions.append(IN_SCOPE)
        if "customer_id" in has:
            conditions.append(f"customer_id in ({SCOPED_CUSTOMERS})")
        elif "contract_id" in has:
            conditions.append(f"contract_id in ({SCOPED_CONTRACTS})")
        elif "payment_id" in has:
            conditions.append(f"payment_id in ({SCOPED_PAYMENTS})")
        if not keyed and (identifying or table not in REFERENCE_TABLES):
            conditions.append("false")

    select = []
    for column in columns:
        if scope.masked and column in FREE_TEXT:
            select.append(f"null::varchar as {_quoted(column)}")
        elif scope.masked and is_identifier(column):
            # A customer's name becomes the pseudonym of its id, so both read the same.
            basis = "customer_id" if column == "name" and "customer_id" in has else column
            select.append(f"{_pseudonym(basis)} as {_quoted(column)}")
        else:
            select.append(_quoted(column))
    where = f" where {' and '.join(conditions)}" if conditions else ""
    return f"create view main.{_quoted(table)} as select {', '.join(select)} from {source}{where}"  # noqa: S608 - identifiers from the catalogue


def connect_scoped(path: str | os.PathLike[str], scope: Scope) -> duckdb.DuckDBPyConnection:
    """A read-only view of the warehouse at `path` limited to `scope` (see the module docstring).

    Cursors of the returned connection share its in-memory database, so they see the views.
    """
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"attach $path as {ALIAS} (read_only)", {"path": str(path)})
        con.execute(
            "create table scope_settings as "
            "select $regions::varchar[] as regions, $key::varchar as pseudonym_key",
            {"regions": list(scope.regions or ()), "key": _PSEUDONYM_KEY},
        )
        tables = con.sql(
            "select table_name, list(column_name order by column_index) "
            "from duckdb_columns() where database_name = $db and schema_name = 'main' "
            "group by table_name order by table_name",
            params={"db": ALIAS},
        ).fetchall()
        for table, columns in tables:
            con.execute(view_sql(table, columns, scope))
    except Exception:
        con.close()
        raise
    return con
