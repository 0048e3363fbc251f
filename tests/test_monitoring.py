"""Monitoring tables (concentration, watchlist, spells, early warning, collections, migration) on a
tiny hand-made warehouse whose answers are worked out by hand in the comments.

Grid: 2024-01-31 (J), 2024-02-29 (F), 2024-03-31 (M), 2024-04-30 (A).
customer_month (only the columns the builds read):

    customer industry      region  exposure at M  triggers J / F / M / A                     defaulted
    C1       Manufacturing North   600            overdue / overdue / - / -                  never
    C2       Manufacturing South   200            - / limit_breach / overdue+limit / overdue A
    C3       Retail        North   100            - / - / - / legal                          never
    C4       Retail        South   100            -                                          M, A
    C5       Energy        North   0              -                                          J..A (from row 1)
    C6       Energy        South   (rows at J, F only, exposure 0)                            never

Collections use the source tables (see `SOURCE_ROWS`), independent of customer_month.
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data.runner import execute
from data.warehouse import connect
from schemas.results import validate_result
from tests.tiny_warehouse import insert_rows

J, F, M, A = date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)
GRID = [J, F, M, A]
POLICY = {"as_of": A, "wl_single_name_share": 0.10, "default_dpd": 90}
BUILDS = [
    "concentration_month",
    "watchlist_month",
    "watchlist_spells",
    "early_warning",
    "payment_events",
    "payment_book",
    "collections_month",
    "rating_migration",
]

CUSTOMERS = {  # customer_id: (industry, region)
    "C1": ("Manufacturing", "North"),
    "C2": ("Manufacturing", "South"),
    "C3": ("Retail", "North"),
    "C4": ("Retail", "South"),
    "C5": ("Energy", "North"),
    "C6": ("Energy", "South"),
}
# customer_id: one (exposure, grade, defaulted, triggers) per grid date J, F, M, A (None = no row)
HISTORY = {
    "C1": [(500, "B", False, ["overdue"]), (550, "C", False, ["overdue"]),
           (600, "B", False, []), (600, "A", False, [])],
    "C2": [(100, "C", False, []), (150, "D", False, ["limit_breach"]),
           (200, "D", False, ["overdue", "limit_breach"]), (250, "E", True, ["overdue"])],
    "C3": [(100, "A", False, []), (100, "A", False, []), (100, "A", False, []),
           (100, "B", False, ["legal"])],
    "C4": [(100, "B", False, []), (100, "B", False, []), (100, "E", True, []),
           (100, "E", True, [])],
    "C5": [(0, "E", True, []), (0, "E", True, []), (0, "E", True, []), (0, "E", True, [])],
    "C6": [(0, "D", False, []), (0, "D", False, []), None, None],
}  # fmt: skip

SOURCE_ROWS = {
    "customers": [
        # customer_id, name, industry, region, segment, onboarded_on, annual_revenue,
        # external_rating, credit_limit, owner, status
        ("K1", "Kilo One", "Manufacturing", "North", "corporate", date(2023, 1, 1), None, None,
         5000.0, "ana", "active"),
        ("K2", "Kilo Two", "Retail", "North", "sme", date(2023, 1, 1), None, None,
         5000.0, "ana", "active"),
    ],
    "contracts": [
        # contract_id, customer_id, kind, signed_on, start_on, end_on, amount, currency,
        # payment_terms_days, collateral_value, status, approved_by, last_reviewed_on
        ("X1", "K1", "sales", date(2023, 11, 20), date(2023, 12, 1), date(2024, 12, 31), 2000.0,
         "CNY", 30, 0.0, "active", None, None),
        # starts after M: its row is no receivable at M
        ("X2", "K1", "sales", date(2024, 4, 1), date(2024, 4, 15), date(2024, 12, 31), 1000.0,
         "CNY", 30, 0.0, "active", None, None),
        # terminated on 2024-03-15: in the book at F, out of it at M
        ("X3", "K2", "loan", date(2023, 12, 15), date(2024, 1, 1), date(2024, 3, 15), 600.0,
         "CNY", 0, 0.0, "terminated", None, None),
    ],
    "payments": [
        # payment_id, contract_id, due_on, amount_due, paid_on, amount_paid   (X1: invoiced due - 30)
        ("P1", "X1", date(2024, 1, 15), 100.0, date(2024, 1, 20), 100.0),  # settled before F
        ("P2", "X1", date(2024, 2, 10), 200.0, None, 0.0),  # F: 19 dpd, M: 50 dpd
        ("P3", "X1", date(2024, 2, 20), 300.0, date(2024, 3, 10), 300.0),  # F: 9 dpd, paid in M
        ("P4", "X1", date(2024, 3, 20), 400.0, date(2024, 3, 25), 150.0),  # F: current, M: 11 dpd, 250 left
        ("P5", "X1", date(2024, 4, 10), 500.0, date(2024, 4, 5), 500.0),  # invoiced 03-11: current at M
        ("P6", "X1", date(2024, 1, 5), 50.0, date(2024, 4, 2), 50.0),  # paid after M: F 55 dpd, M 86 dpd
        ("P7", "X1", date(2023, 12, 20), 70.0, None, 0.0),  # booked at start 12-01; F 71 dpd, M 102 dpd
        ("P8", "X2", date(2024, 4, 20), 1000.0, None, 0.0),  # contract starts 04-15
        ("P9", "X3", date(2024, 2, 1), 600.0, None, 0.0),  # F: 28 dpd; M: contract terminated
    ],
}  # fmt: skip


def _customer_month_frame() -> pl.DataFrame:
    rows = []
    for customer_id, history in HISTORY.items():
        industry, region = CUSTOMERS[customer_id]
        for as_of, state in zip(GRID, history, strict=True):
            if state is None:
                continue
            exposure, grade, defaulted, triggers = state
            rows.append(
                {
                    "customer_id": customer_id,
                    "as_of": as_of,
                    "industry": industry,
                    "region": region,
                    "exposure": float(exposure),
                    "grade": grade,
                    "defaulted": defaulted,
                    "on_watchlist": bool(triggers),
                    "triggers": triggers,
                }
            )
    return pl.DataFrame(rows, schema_overrides={"triggers": pl.List(pl.String)})


def _load_snapshots(
    con: duckdb.DuckDBPyConnection, grid: pl.DataFrame, customer_month: pl.DataFrame
) -> None:
    """Stand in for part A's build: month_grid and customer_month from hand-made frames."""
    con.register("grid_frame", grid)
    con.register("customer_month_frame", customer_month)
    con.execute("create or replace table month_grid as select * from grid_frame")
    con.execute("create or replace table customer_month as select * from customer_month_frame")
    con.unregister("grid_frame")
    con.unregister("customer_month_frame")


