"""Who may read and change work items: roles, region scope, and the customer an item is about.

Analysts and admins act; analysts within their regions (the regions of the access file, as every
query of the dashboard, data/scope.py); executives see counts only; a user without a known role
gets nothing (deny by default). The customer's region, owner and limit come from the warehouse
(data/sql/worklist_customers.sql): through a scoped connection a customer outside the scope is
simply absent, so a refusal never tells that it exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import duckdb

from data import audit
from data.scope import Scope
from data.users import User
from data.worklog import NAME_LIMIT, InvalidInput, OutOfScope


def open_user(name: str = "local") -> User:
    """The user a page acts as while access control is off (the open demo): an admin named
    `name`. Pages should ask who is working, since a requester never approves their own."""
    return User(name=name, role="admin")


def role_of(user: User) -> str:
    """The user's role; OutOfScope for a user without a known role (deny by default)."""
    role = user.known_role
    if role is None:
        raise OutOfScope(f"{audit.escape_text(user.name)} has no role: nothing can be shown")
    return role


def scope_of(user: User) -> Scope | None:
    """The rows `user` may see, as the dashboard's queries see them (dashboard.auth.query_scope):
    None for an admin (everything); else the user's regions (None = all) and, for an executive,
    masked (counts, no names)."""
    role = role_of(user)
    if role == "admin":
        return None
    return Scope(regions=user.regions or None, masked=role == "executive")


def require_names(user: User) -> Scope | None:
    """scope_of(user) for reads that show customers; OutOfScope for an executive."""
    scope = scope_of(user)
    if scope is not None and scope.masked:
        raise OutOfScope("executives see the counts of work items, not the items themselves")
    return scope


def require_writer(user: User) -> Scope | None:
    """scope_of(user) for changes; OutOfScope for a role that does not act (executives)."""
    scope = scope_of(user)
    if scope is not None and scope.masked:
        raise OutOfScope("executives see the counts of work items and cannot change them")
    return scope


def in_scope(scope: Scope | None, region: str | None) -> bool:
    """True when a customer of `region` is inside `scope` (None = everything)."""
    return scope is None or scope.regions is None or region in scope.regions


@dataclass(frozen=True)
class Customer:
    """What a work item needs to know about its customer, from the warehouse."""

    customer_id: str
    name: str
    region: str | None
    owner: str | None
    credit_limit: float | None  # in force at the warehouse's as-of date (reporting currency)
    as_of: date | None  # the as-of date of the warehouse's last build


def customers(con: duckdb.DuckDBPyConnection, customer_ids: Iterable[str]) -> dict[str, Customer]:
    """The warehouse's customers among `customer_ids`, by id (data/sql/worklist_customers.sql).
    Through a scoped connection, customers outside the scope are absent."""
    from data.runner import run  # late: the worklog file is read without the warehouse

    frame = run(con, "worklist_customers", customer_ids=sorted(set(customer_ids)))
    return {row["customer_id"]: Customer(**row) for row in frame.iter_rows(named=True)}


def customer_for(con: duckdb.DuckDBPyConnection, user: User, customer_id: str) -> Customer:
    """The customer `user` is about to change an item of: InvalidInput when the warehouse has no
    such customer, OutOfScope when it is outside the user's regions or the user may not act."""
    scope = require_writer(user)
    if not isinstance(customer_id, str) or not customer_id:
        raise InvalidInput("a customer id is required")
    found = customers(con, [customer_id]).get(customer_id)
    shown = audit.escape_text(customer_id[:NAME_LIMIT])
    if found is None:
        raise InvalidInput(f"no customer {shown} in the warehouse")
    if not in_scope(scope, found.region):
        regions = ", ".join(scope.regions or ()) if scope else ""
        raise OutOfScope(f"customer {shown} is outside your regions ({regions})")
    return found
