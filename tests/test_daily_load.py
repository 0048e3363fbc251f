"""The daily-load benchmark's generated day (benchmarks/daily_load.py): its rows, worked by hand on a
tiny warehouse, and on the demo warehouse a day the load accepts whole."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from benchmarks.daily_load import DAY, day_files
from data import warehouse
from data.ingest import prepare, sources_from_paths

DAY_OF = date(2026, 3, 2)


@pytest.fixture()
def tiny():
    con = duckdb.connect()
    con.execute("create table customers (customer_id varchar)")
    con.execute("insert into customers values ('C1'), ('C2'), ('C3')")
    con.execute("create table contracts (contract_id varchar, customer_id varchar)")
    con.execute("insert into contracts values ('K1', 'C1'), ('K2', 'C2'), ('K3', 'C3')")
    con.execute(
        "create table payments (payment_id varchar, contract_id varchar, issued_on date, "
        "due_on date, amount_due double, paid_on date, amount_paid double)"
    )
    con.execute(
        """insert into payments values
        ('P1', 'K1', '2026-01-01', '2026-01-31', 100, null, 0),     -- C1's oldest open: settles
        ('P2', 'K1', '2026-02-01', '2026-02-28', 200, null, 0),     -- C1's next one: stays open
        ('P3', 'K2', '2026-01-01', '2026-01-31', 300, '2026-01-30', 300),  -- C2 owes nothing
        ('P4', 'K3', '2026-03-05', '2026-04-04', 400, null, 0)      -- issued after the day"""
    )
    yield con
    con.close()


def test_each_drawn_customer_settles_its_oldest_open_instalment_in_full(tiny):
    # only C1 owes an instalment issued by the day: one row, whatever the share
    for share in (0.34, 1.0):
        rows = DAY.run(tiny, "daily_payments", day=DAY_OF, share=share, seed=7).rows()
        assert rows == [("P1", "K1", date(2026, 1, 1), date(2026, 1, 31), 100.0, DAY_OF, 100.0)]


def test_the_day_holds_the_share_of_customers_fifty_events_and_twenty_reviews(demo_db, tmp_path):
    with warehouse.connect(demo_db, read_only=True) as con:
        customers = warehouse.scalar(con, "select count(*) from customers")
        rows = day_files(con, tmp_path)
        prepared = prepare(con, sources_from_paths([tmp_path]))
    assert rows == {
        "payments": round(customers * 0.01),
        "risk_events": 50,
        "credit_reviews": 20,
    }
    reports = {item.report.table: item.report for item in prepared}
    assert {table: r.status for table, r in reports.items()} == dict.fromkeys(rows, "loaded")
    assert {table: r.rows_accepted for table, r in reports.items()} == rows
