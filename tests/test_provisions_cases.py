"""The case studies' allowance before and after the policy change (queries.cases.allowance)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from queries import cases
from queries.filters import Filters

NO_FILTER = Filters()


def test_case_allowance_is_ecl_month_by_month_end(demo_con):
    frame = cases.allowance(demo_con, NO_FILTER)
    month_ends = [
        r[0]
        for r in demo_con.sql(
            "select distinct as_of from ecl_month where day(as_of + 1) = 1 order by 1"
        ).fetchall()
    ]
    assert frame["as_of"].to_list() == month_ends
    last = frame.row(-1, named=True)
    allowance, gross = demo_con.sql(
        "select sum(allowance)::double, sum(gross_carrying_amount)::double from ecl_month "
        "where as_of = $d",
        params={"d": last["as_of"]},
    ).fetchall()[0]
    assert last["allowance"] == pytest.approx(allowance)
    assert last["coverage"] == pytest.approx(allowance / gross)
    small = cases.allowance(demo_con, Filters(segments=("Small",)))
    assert small.row(-1, named=True)["allowance"] < last["allowance"]


def test_both_cases_compare_the_allowance_and_its_coverage_by_hand():
    for scenario in ("manufacturer", "lender"):
        keys = [m.key for m in cases.CASE_METRICS[scenario]]
        assert keys[-2:] == ["allowance", "coverage"]
    frame = pl.DataFrame(
        {
            "as_of": [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)],
            "allowance": [100.0, 120.0, 90.0, 70.0],
            "coverage": [0.05, 0.06, 0.045, 0.035],
        }
    )
    window = cases.Windows(
        policy_month=date(2026, 3, 1),
        earlier=(),
        before=(date(2026, 1, 31), date(2026, 2, 28)),
        after=(date(2026, 3, 31), date(2026, 4, 30)),
    )
    table = {
        r["metric"]: r
        for r in cases.before_after(frame, cases.ALLOWANCE_METRICS, window).iter_rows(named=True)
    }
    # averages 110 before, 80 after: -30, -27 %; coverage 5.5 % -> 4 %
    assert (table["allowance"]["before"], table["allowance"]["after"]) == (110.0, 80.0)
    assert table["allowance"]["improved"] is True and table["allowance"]["material"] is True
    assert table["coverage"]["change"] == pytest.approx(-0.015)
