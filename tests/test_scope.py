"""Row-level scope and masking in the query layer: scoped connections hold only what a user may
see, for every table of the warehouse (and tables added later), and the cache keeps users apart."""

from __future__ import annotations

import re
import shutil

import duckdb
import polars as pl
import pytest

from data import warehouse
from data.runner import SQL_DIR as DEFINITIONS_DIR
from data.scope import ADMIN_TABLES, REFERENCE_TABLES, Scope, connect_scoped
from queries.runner import SQL_DIR

REGION = "North"
KEYED = {"region", "customer_id", "contract_id", "payment_id"}


@pytest.fixture
def tables(demo_con) -> dict[str, list[str]]:
    rows = demo_con.sql(
        "select table_name, list(column_name order by column_index) from duckdb_columns() "
        "where schema_name = 'main' and database_name = current_database() group by table_name"
    ).fetchall()
    return dict(rows)


@pytest.fixture
def scoped(demo_db):
    opened = []

    def open_(scope: Scope, path=demo_db) -> duckdb.DuckDBPyConnection:
        con = connect_scoped(path, scope)
        opened.append(con)
        return con

    yield open_
    for con in opened:
        con.close()


def _count(con, table: str) -> int:
    return con.sql(f'select count(*) from "{table}"').fetchall()[0][0]


def test_a_region_scope_keeps_only_that_regions_rows_in_every_table(demo_con, scoped, tables):
    con = scoped(Scope(regions=(REGION,))).cursor()
    inside = {
        r[0]
        for r in demo_con.sql(
            "select customer_id from customers where region = $r", params={"r": REGION}
        ).fetchall()
    }
    contracts = {
        r[0]
        for r in demo_con.sql("select contract_id, customer_id from contracts").fetchall()
        if r[1] in inside
    }
    payments = {
        r[0]
        for r in demo_con.sql("select payment_id, contract_id from payments").fetchall()
        if r[1] in contracts
    }
    checked = 0
    for table, columns in tables.items():
        frame = con.sql(f'select * from "{table}"').pl()
        if table in ADMIN_TABLES:
            assert frame.is_empty(), table
        elif "customer_id" in columns:
            assert set(frame["customer_id"]) <= inside, table
            checked += 1
        elif "contract_id" in columns:
            assert set(frame["contract_id"]) <= contracts, table
            checked += 1
        elif "payment_id" in columns:
            assert set(frame["payment_id"]) <= payments, table
            checked += 1
        if "region" in columns:
            assert set(frame["region"]) <= {REGION}, table
        if table in REFERENCE_TABLES:
            assert frame.height == _count(demo_con, table), table
        elif not set(columns) & KEYED:
            assert frame.is_empty(), f"{table}: a portfolio-wide aggregate under a region scope"
        elif table not in ADMIN_TABLES and _count(demo_con, table):
            # (a table the demo leaves empty, cm_scorecard under a policy without [scorecard],
            # has nothing to keep)
            assert 0 < frame.height < _count(demo_con, table), table
    assert checked >= 8  # customers, contracts, payments, events, snapshots, explanations ...


def test_a_masked_scope_holds_no_identifier_or_name_of_any_customer(demo_con, scoped, tables):
    con = scoped(Scope(masked=True)).cursor()
    secrets = set()
    for query in (
        "select customer_id, name from customers",
        "select contract_id, customer_id from contracts",
        "select payment_id, contract_id from payments",
        "select event_id, note from risk_events",
    ):
        for row in demo_con.sql(query).fetchall():
            secrets.update(v for v in row if v)
    for table, _ in tables.items():
        frame = con.sql(f'select * from "{table}"').pl()
        text_columns = [
            c
            for c, dtype in frame.schema.items()
            if dtype == pl.String or dtype == pl.List(pl.String)
        ]
        values = set()
        for column in text_columns:
            series = frame[column]
            values.update(series.explode() if series.dtype == pl.List(pl.String) else series)
        assert not values & secrets, (table, sorted(values & secrets)[:3])
        assert frame.height == _count(demo_con, table) or table in ADMIN_TABLES, table


def test_pseudonyms_are_consistent_so_joins_and_counts_still_hold(demo_con, scoped):
    con = scoped(Scope(masked=True)).cursor()
    query = (
        "select count(*), count(distinct c.customer_id) from customer_month as m "
        "join customers as c on c.customer_id = m.customer_id"
    )
    assert con.sql(query).fetchall() == demo_con.sql(query).fetchall()
    ids = con.sql("select customer_id, name from customers").pl()
    assert ids["customer_id"].str.contains(r"^#[0-9A-F]{10}$").all()
    assert (ids["customer_id"] == ids["name"]).all()
    assert ids["customer_id"].n_unique() == ids.height


