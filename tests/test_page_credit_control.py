"""Credit control: review status by band frequency on hand-made data, counts against SQL, the page."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from data import warehouse
from queries import credit_control
from tests.conftest import page_path

D = date(2026, 6, 30)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    path = tmp_path_factory.mktemp("cc") / "c.duckdb"
    con = warehouse.connect(path)  # the source tables with their real types
    con.execute(
        "create table customer_month as select * from (values "
        "('h', 'High One', 'Retail', 'East', 'S', 'Li', 'D', 'High', 120.0, 100.0, 1.2), "
        "('m', 'Mid One', 'Retail', 'East', 'S', 'Li', 'C', 'Medium', 85.0, 100.0, 0.85), "
        "('l', 'Low One', 'Retail', 'East', 'S', 'Li', 'A', 'Low', 10.0, 100.0, 0.1)) "
        "t(customer_id, name, industry, region, segment, owner, grade, band, exposure, credit_limit, utilisation)"
    )
    con.execute("alter table customer_month add column as_of date default date '2026-06-30'")
    for column in ("exposure", "credit_limit", "utilisation"):
        con.execute(f"alter table customer_month alter {column} type double")
    con.execute(
        "create table policy_in_force as select * from (values "
        "('controls.High.review_frequency_months', '1'), ('controls.High.limit_action', 'cut 25 %'), "
        "('controls.High.collateral_required', 'true'), ('controls.High.prepayment_required', 'true'), "
        "('controls.Medium.review_frequency_months', '3'), ('controls.Medium.limit_action', 'hold'), "
        "('controls.Medium.collateral_required', 'true'), ('controls.Medium.prepayment_required', 'false'), "
        "('controls.Low.review_frequency_months', '12'), ('controls.Low.limit_action', 'maintain'), "
        "('controls.Low.collateral_required', 'false'), ('controls.Low.prepayment_required', 'false')) t(key, value)"
    )
    # h reviewed 2026-05-15: + 1 month = 2026-06-15 < as-of → overdue.
    # m reviewed 2026-04-30: + 3 months = 2026-07-30 → not overdue. l never reviewed → overdue.
    con.execute(
        "insert into contracts values "
        "('k1', 'h', 'sales', '2026-01-01', '2026-01-01', '2026-08-31', 100, 'CNY', 30, 0, 'active', 'Z', '2026-05-15'), "
        "('k2', 'm', 'sales', '2026-01-01', '2026-01-01', '2027-12-31', 100, 'CNY', 30, 0, 'in_dispute', 'Z', '2026-04-30'), "
        "('k3', 'l', 'sales', '2026-01-01', '2026-01-01', '2027-12-31', 100, 'CNY', 30, 0, 'active', 'Z', null)"
    )
    yield con
    con.close()


def test_controls_follow_the_band_and_reviews_the_frequency(tiny):
    rows = {
        r["customer_id"]: r for r in credit_control.customers(tiny, as_of=D).iter_rows(named=True)
    }
    assert [r for r in rows] == ["h", "m", "l"]  # highest utilisation first
    assert (
        rows["h"]["limit_action"],
        rows["h"]["prepayment_required"],
        rows["h"]["review_months"],
    ) == ("cut 25 %", True, 1)
    assert rows["h"]["review_due"] == date(2026, 6, 15) and rows["h"]["review_overdue"]
    assert rows["m"]["review_due"] == date(2026, 7, 30) and not rows["m"]["review_overdue"]
    assert rows["l"]["review_overdue"]  # never reviewed


def test_summary_counts_by_hand(tiny):
    s = credit_control.summary(tiny, as_of=D).row(0, named=True)
    # over limit: h (120 %); near: m (85 %); reviews overdue: h and l; k1 ends 2026-08-31 (within 90 days).
    assert (
        s["over_limit"],
        s["near_limit"],
        s["review_overdue"],
        s["expiring_90d"],
        s["in_dispute"],
    ) == (1, 1, 2, 1, 1)
    assert s["contracts_due_review"] == 2  # k1 (monthly, last 05-15) and k3 (never)
    assert credit_control.contracts(tiny, as_of=D, which="review")[
        "contract_id"
    ].sort().to_list() == ["k1", "k3"]
    assert credit_control.contracts(tiny, as_of=D, which="dispute")["contract_id"].to_list() == [
        "k2"
    ]
    with pytest.raises(ValueError, match="which must be one of"):
        credit_control.contracts(tiny, as_of=D, which="all; drop table contracts")


def test_page_renders_and_filter_changes_counts(demo_db, demo_con):
    at = AppTest.from_file(page_path("credit_control"), default_timeout=60).run()
    assert not at.exception
    at.session_state["f_industry"] = ["Retail"]
    at.run()
    assert not at.exception
    as_of = demo_con.sql("select max(as_of) from month_grid").fetchall()[0][0]
    over = demo_con.sql(
        "select count(*) from customer_month where as_of = $d and industry = 'Retail' and exposure > 0 and utilisation > 1",
        params={"d": as_of},
    ).fetchall()[0][0]
    assert at.metric[0].value == f"{over:,}"
    at.session_state["f_industry"] = ["Nothing"]
    at.run()
    assert "No customer with exposure" in at.info[0].value
