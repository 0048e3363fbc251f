"""Credit decisions: the policy's [authority], the approval rules, and the way an approved decision
reaches credit_reviews and customer_month — after a load, a full rebuild on a replaced warehouse
and a demo rebuild."""

from __future__ import annotations

import copy
import math
import tomllib
from datetime import date

import duckdb
import polars as pl
import pytest

from data import warehouse, worklog
from data import worklog_decisions as decisions
from data.build import rebuild
from data.ingest import load_frames
from data.policy import DEFAULT_POLICY, Policy, PolicyError, load_policy
from data.worklog import AuthorityExceeded, IllegalTransition, InvalidInput, OutOfScope
from queries import worklist
from tests.tiny_warehouse import CONTRACTS, CUSTOMERS, EVENTS, PAYMENTS, insert_rows
from tests.worklog_helpers import (
    ADMIN,
    ALERTS,
    ANALYST,
    AS_OF,
    EXECUTIVE,
    NORTH,
    OTHER_ADMIN,
    con,
    store,
    tiny_db,
)

__all__ = ["con", "store", "tiny_db"]  # fixtures
RAW = tomllib.loads(DEFAULT_POLICY.read_text(encoding="utf-8"))
SECOND_ANALYST = NORTH  # an analyst other than ANALYST, for approvals within the North


# --- the policy's [authority] and [collections] -------------------------------------------------


def test_the_shipped_authority_and_ranking() -> None:
    policy = load_policy()
    assert dict(policy.authority) == {"analyst": 1_000_000.0, "admin": math.inf}
    assert policy.approval_authority("executive") is None
    assert policy.collections.ranking == "el_x_dpd"
    # written back (to_toml, policy_in_force entries) and read again unchanged
    assert Policy.from_dict(tomllib.loads(policy.to_toml())) == policy
    assert Policy.from_entries(policy.flat()) == policy
    assert policy.flat()["authority.admin"] == "inf"


def test_a_policy_written_before_the_sections_reads_with_the_shipped_values() -> None:
    older = {k: v for k, v in RAW.items() if k not in ("authority", "collections")}
    assert Policy.from_dict(older) == load_policy()


@pytest.mark.parametrize(
    ("section", "value", "key"),
    [
        ("authority", {"analyst": -5.0}, "authority.analyst"),
        ("authority", {"analyst": "a lot"}, "authority.analyst"),
        ("authority", {"auditor": 10.0}, "authority.auditor"),
        ("authority", 1000, "authority"),
        ("collections", {"ranking": "size"}, "collections.ranking"),
        ("collections", {}, "collections.ranking"),
    ],
)
def test_a_bad_authority_or_ranking_names_its_key(section, value, key) -> None:
    raw = copy.deepcopy(RAW)
    raw[section] = value
    with pytest.raises(PolicyError) as caught:
        Policy.from_dict(raw)
    assert caught.value.key == key


@pytest.mark.parametrize(
    ("role", "amount", "refusal"),
    [
        ("analyst", 0.0, None),
        ("analyst", 1_000_000.0, None),
        ("analyst", 1_000_000.01, "above the analyst authority of 1,000,000.00 ([authority] "
         "analyst in the policy); it needs admin: unlimited"),
        ("admin", 5e12, None),
        ("executive", 0.0, "the executive role holds no approval authority"),
    ],
)  # fmt: skip
def test_authority_by_amount(role, amount, refusal) -> None:
    found = decisions.authority_refusal(load_policy(), role, amount)
    assert (found is None) if refusal is None else (refusal in found)


# --- the rules ------------------------------------------------------------------------------


def test_request_and_approve_a_limit(con, store) -> None:
    pending = decisions.request(
        con, ANALYST, "C1", new_limit=6_000.0, reason="late payments", alert_on=ALERTS["C1"],
        store=store,
    )  # fmt: skip
    assert (pending.state, pending.version) == ("pending", 1)
    assert pending.fields["previous_limit"] == 10_000.0  # C1's limit in force at 2026-03-17
    assert pending.fields["effective_on"] == "2026-03-17"  # the warehouse's as-of date
    assert pending.fields["alert_on"] == "2026-01-31"
    approved = decisions.approve(con, ADMIN, pending.item_id, 1, "agreed", store)
    assert (approved.state, approved.fields["decided_by"], approved.note) == (
        "approved",
        "root",
        "agreed",
    )
    rows = decisions.approved_reviews(store)
    assert rows.rows() == [
        (
            "DEC-1",
            "C1",
            date(2026, 3, 17),
            6_000.0,
            None,
            "root",
            "credit decision DEC-1: late payments",
        )
    ]