def test_a_table_added_later_is_covered_deny_by_default(demo_db, tmp_path, scoped):
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_db, copy)
    con = duckdb.connect(str(copy))
    con.execute("create table model_scores as select customer_id, 1.0 as s from customers")
    con.execute("create table model_summary as select 1 as auc")
    con.execute("create table case_refs as select 'R1' as case_ref_id")
    con.close()
    regional = scoped(Scope(regions=(REGION,)), copy).cursor()
    assert 0 < _count(regional, "model_scores") < 600
    assert _count(regional, "model_summary") == 0  # an aggregate of every region
    assert _count(regional, "case_refs") == 0  # identifiers without a key to scope them by
    masked = scoped(Scope(masked=True), copy).cursor()
    assert masked.sql("select case_ref_id from case_refs").fetchall() != [("R1",)]
    assert _count(masked, "model_summary") == 1


def test_a_scoped_connection_cannot_write_the_warehouse(scoped):
    con = scoped(Scope(regions=(REGION,)))
    with pytest.raises(duckdb.Error):
        con.execute("insert into wh.main.customers select * from wh.main.customers limit 1")


def test_no_query_file_reaches_past_the_views():
    # Queries name tables unqualified, so a scoped connection answers them from its views only.
    for path in [*SQL_DIR.glob("*.sql"), *DEFINITIONS_DIR.glob("*.sql")]:
        text = path.read_text(encoding="utf-8").lower()
        assert not re.search(r"\bwh\.|scope_settings|\battach\b|\bdetach\b", text), path.name


@pytest.mark.parametrize(
    ("scope_regions", "chosen", "expected"),
    [
        (("North", "East"), (), ("East", "North")),  # nothing chosen: the scope
        (("North", "East"), ("East",), ("East",)),  # a choice inside the scope
        (("North",), ("South",), ("North",)),  # a choice outside: back to the scope
        (None, ("South",), ("South",)),  # no region scope: the choice as made
    ],
)
def test_the_global_region_filter_is_kept_inside_the_scope(scope_regions, chosen, expected):
    narrowed = Scope(regions=scope_regions).narrow({"regions": chosen, "as_of": 1})
    assert narrowed == {"regions": expected, "as_of": 1}
    assert Scope(regions=scope_regions).narrow_regions(chosen) == expected


def test_cached_results_are_kept_apart_by_scope(demo_db, demo_con, monkeypatch):
    from dashboard import access, auth
    from queries import customer

    as_of = demo_con.sql("select max(as_of) from customer_month").fetchall()[0][0]
    region_of = dict(demo_con.sql("select customer_id, region from customers").fetchall())
    seen = {}
    # Same query, same arguments, one process, no cache clearing in between.
    for name, scope in (
        ("north", Scope(regions=("North",))),
        ("east", Scope(regions=("East",))),
        ("all", None),
        ("north again", Scope(regions=("North",))),
    ):
        monkeypatch.setattr(auth, "query_scope", lambda scope=scope: scope)
        found = access.fetch(customer.search, text="", as_of=as_of)
        seen[name] = {region_of[c] for c in found["customer_id"]}
    assert seen["north"] == seen["north again"] == {"North"}
    assert seen["east"] == {"East"}
    assert len(seen["all"]) > 1
    assert warehouse.db_path() == demo_db


def test_shared_frames_are_kept_apart_by_scope(demo_db, demo_con, monkeypatch):
    from dashboard import access, auth
    from queries import whatif

    region_of = dict(demo_con.sql("select customer_id, region from customers").fetchall())
    for scope, regions in (
        (Scope(regions=("North",)), {"North"}),
        (Scope(regions=("East",)), {"East"}),
        (None, set(region_of.values())),
    ):
        monkeypatch.setattr(auth, "query_scope", lambda scope=scope: scope)
        history = access.fetch_shared(whatif.history)
        assert {region_of[c] for c in history["customer_id"].unique()} == regions
    monkeypatch.setattr(auth, "query_scope", lambda: Scope(masked=True))
    assert history["customer_id"].str.contains(r"^C\d{7}$").all()
    masked = access.fetch_shared(whatif.history)
    assert masked["customer_id"].str.contains(r"^#[0-9A-F]{10}$").all()


def test_pages_read_the_warehouse_only_through_scoped_fetches():
    # A direct connection would skip the scope; only the admin-only Data page writes (and reads
    # its upload preview) through the warehouse itself.
    from tests.conftest import ROOT

    for path in (ROOT / "dashboard").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        direct = re.findall(
            r"\bholder\(|warehouse\.connect\(|duckdb\.connect\(|\b_cached\(|\b_shared\(", text
        )
        # work_session.py opens the acting user's scoped connection (connection_scope(user)) for
        # the worklog, whose functions check the scope again, and reads the policy in force;
        # mapping_flow.py is the admin-only Data page's mapping step
        allowed = {"access.py", "data_sources.py", "work_session.py", "mapping_flow.py"}
        assert not direct or path.name in allowed, (path.name, direct)