def _build(con: duckdb.DuckDBPyConnection, builds: list[str]) -> None:
    for name in builds:
        execute(con, f"build_{name}", **POLICY)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    con = connect(tmp_path_factory.mktemp("monitoring") / "warehouse.duckdb")
    _load_snapshots(con, pl.DataFrame({"as_of": GRID}), _customer_month_frame())
    for table, rows in SOURCE_ROWS.items():
        insert_rows(con, table, rows)
    _build(con, BUILDS)
    yield con
    con.close()


def table(con: duckdb.DuckDBPyConnection, name: str) -> pl.DataFrame:
    """A built table, validated against its registered output model."""
    return validate_result(name, con.sql(f"select * from {name}").pl())


def one(frame: pl.DataFrame, **keys: object) -> dict:
    """The single row of `frame` matching every key = value."""
    rows = frame.filter(**keys).to_dicts()
    assert len(rows) == 1, f"{len(rows)} rows match {keys}"
    return rows[0]


# --- concentration -------------------------------------------------------------------------------


def test_concentration_by_customer(warehouse: duckdb.DuckDBPyConnection) -> None:
    row = one(table(warehouse, "concentration_month"), as_of=M, dimension="customer")
    # M exposures: C1 600, C2 200, C3 100, C4 100, C5 0 (not a name); total 1000
    assert row["names"] == 4
    assert row["total_exposure"] == pytest.approx(1000)
    # shares 0.6, 0.2, 0.1, 0.1
    assert row["top1_share"] == pytest.approx(0.6)
    assert row["top5_share"] == pytest.approx(1.0)
    assert row["top20_share"] == pytest.approx(1.0)
    # hhi = 60^2 + 20^2 + 10^2 + 10^2 = 3600 + 400 + 100 + 100 = 4200
    assert row["hhi"] == pytest.approx(4200)
    # effective names = 10000 / 4200 = 2.38095...
    assert row["effective_names"] == pytest.approx(10_000 / 4200)
    # Lorenz points (ascending 100, 100, 200, 600): L = 0.1, 0.2, 0.4, 1.0
    # gini = 1 - sum(L_k + L_k-1) / n = 1 - (0.1 + 0.3 + 0.6 + 1.4) / 4 = 1 - 0.6 = 0.4
    assert row["gini"] == pytest.approx(0.4)
    # shares above 0.10: C1 (0.6) and C2 (0.2); C3 and C4 sit exactly on the limit, not above it
    assert row["single_name_breaches"] == 2