def test_a_requester_never_approves_their_own(con, store) -> None:
    pending = decisions.request(con, ADMIN, "C1", new_limit=1.0, reason="r", store=store)
    with pytest.raises(OutOfScope, match="never approves or rejects their own"):
        decisions.approve(con, ADMIN, pending.item_id, 1, store=store)
    with pytest.raises(OutOfScope, match="never approves or rejects their own"):
        decisions.reject(con, ADMIN, pending.item_id, 1, "no", store=store)
    assert worklog.item(pending.item_id, store).state == "pending"


def test_above_the_authority_is_refused_naming_it(con, store) -> None:
    pending = decisions.request(con, ADMIN, "C4", new_limit=2_500_000.0, reason="growth",
                                store=store)  # fmt: skip
    with pytest.raises(AuthorityExceeded) as caught:
        decisions.approve(con, ANALYST, pending.item_id, 1, store=store)
    assert str(caught.value) == (
        "a limit of 2,500,000.00 is above the analyst authority of 1,000,000.00 "
        "([authority] analyst in the policy); it needs admin: unlimited"
    )
    assert decisions.approve(con, OTHER_ADMIN, pending.item_id, 1, store=store).state == "approved"


def test_a_block_is_a_limit_of_zero_any_approver_may_approve(con, store) -> None:
    pending = decisions.request(con, ADMIN, "C4", kind="block", reason="bankruptcy rumours",
                                store=store)  # fmt: skip
    assert pending.fields["new_limit"] == 0.0 and pending.fields["decision"] == "block"
    decisions.approve(con, ANALYST, pending.item_id, 1, store=store)
    (row,) = decisions.approved_reviews(store).rows(named=True)
    assert row["credit_limit"] == 0.0
    assert row["note"] == "block on new business (DEC-1): bankruptcy rumours"


def test_withdraw_reject_and_final_states(con, store) -> None:
    first = decisions.request(con, ANALYST, "C1", new_limit=5.0, reason="r", store=store)
    with pytest.raises(OutOfScope, match=r"only its requester \(ben\) withdraws"):
        decisions.withdraw(con, ADMIN, first.item_id, 1, store=store)
    assert decisions.withdraw(con, ANALYST, first.item_id, 1, store=store).state == "withdrawn"
    with pytest.raises(IllegalTransition, match="DEC-1 is withdrawn: only a pending one"):
        decisions.approve(con, ADMIN, first.item_id, 2, store=store)
    second = decisions.request(con, ANALYST, "C1", new_limit=5.0, reason="again", store=store)
    with pytest.raises(InvalidInput, match="a note is required"):
        decisions.reject(con, ADMIN, second.item_id, 1, "", store=store)
    assert decisions.reject(con, ADMIN, second.item_id, 1, "not now", store).state == "rejected"
    assert decisions.approved_reviews(store).is_empty()


def test_one_pending_decision_per_customer(con, store) -> None:
    decisions.request(con, ANALYST, "C2", new_limit=1.0, reason="r", store=store)
    with pytest.raises(IllegalTransition, match="C2 already has a pending decision DEC-1"):
        decisions.request(con, ADMIN, "C2", kind="block", reason="r", store=store)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"new_limit": -1.0}, InvalidInput, "the new limit must be 0 or more, not -1.00"),
        ({"new_limit": math.nan}, InvalidInput, "the new limit must be a number"),
        ({"new_limit": "lots"}, InvalidInput, "the new limit must be a number"),
        ({}, InvalidInput, "a limit decision needs the new limit"),
        ({"kind": "block", "new_limit": 5.0}, InvalidInput, "a block on new business takes no"),
        ({"kind": "raise", "new_limit": 5.0}, InvalidInput, "unknown decision kind 'raise'"),
        ({"new_limit": 5.0, "reason": " "}, InvalidInput, "a reason is required"),
        ({"new_limit": 5.0, "effective_on": date(2026, 3, 1)}, InvalidInput,
         "on or after 2026-03-17 .the warehouse's as-of date."),
        ({"new_limit": 5.0, "alert_on": date(2026, 2, 28)}, InvalidInput,
         "has no watchlist alert of 2026-02"),
    ],
)  # fmt: skip
def test_bad_requests_are_refused_with_a_message(con, store, arguments, error, message) -> None:
    with pytest.raises(error, match=message):
        decisions.request(con, ANALYST, "C1", **({"reason": "r"} | arguments), store=store)
    assert worklog.revision(store) == 0


