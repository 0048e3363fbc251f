"""The data-quality checks (data/sql/build_data_quality.sql) on rows whose answer is counted by hand."""

from __future__ import annotations

import duckdb
import pytest

from data.runner import execute

TABLES = """
create table customers (customer_id varchar, annual_revenue double, external_rating varchar);
insert into customers values ('C1', null, 'BB'), ('C2', 5e6, 'A');
create table contracts (contract_id varchar, customer_id varchar, last_reviewed_on date);
insert into contracts values ('K1', 'C1', null), ('K2', 'C9', '2026-01-31'), ('K3', null, '2026-02-28');
create table payments (payment_id varchar, contract_id varchar, amount_paid double, amount_due double);
insert into payments values ('P1', 'K1', 5, 10), ('P2', 'K9', 12, 10), ('P3', null, 0, 0);
create table risk_events (event_id varchar, customer_id varchar);
insert into risk_events values ('E1', 'C2'), ('E2', 'C7'), ('E3', null);
"""


@pytest.fixture(scope="module")
def checks() -> dict[tuple[str, str], tuple[int, int, float]]:
    con = duckdb.connect()
    con.execute(TABLES)
    execute(con, "build_data_quality")
    rows = con.sql("select table_name, check_name, offending, total, share from data_quality")
    return {(t, c): (o, n, s) for t, c, o, n, s in rows.fetchall()}


def test_missing_values_are_counted_over_every_row(checks):
    assert checks["customers", "annual_revenue missing"] == (1, 2, 0.5)  # C1
    assert checks["customers", "external_rating missing"] == (0, 2, 0.0)
    assert checks["contracts", "last_reviewed_on missing"] == (1, 3, pytest.approx(1 / 3))  # K1


def test_an_orphan_is_a_key_its_parent_lacks_and_a_missing_key_is_none(checks):
    # K2 names C9, who is no customer; K3 names nobody: not an orphan (as `null not in` is not true)
    assert checks["contracts", "customer not in customers"] == (1, 3, pytest.approx(1 / 3))
    assert checks["payments", "contract not in contracts"] == (1, 3, pytest.approx(1 / 3))  # P2
    assert checks["risk_events", "customer not in customers"] == (1, 3, pytest.approx(1 / 3))  # E2


def test_an_overpayment_is_more_paid_than_due(checks):
    assert checks["payments", "paid more than due"] == (1, 3, pytest.approx(1 / 3))  # P2: 12 > 10
    assert len(checks) == 7
