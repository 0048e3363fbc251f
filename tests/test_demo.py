"""The demo warehouse goes through the same validation as user files and builds completely."""

from __future__ import annotations

import pytest

from data import warehouse
from data.demo import build_demo


@pytest.mark.parametrize("scenario", ["manufacturer", "lender"])
def test_both_scenarios_pass_validation_and_load_whole(tmp_path, scenario):
    result = build_demo(tmp_path / f"{scenario}.duckdb", scenario=scenario, customers=300, seed=11)
    assert result.load.exit_code == 0
    # every source table but fx_rates: the demo is all in the reporting currency
    generated = [t for t in warehouse.LOAD_ORDER if t != "fx_rates"]
    assert [r.table for r in result.load.reports] == generated
    assert [r.rows_rejected for r in result.load.reports] == [0] * len(generated)
    con = warehouse.connect(result.path, read_only=True)
    counts = warehouse.table_counts(con)
    con.close()
    assert {t: counts[t] for t in result.rows} == result.rows
    assert counts["quarantine"] == 0
    assert result.rows["payments"] > 300  # every scenario bills its customers
    # write-offs, recoveries and credit reviews pass the loader's cross-row rules
    assert result.rows["adjustments"] > 0 and result.rows["credit_reviews"] > 0


def test_rebuilding_the_demo_replaces_the_file_and_leaves_no_staging(tmp_path):
    path = tmp_path / "w.duckdb"
    build_demo(path, customers=100, seed=1)
    second = build_demo(path, customers=120, seed=2)
    con = warehouse.connect(path, read_only=True)
    assert warehouse.table_counts(con)["customers"] == second.rows["customers"] == 120
    con.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.duckdb", "w.duckdb.lock"]