def test_executives_and_users_without_a_role_do_not_act(con, store) -> None:
    from tests.worklog_helpers import NO_ROLE

    with pytest.raises(OutOfScope, match="executives .* cannot change them"):
        decisions.request(con, EXECUTIVE, "C1", new_limit=1.0, reason="r", store=store)
    with pytest.raises(OutOfScope, match="nobody has no role"):
        decisions.request(con, NO_ROLE, "C1", new_limit=1.0, reason="r", store=store)
    pending = decisions.request(con, ANALYST, "C1", new_limit=1.0, reason="r", store=store)
    with pytest.raises(OutOfScope, match="executives"):
        decisions.approve(con, EXECUTIVE, pending.item_id, 1, store=store)


def test_decisions_pending_for_an_approver(con, store) -> None:
    small = decisions.request(con, ADMIN, "C1", new_limit=9_000.0, reason="small", store=store)
    large = decisions.request(con, ADMIN, "C4", new_limit=3e6, reason="large", store=store)
    own = decisions.request(con, ANALYST, "C2", new_limit=1.0, reason="mine", store=store)
    mine = worklist.decisions(con, ANALYST, store=store)
    assert mine.select("review_id", "may_decide", "why_not").rows() == [
        ("DEC-1", True, ""),
        ("DEC-2", False, mine["why_not"][1]),
        ("DEC-3", False, "you requested it"),
    ]
    assert "above the analyst authority" in mine["why_not"][1]
    assert worklist.decisions_pending(con, ANALYST, store)["item_id"].to_list() == [small.item_id]
    assert worklist.decisions_pending(con, OTHER_ADMIN, store)["item_id"].to_list() == [
        small.item_id,
        large.item_id,
        own.item_id,
    ]
    decisions.approve(con, OTHER_ADMIN, small.item_id, 1, store=store)
    every = worklist.decisions(con, ADMIN, states=(), store=store)
    approved = every.filter(state="approved").row(0, named=True)
    assert (approved["decided_by"], approved["new_limit"], approved["previous_limit"]) == (
        "boss",
        9_000.0,
        10_000.0,
    )
    assert approved["decided_at"] is not None and approved["name"] == "Alpha Manufacturing"


# --- into the warehouse: a load, a full rebuild, a replaced warehouse, the demo ----------------


def _limit(path, customer_id: str, as_of: date) -> tuple[float, list[tuple]]:
    with warehouse.connect(path, read_only=True) as connection:
        limit = connection.sql(
            "select credit_limit from customer_month where customer_id = $c and as_of = $d",
            params={"c": customer_id, "d": as_of},
        ).fetchall()[0][0]
        reviews = connection.sql(
            "select review_id, customer_id, effective_on, credit_limit, decided_by "
            "from credit_reviews order by review_id"
        ).fetchall()
    return limit, reviews


@pytest.fixture
def own_warehouse(tmp_path) -> tuple:
    """A tiny warehouse of this test's own (it is rebuilt), with its worklog next to it."""
    from tests.tiny_warehouse import build_tiny

    path = tmp_path / "warehouse.duckdb"
    connection, _ = build_tiny(path)
    connection.close()
    return path, tmp_path / "worklog.sqlite"


def _approved_cut(path, store, customer_id: str = "C1", limit: float = 6_000.0) -> None:
    with warehouse.connect(path, read_only=True) as connection:
        pending = decisions.request(
            connection, ANALYST, customer_id, new_limit=limit, reason="cut", store=store
        )
        decisions.approve(connection, ADMIN, pending.item_id, 1, store=store)


def test_an_approved_decision_changes_the_figures_after_the_next_build(own_warehouse) -> None:
    path, store = own_warehouse
    assert _limit(path, "C1", AS_OF) == (10_000.0, [])
    _approved_cut(path, store)
    # nothing changes before a build: the warehouse is read-only to the worklog
    assert _limit(path, "C1", AS_OF)[0] == 10_000.0
    with warehouse.writing(path) as connection:
        connection.execute("begin transaction")
        rebuild(connection, as_of=AS_OF)
        connection.execute("commit")
    limit, reviews = _limit(path, "C1", AS_OF)
    assert limit == 6_000.0
    assert reviews == [("DEC-1", "C1", AS_OF, 6_000.0, "root")]
    # the month before keeps the limit in force then (no look-ahead)
    assert _limit(path, "C1", date(2026, 2, 28))[0] == 10_000.0
    with warehouse.connect(path, read_only=True) as connection:
        utilisation = connection.sql(
            "select exposure / credit_limit, utilisation from customer_month "
            "where customer_id = 'C1' and as_of = $d",
            params={"d": AS_OF},
        ).fetchall()[0]
    assert utilisation[0] == pytest.approx(utilisation[1])


