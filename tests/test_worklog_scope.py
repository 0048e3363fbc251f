"""Scope: a region-limited analyst reads and writes only their regions' items (through the
functions, a scoped connection and the export); an executive gets counts, never names; a user
without a role gets nothing. Tiny warehouse: C1 and C3 are North, C2 and C5 South, C4 West."""

from __future__ import annotations

import pytest

from commands.worklog_export import export
from data import worklog
from data import worklog_collections as collections
from data import worklog_decisions as decisions
from data import worklog_reviews as reviews
from data.scope import Scope, connect_scoped
from data.worklog import InvalidInput, OutOfScope
from queries import worklist
from queries import worklist_collections as worklists
from queries.filters import Filters
from tests.worklog_helpers import (
    ADMIN,
    ALERTS,
    AS_OF,
    EXECUTIVE,
    NO_ROLE,
    NORTH,
    SOUTH,
    TODAY,
    con,
    store,
    tiny_db,
)

__all__ = ["con", "store", "tiny_db"]  # fixtures


@pytest.fixture
def worked(con, store):
    """Items of both regions: reviews of C1 (North, item 1) and C2 (South, 2), decisions for
    them (3, 4), and for C3 (North) and C5 (South) a promise, a dispute and a contact (5-7,
    8-10)."""
    reviews.take(con, NORTH, "C1", ALERTS["C1"], 0, store=store)
    reviews.take(con, SOUTH, "C2", ALERTS["C2"], 0, store=store)
    decisions.request(con, NORTH, "C1", new_limit=9_000.0, reason="north", store=store)
    decisions.request(con, SOUTH, "C2", new_limit=4_000.0, reason="south", store=store)
    for user, customer in ((NORTH, "C3"), (SOUTH, "C5")):
        collections.promise(con, user, customer, amount=10.0, promised_on=TODAY, today=TODAY,
                            store=store)  # fmt: skip
        collections.open_dispute(con, user, customer, reason="delivery", store=store)
        collections.record_contact(con, user, customer, channel="phone", outcome="reached",
                                   today=TODAY, store=store)  # fmt: skip
    return store


WRITES = [
    ("take", lambda c, u, s: reviews.take(c, u, "C2", ALERTS["C2"], 1, store=s)),
    ("assign", lambda c, u, s: reviews.assign(c, u, "C2", ALERTS["C2"], 1, "ana", store=s)),
    ("comment", lambda c, u, s: reviews.comment(c, u, "C2", ALERTS["C2"], 1, "hi", s)),
    ("close", lambda c, u, s: reviews.close(c, u, "C2", ALERTS["C2"], 1, "no_action", store=s)),
    ("untouched alert", lambda c, u, s: reviews.take(c, u, "C5", ALERTS["C5"], 0, store=s)),
    ("request", lambda c, u, s: decisions.request(c, u, "C5", kind="block", reason="r", store=s)),
    ("approve", lambda c, u, s: decisions.approve(c, u, 4, 1, store=s)),
    ("reject", lambda c, u, s: decisions.reject(c, u, 4, 1, "no", store=s)),
    ("promise", lambda c, u, s: collections.promise(c, u, "C2", amount=1.0, promised_on=TODAY,
                                                    today=TODAY, store=s)),
    ("contact", lambda c, u, s: collections.record_contact(c, u, "C2", channel="email",
                                                           outcome="reached", store=s)),
    ("dispute", lambda c, u, s: collections.open_dispute(c, u, "C2", reason="other", store=s)),
    ("resolve", lambda c, u, s: collections.resolve_dispute(c, u, 9, 1, "done", store=s)),
    ("cancel", lambda c, u, s: collections.cancel_promise(c, u, 8, 1, "done", store=s)),
]  # fmt: skip


@pytest.mark.parametrize(("name", "write"), WRITES, ids=[w[0] for w in WRITES])
def test_a_region_limited_analyst_cannot_write_another_regions_items(
    con, worked, name, write
) -> None:
    before = worklog.revision(worked)
    with pytest.raises(OutOfScope, match=r"customer C\d is outside your regions \(North\)"):
        write(con, NORTH, worked)
    assert worklog.revision(worked) == before


def test_through_a_scoped_connection_the_customer_does_not_even_exist(tiny_db, worked) -> None:
    scoped = connect_scoped(tiny_db, Scope(regions=("North",)))
    try:
        with pytest.raises(InvalidInput, match="no customer C2 in the warehouse"):
            reviews.take(scoped, NORTH, "C2", ALERTS["C2"], 1, store=worked)
        alerts = worklist.alert_reviews(
            scoped, NORTH, Filters(as_of=AS_OF), store=worked, today=TODAY
        )
        assert sorted(alerts["customer_id"]) == ["C1", "C3"]
        # and within the scope it works as through the warehouse itself
        assert reviews.comment(scoped, NORTH, "C1", ALERTS["C1"], 1, "ok", worked).version == 2
    finally:
        scoped.close()


