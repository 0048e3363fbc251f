"""Case-study queries and the before/after comparison on tiny hand-made data, answers worked out by hand.

The SQL runs on in-memory DuckDB tables holding only the columns each query reads.
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl
import pytest

from queries import cases
from queries.cases import Metric
from queries.filters import Filters

D = date.fromisoformat
NO_FILTER = Filters()


# ---------- windows and the before/after rule ----------

MONTHS = [D(d) for d in ("2025-07-31", "2025-08-31", "2025-09-30", "2025-10-31", "2025-11-30", "2025-12-31")]  # fmt: skip
POLICY = D("2025-11-01")


def test_windows_split_month_ends_around_the_policy_month():
    window = cases.windows(MONTHS, POLICY, months=2)
    assert window.earlier == (D("2025-07-31"), D("2025-08-31"))
    assert window.before == (D("2025-09-30"), D("2025-10-31"))
    assert window.after == (D("2025-11-30"), D("2025-12-31"))
    # After the policy: as many months as exist, up to the window length.
    short = cases.windows(MONTHS[:5], POLICY, months=2)
    assert short.after == (D("2025-11-30"),)
    twelve = cases.windows(MONTHS, POLICY)
    assert twelve.before == tuple(MONTHS[:4]) and twelve.earlier == ()


@pytest.mark.parametrize(
    ("first", "months", "expected"),
    [
        (D("2025-11-01"), -12, D("2024-11-01")),
        (D("2025-01-15"), -1, D("2024-12-01")),
        (D("2025-11-01"), 12, D("2026-11-01")),
        (D("2025-12-01"), 1, D("2026-01-01")),
    ],
)
def test_shift_month(first, months, expected):
    assert cases.shift_month(first, months) == expected


# Before = Sep, Oct; after = Nov, Dec (two-month windows).
FRAME = pl.DataFrame(
    {
        "as_of": MONTHS,
        "overdue": [0.5, 0.5, 0.10, 0.12, 0.09, 0.10],
        "write_offs": [0.0, 0.0, 100.0, 100.0, 105.0, 104.0],
        "missing_after": [1.0, 1.0, 1.0, 1.0, None, None],
        "from_zero": [0.0, 0.0, 0.0, 0.0, 0.01, 0.0],
        "both_zero": [0.0] * 6,
        "collected": [0.5, 0.5, 0.60, 0.70, 0.66, 0.64],
        "defaults": [0, 0, 10, 10, 2, 3],
        "at_risk": [1000] * 6,
        "defaults_few": [0, 0, 10, 10, 7, 8],
    }
)
METRICS = [
    Metric("overdue", "overdue", "share", True),
    Metric("write_offs", "write_offs", "money", True),
    Metric("missing_after", "missing_after", "share", True),
    Metric("from_zero", "from_zero", "share", True),
    Metric("both_zero", "both_zero", "share", True),
    Metric("collected", "collected", "share", False),
    Metric("defaults", "defaults", "share", True, events="defaults", trials="at_risk"),
    Metric("defaults_few", "defaults_few", "share", True, events="defaults_few", trials="at_risk"),
]


@pytest.fixture(scope="module")
def compared() -> dict[str, dict]:
    table = cases.before_after(FRAME, METRICS, cases.windows(MONTHS, POLICY, months=2))
    return {row["metric"]: row for row in table.iter_rows(named=True)}


def test_a_relative_change_above_ten_percent_is_material(compared):
    row = compared["overdue"]
    # before (0.10 + 0.12) / 2 = 0.11; after (0.09 + 0.10) / 2 = 0.095; -0.015 / 0.11 = -13.6 %
    assert row["before"] == pytest.approx(0.11)
    assert row["after"] == pytest.approx(0.095)
    assert row["change"] == pytest.approx(-0.015)
    assert row["relative_change"] == pytest.approx(-0.015 / 0.11)
    assert (row["test"], row["material"], row["improved"]) == ("relative", True, True)


def test_a_small_relative_change_is_not_material_and_direction_follows_the_metric(compared):
    row = compared["write_offs"]  # 100 -> 104.5: +4.5 %, higher is worse
    assert (row["before"], row["after"]) == (100.0, 104.5)
    assert row["relative_change"] == pytest.approx(0.045)
    assert (row["material"], row["improved"]) == (False, False)
    better = compared["collected"]  # 0.65 -> 0.65: no change at all
    assert better["before"] == pytest.approx(0.65) and better["after"] == pytest.approx(0.65)
    assert better["material"] is False


def test_missing_values_and_zero_baselines(compared):
    assert compared["missing_after"]["after"] is None
    assert compared["missing_after"]["material"] is None
    # From 0 to 0.005: no relative change exists, and any change from nothing is material.
    zero = compared["from_zero"]
    assert (zero["before"], zero["after"], zero["relative_change"]) == (0.0, 0.005, None)
    assert (zero["material"], zero["improved"]) == (True, False)
    both = compared["both_zero"]
    assert (both["change"], both["material"], both["improved"]) == (0.0, False, None)


def test_event_rates_are_pooled_and_judged_by_a_two_proportion_z_test(compared):
    row = compared["defaults"]
    # before 20 / 2000 = 1 %, after 5 / 2000 = 0.25 %; pooled p = 25 / 4000 = 0.625 %,
    # z = (0.0025 - 0.01) / sqrt(0.00625 * 0.99375 * (1/2000 + 1/2000)) = -3.009
    assert (row["before"], row["after"]) == (0.01, 0.0025)
    assert row["test"] == "z"
    assert row["statistic"] == pytest.approx(-3.0094, abs=1e-4)
    assert (row["material"], row["improved"]) == (True, True)
    # 20 / 2000 -> 15 / 2000 is a 25 % relative fall but z = -0.849: not material.
    few = compared["defaults_few"]
    assert few["relative_change"] == pytest.approx(-0.25)
    assert few["statistic"] == pytest.approx(-0.8489, abs=1e-4)
    assert few["material"] is False


def test_two_proportion_z_edges():
    assert cases.two_proportion_z(1, 0, 1, 10) is None
    assert cases.two_proportion_z(0, 10, 0, 10) == 0.0
    assert cases.two_proportion_z(10, 10, 10, 10) == 0.0


def test_window_averages_of_the_earlier_window():
    averages = cases.window_averages(FRAME, METRICS[:1], (D("2025-07-31"), D("2025-08-31")))
    assert averages == {"overdue": 0.5}


def test_charts_start_with_the_earlier_window():
    window = cases.windows(MONTHS, POLICY, months=2)
    assert cases.charted(FRAME, window)["as_of"].to_list() == MONTHS  # earlier starts in July
    later = cases.windows(MONTHS[2:], POLICY, months=2)  # no earlier window: from the before one
    assert cases.charted(FRAME, later)["as_of"].to_list() == MONTHS[2:]
    assert cases.charted(FRAME, cases.windows([], POLICY)).height == len(MONTHS)


def test_case_filters_keep_values_the_case_holds_and_report_the_rest():
    available = pl.DataFrame(
        {
            "dimension": ["segment", "segment", "region", "industry"],
            "value": ["Large", "Small", "East", "Retail"],
        }
    )
    applied, ignored = cases.case_filters(
        Filters(segments=("Large", "Nope"), regions=("Mars",), industries=()), available
    )
    assert applied == Filters(segments=("Large",), regions=(), industries=())
    assert ignored == {"segments": ("Nope",), "regions": ("Mars",)}


# ---------- SQL on tiny tables ----------


@pytest.fixture(scope="module")
def con():
    db = duckdb.connect()
    db.execute(
        "create table customer_month (customer_id varchar, as_of date, segment varchar, "
        "region varchar, industry varchar, exposure double, max_dpd integer, band varchar, "
        "defaulted boolean, written_off double)"
    )
    db.execute(
        """insert into customer_month values
        ('X', '2025-01-31', 'Large', 'East', 'Retail', 100, 0, 'Low', false, 0),
        ('Y', '2025-01-31', 'Small', 'East', 'Retail', 300, 40, 'Medium', false, 0),
        ('X', '2025-02-28', 'Large', 'East', 'Retail', 120, 95, 'High', true, 0),
        ('Y', '2025-02-28', 'Small', 'East', 'Retail', 280, 10, 'Low', false, 25),
        ('Z', '2025-02-28', 'Large', 'West', 'Retail', 50, 100, 'High', true, 60),
        ('X', '2025-03-15', 'Large', 'East', 'Retail', 999, 0, 'Low', false, 0)"""
    )
    yield db
    db.close()


def test_customer_risk_by_hand(con):
    rows = cases.customer_risk(con, NO_FILTER).rows(named=True)
    assert [r["as_of"] for r in rows] == [D("2025-01-31"), D("2025-02-28")]  # mid-month left out
    jan, feb = rows
    assert (jan["customers"], jan["exposure"], jan["low_share"], jan["medium_share"]) == (
        2,
        400,
        0.25,
        0.75,
    )
    assert (jan["overdue_30_share"], jan["overdue_90_share"], jan["performing_30_share"]) == (
        0.75,
        0,
        0.75,
    )
    # Nobody had a previous month-end in January: nobody at risk, no rate.
    assert (jan["customers_at_risk"], jan["default_rate"], jan["write_offs"]) == (0, None, 0)
    assert (feb["customers"], feb["exposure"], feb["exposure_high"]) == (3, 450, 170)
    assert feb["high_share"] == pytest.approx(170 / 450)
    assert feb["overdue_30_share"] == pytest.approx(170 / 450)  # X 120 and Z 50 are 90+
    assert feb["defaulted_share"] == pytest.approx(170 / 450)
    assert feb["performing_30_share"] == 0  # Y, the only performing customer, is 10 days late
    # X and Y were performing in January; X defaulted. Z defaulted in its first month: never at risk.
    assert (feb["customers_at_risk"], feb["new_defaults"], feb["default_rate"]) == (2, 1, 0.5)
    # write-offs are what was written off in the month: Y 25 + Z 60
    assert feb["write_offs"] == 85


def test_customer_risk_filtered(con):
    large = cases.customer_risk(con, Filters(segments=("Large",))).rows(named=True)
    assert [(r["exposure"], r["customers_at_risk"], r["default_rate"], r["write_offs"]) for r in large] == [
        (100, 0, None, 0),
        (170, 1, 1.0, 60),  # Large: X 0 and Z 60 written off in February
    ]  # fmt: skip
    west = cases.customer_risk(con, Filters(regions=("West",)))
    assert west["as_of"].to_list() == [D("2025-02-28")]


def test_collections_ratios_by_hand():
    db = duckdb.connect()
    db.execute(
        "create table collections_month (as_of date, segment varchar, region varchar, "
        "industry varchar, receivables double, overdue_1_30 double, overdue_31_60 double, "
        "overdue_61_90 double, overdue_90p double, collected double, opening_overdue double, "
        "due_in_period double, credit_sales_90d double)"
    )
    db.execute(
        """insert into collections_month values
        ('2025-01-31', 'A', 'East', 'Retail', 1000, 100, 50, 0, 50, 300, 100, 400, 900),
        ('2025-01-31', 'B', 'East', 'Retail', 1000, 0, 0, 100, 50, 100, 100, 100, 600),
        ('2025-02-14', 'A', 'East', 'Retail', 5, 5, 0, 0, 0, 0, 0, 0, 0)"""
    )
    (whole,) = cases.collections(db, NO_FILTER).rows(named=True)
    assert whole["receivables"] == 2000
    shares = [whole[f"overdue_{b}_share"] for b in ("1_30", "31_60", "61_90", "90p")]
    assert shares == [0.05, 0.025, 0.05, 0.05]
    assert whole["collection_rate"] == pytest.approx(400 / 700)  # (300 + 100) / (200 + 500)
    assert whole["dso"] == pytest.approx(120)  # 2000 / 1500 * 90
    (a,) = cases.collections(db, Filters(segments=("A",))).rows(named=True)
    assert (a["collection_rate"], a["dso"]) == (0.6, 100)
    db.close()


def test_recovery_by_cohort_month():
    # grid Jan - Oct 2025; a cohort's rate counts what came back within 6 months of turning 90+
    # and shows once its month-end + 6 months is on or before 2025-10-31 (March and April do, May
    # does not)
    assert cases.RECOVERY_WINDOW_MONTHS == 6
    db = duckdb.connect()
    db.execute("create table month_grid (as_of date)")
    db.execute("insert into month_grid select last_day(make_date(2025, m, 1)) from range(1, 11) t(m)")  # fmt: skip
    db.execute("create table customers (customer_id varchar, segment varchar, region varchar, industry varchar)")  # fmt: skip
    db.execute("insert into customers values ('X', 'Large', 'East', 'Retail'), ('Y', 'Small', 'East', 'Retail')")  # fmt: skip
    db.execute("create table contracts (contract_id varchar, customer_id varchar, start_on date, end_on date, status varchar)")  # fmt: skip
    db.execute(
        """insert into contracts values
        ('K1', 'X', '2024-06-01', '2026-06-01', 'active'),
        ('K2', 'Y', '2024-06-01', '2026-06-01', 'active'),
        ('K3', 'X', '2024-06-01', '2025-02-01', 'terminated')"""
    )
    db.execute("create table payments (payment_id varchar, contract_id varchar, due_on date, amount_due double, paid_on date, amount_paid double)")  # fmt: skip
    db.execute(
        """insert into payments values
        -- 90+ from 2025-03-02, then paid in full: 100 became 90+, 100 recovered (March)
        ('P1', 'K1', '2024-12-01', 100, '2025-03-20', 100),
        -- 50 paid before 90 days: the other 150 became 90+ (March)
        ('P2', 'K1', '2024-12-01', 200, '2025-01-15', 50),
        -- never paid: 100 became 90+ on 2025-03-11 (March); customer Y
        ('P3', 'K2', '2024-12-10', 100, null, 0),
        -- paid within 90 days: never 90+
        ('P4', 'K1', '2024-12-01', 100, '2025-02-01', 100),
        -- 90+ from 2025-04-16 (April), paid 2025-05-20: within its window
        ('P5', 'K1', '2025-01-15', 100, '2025-05-20', 100),
        -- its contract ended 2025-02-01, before the row turned 90+ on 2025-03-21
        ('P6', 'K3', '2024-12-20', 100, null, 0),
        -- 90+ from 2025-05-31 (May): its window runs past the last grid date
        ('P7', 'K1', '2025-03-01', 100, null, 0),
        -- 90+ from 2025-04-01 (April), paid 2025-10-15: after its window (to 2025-10-01)
        ('P8', 'K2', '2024-12-31', 80, '2025-10-15', 80)"""
    )
    # Recoveries after write-offs (a payment after the write-off is recorded as one): they count
    # for the row's cohort within its window, and in the month they are dated.
    db.execute("create table adjustments (adjustment_id varchar, payment_id varchar, kind varchar, occurred_on date, amount double)")  # fmt: skip
    db.execute(
        """insert into adjustments values
        ('A1', 'P3', 'write_off', '2025-04-01', 100),  -- not a recovery
        ('A2', 'P3', 'recovery', '2025-04-10', 30),    -- P3's March cohort: +30; April: 30 (Y)
        ('A3', 'P6', 'recovery', '2025-04-05', 20),    -- P6 is in no cohort; April: 20 (X)
        ('A4', 'P2', 'recovery', '2025-05-15', 40),    -- P2's window runs to 2025-09-02: +40
        ('A5', 'P3', 'recovery', '2025-09-20', 25),    -- P3's window ended 2025-09-11: dated only
        ('A6', 'P1', 'recovery', '2025-11-05', 10)     -- after the last grid date: not counted"""
    )
    rows = cases.recovery(db, NO_FILTER).rows()
    empty = [(D(f"2025-{m:02d}-{d}"), 0, 0, None, 0) for m, d in ((6, 30), (7, 31), (8, 31))]
    assert rows == [
        (D("2025-01-31"), 0, 0, None, 0),
        (D("2025-02-28"), 0, 0, None, 0),
        # March: P1 100 + P2 150 + P3 100 became 90+; back within 6 months: P1 100, A4 40, A2 30
        (D("2025-03-31"), 350, 170, pytest.approx(170 / 350), 0),
        # April: P5 100 (back 100) + P8 80 (paid after its window); dated recoveries A2 + A3
        (D("2025-04-30"), 180, 100, pytest.approx(100 / 180), 50),
        # May: P7 100, its window still open on 2025-10-31: no rate yet; A4 dated in May
        (D("2025-05-31"), 100, 0, None, 40),
        *empty,
        (D("2025-09-30"), 0, 0, None, 25),
        (D("2025-10-31"), 0, 0, None, 0),
    ]
    march = cases.recovery(db, Filters(segments=("Large",))).row(2)
    assert march == (D("2025-03-31"), 250, 140, pytest.approx(140 / 250), 0)
    assert cases.recovery(db, Filters(segments=("Large",))).row(3)[-1] == 20
    db.close()


def test_new_business_share_with_medium_and_high_band_customers():
    db = duckdb.connect()
    db.execute("create table month_grid (as_of date)")
    db.execute("insert into month_grid values ('2025-01-31'), ('2025-02-28'), ('2025-03-31')")
    db.execute("create table customers (customer_id varchar, segment varchar, region varchar, industry varchar)")  # fmt: skip
    db.execute("insert into customers values ('X', 'Large', 'East', 'Retail'), ('Y', 'Small', 'East', 'Retail'), ('Z', 'Large', 'East', 'Retail')")  # fmt: skip
    db.execute("create table customer_month (customer_id varchar, as_of date, band varchar)")
    db.execute(
        """insert into customer_month values
        ('X', '2025-01-31', 'Low'), ('Y', '2025-01-31', 'Medium'), ('X', '2025-02-28', 'High')"""
    )
    db.execute("create table contracts (contract_id varchar, customer_id varchar, signed_on date, amount double, status varchar)")  # fmt: skip
    db.execute(
        """insert into contracts values
        ('K1', 'X', '2025-02-10', 100, 'active'),        -- X was Low at 2025-01-31
        ('K2', 'Y', '2025-02-20', 300, 'completed'),     -- Y was Medium: counts
        ('K3', 'Z', '2025-02-05', 50, 'active'),         -- Z is new: no band, not counted
        ('K4', 'Y', '2025-03-03', 200, 'under_review'),  -- not approved yet: left out
        ('K5', 'X', '2025-03-15', 400, 'active'),        -- X was High at 2025-02-28: counts
        ('K6', 'X', '2024-12-31', 999, 'active')         -- before the grid"""
    )
    rows = cases.new_business(db, NO_FILTER).rows()
    assert rows == [
        (D("2025-01-31"), 0, 0, 0, None),
        (D("2025-02-28"), 3, 450, 300, pytest.approx(300 / 450)),
        (D("2025-03-31"), 1, 400, 400, 1.0),
    ]
    assert cases.new_business(db, Filters(segments=("Small",))).row(1) == (
        D("2025-02-28"),
        1,
        300,
        300,
        1.0,
    )
    db.close()


def test_monthly_joins_frames_on_the_date():
    a = pl.DataFrame({"as_of": [D("2025-02-28"), D("2025-01-31")], "x": [2, 1]})
    b = pl.DataFrame({"as_of": [D("2025-01-31")], "y": [5]})
    joined = cases.monthly(a, b)
    assert joined.rows() == [(D("2025-01-31"), 1, 5), (D("2025-02-28"), 2, None)]


def test_last_month_movers_by_hand():
    db = duckdb.connect()
    db.execute(
        "create table customer_month (customer_id varchar, as_of date, segment varchar, "
        "region varchar, industry varchar, exposure double, max_dpd int, defaulted boolean, "
        "written_off double)"
    )
    db.execute(
        """insert into customer_month values
        ('X', '2025-01-31', 'Large', 'East', 'Retail', 100, 10, false, 0),
        ('X', '2025-02-28', 'Large', 'East', 'Retail', 90, 40, false, 0),   -- went 30+: 90
        ('Y', '2025-01-31', 'Small', 'East', 'Retail', 50, 35, false, 0),
        ('Y', '2025-02-28', 'Small', 'East', 'Retail', 45, 95, true, 20),   -- already 30+; defaults
        ('Z', '2025-02-28', 'Large', 'West', 'Retail', 30, 50, true, 5),    -- new: 30+ (no row before), not at risk
        ('W', '2025-01-31', 'Large', 'East', 'Retail', 70, 0, false, 0),
        ('W', '2025-02-28', 'Large', 'East', 'Retail', 70, 0, false, 0)"""
    )
    db.execute("create table payment_book (payment_id varchar, customer_id varchar, due_on date, settled_on date)")  # fmt: skip
    db.execute("create table payments (payment_id varchar, amount_paid double, paid_on date)")
    db.execute(
        """insert into payment_book values
        ('P1', 'X', '2025-01-10', null),          -- part-paid, 49 days past due, owed: counts
        ('P2', 'Z', '2025-01-10', '2025-02-20'),  -- part-paid but settled before the month-end
        ('P3', 'W', '2025-02-20', null)           -- part-paid, only 8 days past due"""
    )
    db.execute(
        """insert into payments values
        ('P1', 10, '2025-01-15'), ('P2', 10, '2025-01-15'), ('P3', 10, '2025-02-21')"""
    )
    (row,) = cases.last_month(db, Filters(as_of=D("2025-02-28")), previous=D("2025-01-31")).rows(named=True)  # fmt: skip
    assert row == {
        "new_30": 2,  # X and Z (Y was 30+ already, W is current)
        "new_30_exposure": 120,  # X 90 + Z 30
        "new_30_part_paid": 1,  # X
        "new_defaults": 1,  # Y (Z had no row at the month-end before: not at risk)
        "largest_default": 45,
        "written_off": 25,  # Y 20 + Z 5
        "largest_write_off": 20,
    }
    (large,) = cases.last_month(db, Filters(as_of=D("2025-02-28"), segments=("Large",)), previous=D("2025-01-31")).rows(named=True)  # fmt: skip
    assert (large["new_30"], large["new_defaults"], large["written_off"]) == (2, 0, 5)
    db.close()