def test_concentration_by_industry_and_region(warehouse: duckdb.DuckDBPyConnection) -> None:
    frame = table(warehouse, "concentration_month")
    industry = one(frame, as_of=M, dimension="industry")
    # Manufacturing 600 + 200 = 800, Retail 100 + 100 = 200, Energy 0 (not a name)
    assert industry["names"] == 2
    # hhi = 80^2 + 20^2 = 6400 + 400 = 6800; gini: L = 0.2, 1.0 -> 1 - (0.2 + 1.2) / 2 = 0.3
    assert industry["hhi"] == pytest.approx(6800)
    assert industry["gini"] == pytest.approx(0.3)
    assert industry["single_name_breaches"] == 0  # breaches are counted on customer rows only
    region = one(frame, as_of=M, dimension="region")
    # North = C1 600 + C3 100 + C5 0 = 700, South = 300: hhi = 4900 + 900 = 5800
    assert region["top1_share"] == pytest.approx(0.7)
    assert region["hhi"] == pytest.approx(5800)


# --- watchlist -----------------------------------------------------------------------------------


def test_watchlist_inflow_outflow(warehouse: duckdb.DuckDBPyConnection) -> None:
    frame = table(warehouse, "watchlist_month")
    # 'overdue' at F: {C1}; at M: {C2} -> C2 flows in, C1 flows out
    assert one(frame, as_of=M, trigger="overdue") == {
        "as_of": M, "trigger": "overdue", "members": 1, "inflow": 1, "outflow": 1,
    }  # fmt: skip
    # 'limit_breach' at M: {C2}; at A: {} -> one outflow, no inflow
    limit = one(frame, as_of=A, trigger="limit_breach")
    assert (limit["members"], limit["inflow"], limit["outflow"]) == (0, 0, 1)
    # 'any' at F: {C1, C2}; at M: {C2}; at A: {C2, C3}
    assert one(frame, as_of=M, trigger="any")["outflow"] == 1
    assert one(frame, as_of=A, trigger="any")["members"] == 2
    assert one(frame, as_of=A, trigger="any")["inflow"] == 1
    # the first grid date has nothing to compare with
    assert one(frame, as_of=J, trigger="any")["inflow"] is None
    assert frame.height == 4 * 8  # 4 dates x (7 trigger codes + 'any')


def test_watchlist_spells(warehouse: duckdb.DuckDBPyConnection) -> None:
    spells = table(warehouse, "watchlist_spells").sort("customer_id").to_dicts()
    assert spells == [
        # C1 on at J and F, off at M without defaulting: 2 grid dates, cured
        {"customer_id": "C1", "entered_on": J, "left_on": M, "months_on": 2,
         "entry_triggers": ["overdue"], "outcome": "cured"},
        # C2 on from F through A and defaulted at A while on the list
        {"customer_id": "C2", "entered_on": F, "left_on": None, "months_on": 3,
         "entry_triggers": ["limit_breach"], "outcome": "defaulted"},
        # C3 joins at the last date: still on the list
        {"customer_id": "C3", "entered_on": A, "left_on": None, "months_on": 1,
         "entry_triggers": ["legal"], "outcome": "on_list"},
    ]  # fmt: skip