def test_a_region_limited_analyst_reads_only_their_regions(con, worked) -> None:
    def customers(frame) -> list[str]:
        return sorted(set(frame["customer_id"]))

    alerts = worklist.alert_reviews(con, NORTH, Filters(as_of=AS_OF), store=worked, today=TODAY)
    assert customers(alerts) == ["C1", "C3"]
    # a chosen region outside the scope does not widen it
    outside = worklist.alert_reviews(
        con, NORTH, Filters(as_of=AS_OF, regions=("South",)), store=worked, today=TODAY
    )
    assert customers(outside) == ["C1", "C3"]
    assert customers(worklist.decisions(con, NORTH, states=(), store=worked)) == ["C1"]
    assert customers(worklists.promises(con, NORTH, store=worked, today=TODAY)) == ["C3"]
    assert customers(worklists.disputes(con, NORTH, store=worked)) == ["C3"]
    assert customers(worklists.contacts(con, NORTH, store=worked)) == ["C3"]
    assert customers(
        worklists.collections_worklist(con, NORTH, Filters(as_of=AS_OF), store=worked, today=TODAY)
    ) == ["C1", "C3"]
    with pytest.raises(OutOfScope, match="customer C2 is outside your regions"):
        worklist.customer_history(con, NORTH, "C2", worked)
    assert worklist.customer_history(con, NORTH, "C1", worked).height == 2  # take, request
    # and the admin sees both regions
    assert customers(worklist.decisions(con, ADMIN, states=(), store=worked)) == ["C1", "C2"]


def test_counts_follow_the_scope(con, worked) -> None:
    north = worklist.action_counts(con, NORTH, Filters(as_of=AS_OF), store=worked, today=TODAY)
    every = worklist.action_counts(con, ADMIN, Filters(as_of=AS_OF), store=worked, today=TODAY)
    assert north.select("open_alerts", "decisions_pending", "disputes_open").row(0) == (2, 1, 1)
    assert every.select("open_alerts", "decisions_pending", "disputes_open").row(0) == (5, 2, 2)


def test_an_executive_gets_counts_not_names(con, worked) -> None:
    counts = worklist.action_counts(con, EXECUTIVE, Filters(as_of=AS_OF), store=worked, today=TODAY)
    assert counts.row(0, named=True)["open_alerts"] == 5
    assert counts.row(0, named=True)["decisions_awaiting_user"] == 0
    assert not any(isinstance(v, str) for v in counts.row(0))
    for read in (
        lambda: worklist.alert_reviews(con, EXECUTIVE, Filters(as_of=AS_OF), store=worked),
        lambda: worklist.decisions(con, EXECUTIVE, store=worked),
        lambda: worklist.customer_history(con, EXECUTIVE, "C1", worked),
        lambda: worklists.collections_worklist(con, EXECUTIVE, Filters(as_of=AS_OF), store=worked),
        lambda: worklists.promises(con, EXECUTIVE, store=worked),
        lambda: export(worked.parent / "out", user=EXECUTIVE, store=worked),
    ):
        with pytest.raises(OutOfScope, match="executives see the counts"):
            read()
    with pytest.raises(OutOfScope, match="cannot change them"):
        reviews.take(con, EXECUTIVE, "C4", ALERTS["C4"], 0, store=worked)


def test_a_user_without_a_role_gets_nothing(con, worked) -> None:
    with pytest.raises(OutOfScope, match="nobody has no role"):
        worklist.action_counts(con, NO_ROLE, Filters(as_of=AS_OF), store=worked)
    with pytest.raises(OutOfScope, match="nobody has no role"):
        worklist.alert_reviews(con, NO_ROLE, Filters(as_of=AS_OF), store=worked)


def test_the_export_of_a_region_limited_analyst_holds_their_regions_only(
    tiny_db, worked, tmp_path
) -> None:
    everything = export(tmp_path / "all", "parquet", store=worked)
    north = export(tmp_path / "north", "parquet", user=NORTH, db=tiny_db, store=worked)
    assert {kind: rows for kind, (_, rows) in everything.items()} == {
        "review": 2,
        "decision": 2,
        "contact": 2,
        "promise": 2,
        "dispute": 2,
    }
    import polars as pl

    for kind, (path, rows) in north.items():
        assert rows == 1, kind
        assert set(pl.read_parquet(path)["customer_id"]) <= {"C1", "C3"}