def test_the_decision_survives_a_load_and_a_replacement_of_the_warehouse(own_warehouse) -> None:
    path, store = own_warehouse
    _approved_cut(path, store)
    # a load (copy and swap, then the rebuild of data.ingest.commit): an event on 2026-03-31
    # moves the default as-of date to that month-end, after the decision's effective date
    event = pl.DataFrame(
        {
            "event_id": ["E5"],
            "customer_id": ["C4"],
            "occurred_on": [date(2026, 3, 31)],
            "category": ["credit"],
            "kind": ["management_change"],
            "severity": [1],
            "source": ["news"],
            "note": [None],
        },
        schema_overrides={"note": pl.String},
    )
    with warehouse.writing(path) as connection:
        result = load_frames(connection, {"risk_events": event}, "test")
    assert result.built is not None and result.built.as_of == date(2026, 3, 31)
    limit, reviews = _limit(path, "C1", date(2026, 3, 31))
    assert limit == 6_000.0 and [r[0] for r in reviews] == ["DEC-1"]
    # the warehouse replaced whole by a fresh one from the same source rows (a full rebuild)
    with warehouse.writing(path, fresh=True) as connection:
        for table, rows in (
            ("customers", CUSTOMERS),
            ("contracts", CONTRACTS),
            ("payments", PAYMENTS),
            ("risk_events", EVENTS),
        ):
            insert_rows(connection, table, rows)
        assert connection.sql("select count(*) from credit_reviews").fetchall()[0][0] == 0
        connection.execute("begin transaction")
        rebuild(connection, as_of=AS_OF)
        connection.execute("commit")
    assert _limit(path, "C1", AS_OF) == (6_000.0, [("DEC-1", "C1", AS_OF, 6_000.0, "root")])


def test_decisions_for_customers_a_warehouse_lacks_are_skipped(own_warehouse) -> None:
    path, store = own_warehouse
    _approved_cut(path, store)
    with duckdb.connect(":memory:") as memory:
        assert decisions.store_for(memory) is None
    other = path.parent / "other" / "warehouse.duckdb"
    other.parent.mkdir()
    with warehouse.connect(other) as connection:  # no worklog next to it: nothing applied
        insert_rows(connection, "customers", CUSTOMERS)
        assert decisions.sync_to_warehouse(connection) == 0
        # with this worklog named, C1 is written; a decision about a missing customer is not
        assert decisions.sync_to_warehouse(connection, store) == 1
        connection.execute("delete from customers where customer_id = 'C1'")
        connection.execute("delete from credit_reviews")
        decisions.sync_to_warehouse(connection, store)
        assert connection.sql("select count(*) from credit_reviews").fetchall()[0][0] == 0


def test_the_main_warehouse_reads_risk_worklog_db(tmp_path, monkeypatch) -> None:
    main = tmp_path / "main" / "warehouse.duckdb"
    main.parent.mkdir()
    monkeypatch.setenv("RISK_DB", str(main))
    monkeypatch.setenv("RISK_WORKLOG_DB", str(tmp_path / "shared.sqlite"))
    with warehouse.writing(main) as connection:  # a staging copy stands for the main file
        assert decisions.store_for(connection) == tmp_path / "shared.sqlite"
    case = tmp_path / "cases" / "lender.duckdb"
    case.parent.mkdir()
    with warehouse.connect(case) as connection:  # another warehouse keeps its own
        assert decisions.store_for(connection) == case.parent / "worklog.sqlite"


def test_the_demo_rebuild_applies_the_decisions_of_its_worklog(tmp_path) -> None:
    from data.demo import build_demo

    path = tmp_path / "warehouse.duckdb"
    build_demo(path, customers=40, seed=3)
    with warehouse.connect(path, read_only=True) as connection:
        customer_id, as_of, before = connection.sql(
            "select customer_id, as_of, credit_limit from customer_month "
            "where as_of = (select as_of from warehouse_state) and credit_limit > 100 "
            "order by customer_id limit 1"
        ).fetchall()[0]
    _approved_cut(path, tmp_path / "worklog.sqlite", customer_id, round(before / 2, 2))
    build_demo(path, customers=40, seed=3)  # replaces the file with a new warehouse
    limit, reviews = _limit(path, customer_id, as_of)
    assert limit == round(before / 2, 2)
    assert [r[0] for r in reviews if r[0].startswith("DEC-")] == ["DEC-1"]