def test_early_warning(warehouse: duckdb.DuckDBPyConnection) -> None:
    frame = table(warehouse, "early_warning")
    # C5 is defaulted from its first row, so it is no default the watchlist could have seen coming
    assert sorted(frame["customer_id"]) == ["C2", "C4"]
    # C2 defaults at A; on the list at F and M (within 12 months before), spell entered at F:
    # lead = Feb -> Apr = 2 months
    assert one(frame, customer_id="C2") == {
        "customer_id": "C2", "defaulted_on": A, "on_watchlist_before": True,
        "first_flagged_on": F, "lead_months": 2,
    }  # fmt: skip
    # C4 defaults at M without ever being on the list
    assert one(frame, customer_id="C4") == {
        "customer_id": "C4", "defaulted_on": M, "on_watchlist_before": False,
        "first_flagged_on": None, "lead_months": None,
    }  # fmt: skip
    # hit rate = 1 of 2 defaults
    assert frame["on_watchlist_before"].mean() == pytest.approx(0.5)


# --- collections ---------------------------------------------------------------------------------

K1_GROUP = {"segment": "corporate", "region": "North", "industry": "Manufacturing"}
K2_GROUP = {"segment": "sme", "region": "North", "industry": "Retail"}


def test_collections_balances(warehouse: duckdb.DuckDBPyConnection) -> None:
    row = one(table(warehouse, "collections_month"), as_of=M, **K1_GROUP)
    # K1 at M (2024-03-31), outstanding and days past due per row:
    #   P2 200 (50 dpd, 31-60), P4 400 - 150 = 250 (11 dpd, 1-30), P5 500 (due 04-10, current),
    #   P6 50 (86 dpd, 61-90: paid 04-02, after M), P7 70 (102 dpd, 90+);
    #   P1, P3 paid in full before M; P8's contract starts 04-15
    assert row["receivables"] == pytest.approx(200 + 250 + 500 + 50 + 70)  # 1070
    assert row["current_receivables"] == pytest.approx(500)
    assert (row["overdue_1_30"], row["overdue_31_60"]) == pytest.approx((250, 200))
    assert (row["overdue_61_90"], row["overdue_90p"]) == pytest.approx((50, 70))
    assert (row["count_current"], row["count_1_30"], row["count_90p"]) == (1, 1, 1)


def test_collections_ratios(warehouse: duckdb.DuckDBPyConnection) -> None:
    row = one(table(warehouse, "collections_month"), as_of=M, **K1_GROUP)
    # opening at F (2024-02-29): P2 200 (19 dpd), P3 300 (9 dpd), P4 400 (current), P6 50 (55 dpd),
    # P7 70 (71 dpd): receivables 1020, of which overdue 200 + 300 + 50 + 70 = 620
    assert row["opening_receivables"] == pytest.approx(1020)
    assert row["opening_overdue"] == pytest.approx(620)
    # in (F, M]: collected P3 300 (03-10) + P4 150 (03-25) = 450; due P4 400; invoiced P5 500 (03-11)
    assert (row["collected"], row["due_in_period"], row["credit_sales"]) == pytest.approx(
        (450, 400, 500)
    )
    # collection rate = 450 / (620 + 400) = 0.4412
    collection_rate = row["collected"] / (row["opening_overdue"] + row["due_in_period"])
    assert collection_rate == pytest.approx(450 / 1020)
    # invoiced in (2024-01-01, 2024-03-31]: P2 01-11 200, P3 01-21 300, P4 02-19 400, P5 03-11 500
    assert row["credit_sales_90d"] == pytest.approx(1400)
    # DSO = 1070 / 1400 * 90 = 68.79 days
    dso = row["receivables"] / row["credit_sales_90d"] * 90
    assert dso == pytest.approx(68.7857, abs=1e-4)
    # CEI = (1020 + 500 - 1070) / (1020 + 500 - 500) * 100 = 450 / 1020 * 100 = 44.12
    cei = (
        (row["opening_receivables"] + row["credit_sales"] - row["receivables"])
        / (row["opening_receivables"] + row["credit_sales"] - row["current_receivables"])
        * 100
    )
    assert cei == pytest.approx(44.1176, abs=1e-4)
    # roll 1-30 -> 31-60: at F P2 200 + P3 300 = 500 in 1-30; at M only P2 (200) is in 31-60
    assert row["rolled_from_1_30"] == pytest.approx(500)
    assert row["rolled_to_31_60"] / row["rolled_from_1_30"] == pytest.approx(0.4)
    # roll current -> 1-30: P4 was 400 current, is 250 in 1-30 at M
    assert row["rolled_to_1_30"] / row["rolled_from_current"] == pytest.approx(250 / 400)


