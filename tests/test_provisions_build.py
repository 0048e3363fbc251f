"""IFRS 9 provision tables: the provision matrix on a tiny book computed by hand and against pandas
on the demo, loan stages on a tiny loan book, and the movement identity over every demo month."""

from __future__ import annotations

import copy
import tomllib
from datetime import date
from decimal import Decimal

import duckdb
import pandas as pd
import pytest

from data import warehouse
from data.build import rebuild
from data.policy import DEFAULT_POLICY, Policy
from queries.filters import Filters
from tests.tiny_warehouse import insert_rows

D = date.fromisoformat
RAW = tomllib.loads(DEFAULT_POLICY.read_text(encoding="utf-8"))


def policy_with(**provisions: object) -> Policy:
    raw = copy.deepcopy(RAW)
    raw["provisions"].update(provisions)
    return Policy.from_dict(raw)


def rating_policy(**provisions: object) -> Policy:
    """Grades follow the external rating alone (AAA -> A, BB -> C), so a credit review moves it."""
    raw = copy.deepcopy(RAW)
    raw["weights"] = {f: 0.0 for f in raw["weights"]} | {"rating": 1.0}
    raw["provisions"].update(provisions)
    return Policy.from_dict(raw)


# --- the receivables book -------------------------------------------------------------------------
# One customer, one sales contract from 2026-01-01 (terms 30 days), built as of 2026-03-31 with two
# edges (buckets: current, 1-30, 31+). Grid 2026-01-31, 02-28, 03-31.
#   A due 01-31 1 000 never paid:        01-31 current, 02-28 1-30 (28 DPD), 03-31 31+ (59)
#   B due 01-31 1 000 paid 02-10:        01-31 current, then settled
#   C due 02-28 2 000 paid 03-05:        01-31 current, 02-28 current (0 DPD), then settled
#   D due 01-15   500, 300 written off 03-15, 100 recovered 03-25:
#                                        01-31 1-30 (16), 02-28 31+ (44), 03-31 31+ owing 200
#   E due 03-31 4 000 (billed 03-01):    03-31 current (new: no bucket before)
RECEIVABLE_CUSTOMERS = [
    ("R1", "Rho Retail", "Retail", "North", "Small", D("2026-01-01"), None, "BB", 1e5, "ana", "active"),
]  # fmt: skip
RECEIVABLE_CONTRACTS = [
    ("S1", "R1", "sales", D("2026-01-01"), D("2026-01-01"), D("2026-12-31"), 9e3, "CNY", 30, 0.0, "active", "cfo", None),
]  # fmt: skip
RECEIVABLE_PAYMENTS = [
    ("A", "S1", D("2026-01-31"), 1000.0, None, 0.0),
    ("B", "S1", D("2026-01-31"), 1000.0, D("2026-02-10"), 1000.0),
    ("C", "S1", D("2026-02-28"), 2000.0, D("2026-03-05"), 2000.0),
    ("D", "S1", D("2026-01-15"), 500.0, None, 0.0),
    ("E", "S1", D("2026-03-31"), 4000.0, None, 0.0),
]
RECEIVABLE_ADJUSTMENTS = [
    ("W1", "D", "write_off", D("2026-03-15"), 300.0, None),
    ("V1", "D", "recovery", D("2026-03-25"), 100.0, None),
]