def test_collections_closed_contract_keeps_what_is_owed(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    frame = table(warehouse, "collections_month")
    # K2's only row (P9, 600 due 02-01) is in 1-30 at F; its contract ends 03-15, terminated, but
    # the 600 is still owed: 59 days past due at M, rolled from 1-30 to 31-60, nothing collected
    at_f = one(frame, as_of=F, **K2_GROUP)
    assert (at_f["receivables"], at_f["overdue_1_30"]) == pytest.approx((600, 600))
    at_m = one(frame, as_of=M, **K2_GROUP)
    assert (at_m["receivables"], at_m["overdue_31_60"], at_m["collected"]) == pytest.approx(
        (600, 600, 0)
    )
    assert (at_m["rolled_from_1_30"], at_m["rolled_to_31_60"]) == pytest.approx((600, 600))


# --- rating migration ----------------------------------------------------------------------------


def test_rating_migration(warehouse: duckdb.DuckDBPyConnection) -> None:
    frame = table(warehouse, "rating_migration")
    # J -> F: C1 B -> C, C4 B -> B
    assert (
        one(frame, from_as_of=J, horizon_months=1, from_grade="B", to_grade="C")["customers"] == 1
    )
    # J -> A (3 months): C4 B -> E
    three = frame.filter(from_as_of=J, horizon_months=3)
    assert one(three, from_grade="B", to_grade="E")["customers"] == 1
    assert three.height == 25  # the full 5 x 5 matrix, zeros included
    by_grade = dict(three.group_by("from_grade").agg(pl.col("customers").sum()).iter_rows())
    # present at J and A: C1 B, C2 C, C3 A, C4 B, C5 E; C6 (D at J) has no row at A
    assert by_grade == {"A": 1, "B": 2, "C": 1, "D": 0, "E": 1}
    # J -> F over 1 month: all six customers present at both dates
    assert frame.filter(from_as_of=J, horizon_months=1)["customers"].sum() == 6
    # no 12-month window fits in four months
    assert frame.filter(horizon_months=12).height == 0


# --- properties ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scratch() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    yield con
    con.close()


exposures = st.lists(
    st.one_of(st.just(0.0), st.floats(min_value=0.01, max_value=1e9)), min_size=1, max_size=20
).filter(lambda values: any(v > 0 for v in values))


@settings(max_examples=25, deadline=None)
@given(values=exposures)
def test_concentration_properties(scratch: duckdb.DuckDBPyConnection, values: list[float]) -> None:
    customer_month = pl.DataFrame(
        {
            "customer_id": [f"C{i:02d}" for i in range(len(values))],
            "as_of": [M] * len(values),
            "industry": ["Manufacturing"] * len(values),
            "region": ["North" if i % 2 else "South" for i in range(len(values))],
            "exposure": values,
        }
    )
    _load_snapshots(scratch, pl.DataFrame({"as_of": [M]}), customer_month)
    execute(scratch, "build_concentration_month", **POLICY)
    frame = table(scratch, "concentration_month")
    row = one(frame, dimension="customer")
    names = sum(v > 0 for v in values)
    assert row["names"] == names
    # at most 20 names: the top-20 share is the sum of all shares
    assert row["top20_share"] == pytest.approx(1.0)
    assert row["top1_share"] <= row["top5_share"] <= row["top10_share"] <= row["top20_share"]
    assert row["top1_share"] == pytest.approx(max(values) / sum(values))
    assert 10_000 / names * (1 - 1e-9) <= row["hhi"] <= 10_000 * (1 + 1e-9)
    assert row["hhi"] == pytest.approx(sum((100 * v / sum(values)) ** 2 for v in values))
    if names >= 2:
        # a discrete Lorenz curve over n names reaches at most (n - 1) / n
        assert -1e-9 <= row["gini"] <= (names - 1) / names + 1e-9
    else:
        assert row["gini"] is None
    # one industry: a single group, fully concentrated
    industry = one(frame, dimension="industry")
    assert (industry["names"], industry["hhi"], industry["gini"]) == (
        1,
        pytest.approx(10_000),
        None,
    )