@pytest.fixture(scope="module")
def receivables(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    con = warehouse.connect(tmp_path_factory.mktemp("recv") / "w.duckdb")
    insert_rows(con, "customers", RECEIVABLE_CUSTOMERS)
    insert_rows(con, "contracts", RECEIVABLE_CONTRACTS)
    insert_rows(con, "payments", RECEIVABLE_PAYMENTS)
    insert_rows(con, "adjustments", RECEIVABLE_ADJUSTMENTS)
    raw = copy.deepcopy(RAW)
    raw["provisions"]["aging_edges_days"] = [0, 30]
    raw["provisions"]["forward_looking"] = {"Retail": {"factor": 1.5, "reason": "test"}}
    rebuild(con, as_of=D("2026-03-31"), policy=Policy.from_dict(raw))
    yield con
    con.close()


def test_provision_matrix_by_hand(receivables) -> None:
    rates = receivables.sql(
        "select bucket, rolled_from, rolled_on, net_written_off, inflow, historical_loss_rate "
        "from provision_loss_rates where as_of = date '2026-03-31' order by bucket"
    ).fetchall()
    # current: from 4 000 (A, B, C at 01-31) + 2 000 (C at 02-28); A rolled on (1 000): 1/6
    # 1-30: D (500) then A (1 000), both rolled on: 1; 31+ (D's 500 at 02-28; nothing rolls on):
    # 300 - 100 net written off of the 1 500 that rolled in: 2/15
    assert [r[:3] for r in rates] == [(0, 6000.0, 1000.0), (1, 1500.0, 1500.0), (2, 500.0, 0.0)]
    assert rates[2][3] == pytest.approx(200.0) and rates[2][4] == pytest.approx(1500.0)
    assert [r[5] for r in rates] == pytest.approx([1 / 6 * 2 / 15, 2 / 15, 2 / 15])
    matrix = receivables.sql(
        "select bucket, balance, forward_looking_factor, loss_rate, allowance from provision_matrix "
        "where as_of = date '2026-03-31' order by bucket"
    ).fetchall()
    # 03-31 balances: current E 4 000; 31+ A 1 000 + D 200; Retail's factor 1.5
    assert [(b, float(bal)) for b, bal, *_ in matrix] == [(0, 4000.0), (2, 1200.0)]
    assert [m[2] for m in matrix] == [1.5, 1.5]
    assert [m[3] for m in matrix] == pytest.approx([1 / 45 * 1.5, 2 / 15 * 1.5])
    assert [m[4] for m in matrix] == [Decimal("133.33"), Decimal("240.00")]
    # at 02-28 nothing had been written off yet: every loss rate 0, no allowance
    assert receivables.sql(
        "select sum(allowance) from provision_matrix where as_of = date '2026-02-28'"
    ).fetchall()[0][0] == Decimal("0.00")


def test_allowance_change_split_into_balances_and_rates_by_hand(receivables) -> None:
    from queries.provisions import bucket_change

    row = bucket_change(receivables, Filters(as_of=D("2026-03-31"))).row(0, named=True)
    # 02-28 (every rate 0): current 2 000, 1-30 1 000, 31+ 500; 03-31: current 4 000 at 1/30,
    # 31+ 1 200 at 0.2. At the old rates the balances' moves cost nothing; the new rates on
    # today's balances give 4 000 / 30 + 1 200 x 0.2; the cents are rounding.
    assert row["before_on"] == D("2026-02-28")
    assert row["allowance_before"] == 0.0
    assert row["allowance_now"] == pytest.approx(373.33)
    assert row["balance_effect"] == 0.0
    assert row["rate_effect"] == pytest.approx(4000 / 30 + 240)
    assert row["rounding"] == pytest.approx(373.33 - (4000 / 30 + 240))


def test_receivable_movement_by_hand(receivables) -> None:
    row = receivables.sql(
        "select stage, opening, new_business, changes_in_risk, write_offs, closing "
        "from ecl_movement where as_of = date '2026-03-31'"
    ).fetchall()
    # opening 0 (rates were 0), the 300 write-off uses no allowance, the new rates give 373.33
    assert row == [
        ("simplified", Decimal("0.00"), Decimal("0.00"), Decimal("373.33"), Decimal("0.00"),
         Decimal("373.33"))
    ]  # fmt: skip
    unit = receivables.sql(
        "select stage, stage_reason, gross_carrying_amount, allowance, worst_bucket from ecl_month "
        "where as_of = date '2026-03-31'"
    ).fetchall()
    assert unit == [("simplified", "simplified", Decimal("5200.00"), Decimal("373.33"), 2)]


# --- the loan book ----------------------------------------------------------------------------
# L1 (rated AAA: grade A) has K1 from 2025-10-01: instalments of 1 000 due on the 15th, Nov 2025 -
# Oct 2026, paid on the day except December's, paid 2026-02-20 (47 DPD at 01-31). A credit review
# rates L1 BB (grade C, two grades worse) from 2026-05-10. K2 starts 2026-05-15, after it: its
# origination grade is already C. L2 (BBB) has K3, one bullet of 5 000 due 2026-12-01, and files for
# bankruptcy on 2026-03-10. Built as of 2026-06-30, triggers dpd_backstop and downgrade, probation 3.
LOAN_CUSTOMERS = [
    ("L1", "Lambda", "Energy", "North", "Mid", D("2025-09-01"), None, "AAA", 1e6, "ana", "active"),
    ("L2", "Lumen", "Energy", "South", "Mid", D("2025-09-01"), None, "BBB", 1e6, "ana", "active"),
]  # fmt: skip
LOAN_CONTRACTS = [
    ("K1", "L1", "loan", D("2025-10-01"), D("2025-10-01"), D("2027-09-30"), 12e3, "CNY", 0, 0.0, "active", "cfo", None),
    ("K2", "L1", "loan", D("2026-05-15"), D("2026-05-15"), D("2027-05-14"), 1e3, "CNY", 0, 0.0, "active", "cfo", None),
    ("K3", "L2", "loan", D("2025-10-01"), D("2025-10-01"), D("2026-12-01"), 5e3, "CNY", 0, 0.0, "active", "cfo", None),
]  # fmt: skip
LOAN_PAYMENTS = [
    (f"K1-{m}", "K1", d, 1000.0, p, 1000.0)
    for m, d, p in [
        (i, d, D("2026-02-20") if d == D("2025-12-15") else d)
        for i, d in enumerate(
            [D(f"{2025 + (10 + k) // 12}-{(10 + k) % 12 + 1:02d}-15") for k in range(12)]
        )
    ]
] + [
    ("K2-1", "K2", D("2026-06-15"), 500.0, D("2026-06-15"), 500.0),
    ("K2-2", "K2", D("2026-07-15"), 500.0, None, 0.0),
    ("K3-1", "K3", D("2026-12-01"), 5000.0, None, 0.0),
]
LOAN_REVIEWS = [("V1", "L1", D("2026-05-10"), 1e6, "BB", "cfo", None)]
LOAN_EVENTS = [("E1", "L2", D("2026-03-10"), "credit", "bankruptcy_filing", 5, "court", None)]


def build_loans(path, rates: dict[str, float] | None = None) -> duckdb.DuckDBPyConnection:
    con = warehouse.connect(path)
    insert_rows(con, "customers", LOAN_CUSTOMERS)
    insert_rows(con, "contracts", LOAN_CONTRACTS)
    insert_rows(con, "payments", LOAN_PAYMENTS)
    insert_rows(con, "credit_reviews", LOAN_REVIEWS)
    insert_rows(con, "risk_events", LOAN_EVENTS)
    if rates is not None:
        # set in the warehouse directly (the build's own check, past the load's rules)
        for contract, rate in rates.items():
            con.execute(
                "update contracts set interest_rate = $r where contract_id = $k",
                {"r": rate, "k": contract},
            )
    rebuild(
        con,
        as_of=D("2026-06-30"),
        policy=rating_policy(
            probation_months=3,
            stage2={
                "triggers": ["dpd_backstop", "downgrade"],
                "dpd_backstop_days": 30,
                "downgrade_grades": 2,
            },
        ),
    )
    return con


@pytest.fixture(scope="module")
def loans(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    con = build_loans(tmp_path_factory.mktemp("loans") / "w.duckdb")
    yield con
    con.close()


def stages(con, contract: str) -> list[tuple[str, str, str]]:
    rows = con.sql(
        "select strftime(as_of, '%Y-%m'), stage, stage_reason from ecl_month "
        "where contract_id = $k order by as_of",
        params={"k": contract},
    ).fetchall()
    return [tuple(r) for r in rows]


def test_backstop_probation_cure_and_downgrade_since_origination(loans) -> None:
    assert stages(loans, "K1") == [
        ("2025-10", "stage_1", "performing"),
        ("2025-11", "stage_1", "performing"),
        ("2025-12", "stage_1", "performing"),  # 16 DPD
        ("2026-01", "stage_2", "dpd_backstop"),  # 47 DPD > 30
        ("2026-02", "stage_2", "probation"),  # paid: first clean month-end
        ("2026-03", "stage_2", "probation"),  # second
        ("2026-04", "stage_1", "performing"),  # third clean month-end: back to stage 1
        ("2026-05", "stage_2", "downgrade"),  # BB from 05-10: C, two grades below A at origination
        ("2026-06", "stage_2", "downgrade"),
    ]
    # K2 was originated at grade C: the same grade is no downgrade for it
    assert stages(loans, "K2") == [
        ("2026-05", "stage_1", "performing"),
        ("2026-06", "stage_1", "performing"),
    ]


def test_ecl_by_stage_by_hand(loans) -> None:
    rows = {
        (r[0], r[1]): r[2:]
        for r in loans.sql(
            "select strftime(e.as_of, '%Y-%m'), e.contract_id, e.gross_carrying_amount, "
            "e.allowance, e.horizon_months, m.grade_pd, m.lgd, e.stage from ecl_month as e "
            "join customer_month as m using (customer_id, as_of) where e.contract_id is not null"
        ).fetchall()
    }
    ead, allowance, horizon, pd12, lgd, _ = rows[("2025-12", "K1")]
    # stage 1: 12-month PD; K1's schedule from 10-01 less Nov's instalment
    assert (float(ead), horizon) == (11000.0, 12)
    assert allowance == Decimal(str(round(11000 * lgd * pd12, 2)))
    ead, allowance, horizon, pd12, lgd, _ = rows[("2026-01", "K1")]
    # stage 2: lifetime over the 20 months to 2027-09-30 (date_diff in months), constant hazard
    assert horizon == 20
    lifetime = 1 - (1 - pd12) ** (20 / 12)
    assert allowance == Decimal(str(round(float(ead) * lgd * lifetime, 2)))
    ead, allowance, *_rest, stage = rows[("2026-03", "K3")]
    # stage 3 after the bankruptcy filing: PD 1
    assert stage == "stage_3"
    assert allowance == Decimal(str(round(5000 * _rest[2], 2)))


def test_discounting_at_the_contract_rate(tmp_path) -> None:
    con = build_loans(tmp_path / "w.duckdb", rates={"K1": 0.12})
    try:
        ead, allowance, pd12, lgd, rate = con.sql(
            "select e.gross_carrying_amount, e.allowance, m.grade_pd, m.lgd, e.interest_rate "
            "from ecl_month as e join customer_month as m using (customer_id, as_of) "
            "where e.contract_id = 'K1' and e.as_of = date '2026-01-31'"
        ).fetchall()[0]
        assert rate == 0.12
        s, v = (1 - pd12) ** (1 / 12), 1.12 ** (-1 / 12)
        # default in month m (constant hazard), discounted m months, over 20 months
        factor = sum(s ** (m - 1) * (1 - s) * v**m for m in range(1, 21))
        assert float(allowance) == pytest.approx(float(ead) * lgd * factor, abs=0.006)
        assert factor < 1 - (1 - pd12) ** (20 / 12)
        # no rate given: not discounted
        assert con.sql(
            "select interest_rate from ecl_month where contract_id = 'K3' limit 1"
        ).fetchall() == [(None,)]
    finally:
        con.close()


def test_a_negative_interest_rate_stops_the_build_naming_the_column(tmp_path) -> None:
    with pytest.raises(duckdb.Error, match="contracts.interest_rate"):
        build_loans(tmp_path / "w.duckdb", rates={"K1": -0.01})


def test_a_stage_change_moves_the_opening_allowance_between_stages(loans) -> None:
    before = loans.sql(
        "select allowance from ecl_month where contract_id = 'K1' and as_of = date '2025-12-31'"
    ).fetchall()[0][0]
    rows = dict(
        loans.sql(
            "select stage, sum(transfers_in + transfers_out) from ecl_movement "
            "where as_of = date '2026-01-31' and region = 'North' group by stage"
        ).fetchall()
    )
    assert rows == {"stage_1": -before, "stage_2": before}


# --- the demo ---------------------------------------------------------------------------------


def test_movement_identity_every_month_of_the_demo(demo_con) -> None:
    rows = demo_con.sql(
        "select as_of, stage, sum(opening), sum(new_business + transfers_in + transfers_out "
        "+ changes_in_risk + derecognised + write_offs), sum(closing) from ecl_movement group by all"
    ).fetchall()
    assert (
        len({r[0] for r in rows})
        == demo_con.sql("select count(*) from month_grid").fetchall()[0][0]
    )
    for as_of, stage, opening, moves, closing in rows:
        assert opening + moves == closing, (as_of, stage)
    # closing at one grid date is the opening at the next, and the closing is ecl_month's total
    totals = demo_con.sql(
        "select g.as_of, (select coalesce(sum(closing), 0) from ecl_movement where as_of = g.as_of), "
        "(select coalesce(sum(opening), 0) from ecl_movement where as_of = g.next), "
        "(select coalesce(sum(allowance), 0) from ecl_month where as_of = g.as_of) "
        "from (select as_of, lead(as_of) over (order by as_of) as next from month_grid) as g "
        "where g.next is not null"
    ).fetchall()
    for as_of, closing, next_opening, allowance in totals:
        assert closing == next_opening == allowance, as_of


def test_demo_loss_rates_match_pandas_on_collections_month(demo_con) -> None:
    """The manufacturer demo has no loans: every receivable is in collections_month, whose roll
    components give the same loss rates when chained in pandas."""
    cm = demo_con.sql("select * from collections_month").df()
    as_of = demo_con.sql("select max(as_of) from month_grid").fetchall()[0][0]
    since = pd.Timestamp(as_of) - pd.DateOffset(months=36)
    since = since + pd.offsets.MonthEnd(0)
    window = cm[
        (pd.to_datetime(cm["as_of"]) > since) & (pd.to_datetime(cm["as_of"]) <= pd.Timestamp(as_of))
    ]
    by_segment = window.groupby("segment").sum(numeric_only=True)
    ours = demo_con.sql(
        "select segment, bucket, historical_loss_rate from provision_loss_rates "
        "where as_of = $d order by segment, bucket",
        params={"d": as_of},
    ).df()
    pairs = [
        ("rolled_from_current", "rolled_to_1_30"),
        ("rolled_from_1_30", "rolled_to_31_60"),
        ("rolled_from_31_60", "rolled_to_61_90"),
        ("rolled_from_61_90", "rolled_to_90p"),
    ]
    for segment, sums in by_segment.iterrows():
        steps = [sums[to] / sums[frm] if sums[frm] else 0.0 for frm, to in pairs]
        net = max(0.0, sums["written_off"] - sums["recovered"])
        steps.append(min(1.0, net / sums["rolled_to_90p"]) if sums["rolled_to_90p"] else 0.0)
        expected = [float(pd.Series(steps[b:]).prod()) for b in range(5)]
        got = ours[ours["segment"] == segment]["historical_loss_rate"].tolist()
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-12), segment
    # the allowance is balance x min(1, rate x industry factor), customer by customer
    frame = demo_con.sql(
        "select r.balance::double as balance, r.allowance::double as allowance, "
        "l.historical_loss_rate, c.industry from receivable_ecl as r "
        "join provision_loss_rates as l using (as_of, segment, bucket) "
        "join customers as c using (customer_id) where r.as_of = $d",
        params={"d": as_of},
    ).df()
    factors = {i: f["factor"] for i, f in RAW["provisions"]["forward_looking"].items()}
    rate = (frame["historical_loss_rate"] * frame["industry"].map(factors).fillna(1.0)).clip(
        upper=1
    )
    assert frame["allowance"].sum() == pytest.approx(
        (frame["balance"] * rate).sum(), abs=0.01 * len(frame)
    )
