"""The demo-portfolio generator: determinism, blocking, warehouse rules, and the story it tells."""

from __future__ import annotations

import hashlib
from datetime import date

import numpy as np
import polars as pl
import pytest

from data.generate import AS_OF_END, POLICY_MONTH, Portfolio, generate, iter_generate
from data.generate_config import add_months, day_number
from data.generate_random import KeyedRandom
from data.warehouse import connect

N = 500
SEED = 11
TABLES = ("customers", "contracts", "payments", "risk_events")


@pytest.fixture(scope="module")
def portfolios() -> dict[str, Portfolio]:
    return {name: generate(name, N, SEED) for name in ("manufacturer", "lender")}


def digest(frame: pl.DataFrame) -> str:
    """Content hash of a frame (values, column names and order)."""
    return hashlib.sha256(frame.write_csv().encode()).hexdigest()


# Days a paid row was settled after its due date (early payment counts as 0).
DAYS_LATE = (pl.col("paid_on") - pl.col("due_on")).dt.total_days().clip(lower_bound=0)


# --- building blocks, answers by hand ---------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # clipped to the leap-year month end
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 11, 15), 3, date(2025, 2, 15)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2025, 12, 1), 12, date(2026, 12, 1)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    moved = add_months(np.array([day_number(day)]), np.array([months]))
    assert moved[0] == day_number(expected)


def test_keyed_draws_depend_on_key_not_position() -> None:
    rng = KeyedRandom(5)
    forward = rng.uniform("stream", np.array([2, 5, 9]))
    backward = rng.uniform("stream", np.array([9, 5, 2]))
    assert np.array_equal(forward, backward[::-1])
    assert not np.array_equal(forward, rng.uniform("other", np.array([2, 5, 9])))
    assert not np.array_equal(forward, KeyedRandom(6).uniform("stream", np.array([2, 5, 9])))
    assert ((forward > 0) & (forward < 1)).all()


# --- determinism and blocks ---------------------------------------------------------------------


def test_same_seed_gives_identical_tables(portfolios: dict[str, Portfolio]) -> None:
    again = generate("manufacturer", N, SEED)
    for table in TABLES:
        assert digest(again.tables[table]) == digest(portfolios["manufacturer"].tables[table])
    assert digest(again.quality) == digest(portfolios["manufacturer"].quality)


def test_different_seeds_differ(portfolios: dict[str, Portfolio]) -> None:
    other = generate("manufacturer", N, SEED + 1)
    for table in TABLES:
        assert digest(other.tables[table]) != digest(portfolios["manufacturer"].tables[table])


@pytest.mark.parametrize("scenario", ["manufacturer", "lender"])
def test_blocks_concatenate_to_generate(portfolios: dict[str, Portfolio], scenario: str) -> None:
    blocks = list(iter_generate(scenario, N, SEED, block=120))  # 4 blocks of 120 and one of 20
    assert [b.tables["customers"].height for b in blocks] == [120, 120, 120, 120, 20]
    whole = portfolios[scenario]
    for table in TABLES:
        assert pl.concat([b.tables[table] for b in blocks]).equals(whole.tables[table])
    assert pl.concat([b.quality for b in blocks]).equals(whole.quality)


def test_block_of_100_matches_generate_for_a_small_portfolio() -> None:
    whole = generate("lender", 300, 4)
    blocks = list(iter_generate("lender", 300, 4, block=100))
    for table in TABLES:
        assert pl.concat([b.tables[table] for b in blocks]).equals(whole.tables[table])


def test_unknown_scenario_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown scenario"):
        generate("bank", 10, 1)


# --- the warehouse contract ---------------------------------------------------------------------


def test_columns_and_types(portfolios: dict[str, Portfolio]) -> None:
    tables = portfolios["lender"].tables
    assert tables["customers"].schema == pl.Schema(
        {
            "customer_id": pl.String, "name": pl.String, "industry": pl.String,
            "region": pl.String, "segment": pl.String, "onboarded_on": pl.Date,
            "annual_revenue": pl.Float64, "external_rating": pl.String,
            "credit_limit": pl.Float64, "owner": pl.String, "status": pl.String,
        }
    )  # fmt: skip
    assert tables["contracts"].columns == [
        "contract_id", "customer_id", "kind", "signed_on", "start_on", "end_on", "amount",
        "currency", "payment_terms_days", "collateral_value", "status", "approved_by",
        "last_reviewed_on",
    ]  # fmt: skip
    assert tables["contracts"]["payment_terms_days"].dtype == pl.Int64
    assert tables["payments"].schema == pl.Schema(
        {
            "payment_id": pl.String, "contract_id": pl.String, "due_on": pl.Date,
            "amount_due": pl.Float64, "paid_on": pl.Date, "amount_paid": pl.Float64,
        }
    )  # fmt: skip
    assert tables["risk_events"].columns == [
        "event_id", "customer_id", "occurred_on", "category", "kind", "severity", "source", "note",
    ]  # fmt: skip
    assert tables["risk_events"]["severity"].dtype == pl.Int64


@pytest.mark.parametrize("scenario", ["manufacturer", "lender"])
def test_every_check_constraint_holds_in_the_warehouse(
    portfolios: dict[str, Portfolio], scenario: str, tmp_path
) -> None:
    con = connect(tmp_path / "w.duckdb")
    try:
        for table, frame in portfolios[scenario].tables.items():
            con.register("df", frame)
            con.sql(f"insert into {table} select * from df")
            con.unregister("df")
            assert con.sql(f"select count(*) from {table}").fetchall()[0][0] == frame.height
    finally:
        con.close()


@pytest.mark.parametrize("scenario", ["manufacturer", "lender"])
def test_keys_references_and_dates(portfolios: dict[str, Portfolio], scenario: str) -> None:
    t = portfolios[scenario].tables
    customers, contracts, payments, events = (t[name] for name in TABLES)
    for frame, key, pattern in [
        (customers, "customer_id", r"^C\d{7}$"),
        (contracts, "contract_id", r"^K\d{8}$"),
        (payments, "payment_id", r"^P\d{9}$"),
        (events, "event_id", r"^E\d{8}$"),
    ]:
        assert frame[key].is_unique().all()
        assert frame[key].str.contains(pattern).all()
    assert contracts["customer_id"].is_in(customers["customer_id"].implode()).all()
    assert payments["contract_id"].is_in(contracts["contract_id"].implode()).all()
    assert events["customer_id"].is_in(customers["customer_id"].implode()).all()

    assert (contracts["currency"] == "CNY").all()
    assert (
        (contracts["start_on"] >= contracts["signed_on"])
        & (contracts["end_on"] >= contracts["start_on"])
    ).all()
    assert (
        contracts["last_reviewed_on"].is_null() == (contracts["status"] == "under_review")
    ).all()
    assert contracts["approved_by"].is_not_null().all()
    for frame, column in [
        (customers, "onboarded_on"),
        (contracts, "signed_on"),
        (contracts, "last_reviewed_on"),
        (payments, "paid_on"),
        (events, "occurred_on"),
    ]:
        assert frame[column].max() <= AS_OF_END, column
    assert (payments["amount_paid"] <= payments["amount_due"]).all()
    assert ((payments["amount_paid"] > 0) == payments["paid_on"].is_not_null()).all()
    first_signed = contracts.group_by("customer_id").agg(pl.col("signed_on").min().alias("first"))
    joined = customers.join(first_signed, on="customer_id")
    assert (joined["onboarded_on"] <= joined["first"]).all()
    for column in ("amount", "collateral_value"):
        assert (contracts[column] == contracts[column].round(2)).all()
    assert (payments["amount_due"] == payments["amount_due"].round(2)).all()


# --- the story: concentration, quality, defaults, scenarios, policy -----------------------------


def outstanding_by_customer(portfolio: Portfolio) -> pl.DataFrame:
    contracts, payments = portfolio.tables["contracts"], portfolio.tables["payments"]
    return (
        payments.join(contracts.select("contract_id", "customer_id"), on="contract_id")
        .group_by("customer_id")
        .agg((pl.col("amount_due") - pl.col("amount_paid")).sum().alias("outstanding"))
    )


@pytest.mark.parametrize("scenario", ["manufacturer", "lender"])
def test_exposure_is_concentrated(portfolios: dict[str, Portfolio], scenario: str) -> None:
    outstanding = outstanding_by_customer(portfolios[scenario])["outstanding"]
    top10_share = outstanding.top_k(10).sum() / outstanding.sum()
    assert top10_share > 3 * 10 / N


@pytest.mark.parametrize("scenario", ["manufacturer", "lender"])
def test_weak_customers_default_more(portfolios: dict[str, Portfolio], scenario: str) -> None:
    p = portfolios[scenario]
    contracts, events = p.tables["contracts"], p.tables["risk_events"]
    defaulted = pl.concat(
        [
            contracts.filter(pl.col("status") == "defaulted")["customer_id"],
            events.filter(pl.col("kind") == "bankruptcy_filing")["customer_id"],
        ]
    ).unique()
    quintile = p.quality.with_columns(
        (pl.col("quality").rank("ordinal") * 5 // (N + 1)).alias("quintile"),
        pl.col("customer_id").is_in(defaulted.implode()).alias("defaulted"),
    )
    rates = quintile.group_by("quintile").agg(pl.col("defaulted").mean()).sort("quintile")
    weakest, strongest = rates["defaulted"][0], rates["defaulted"][-1]
    assert weakest > strongest
    assert weakest > 0.1


@pytest.mark.parametrize("scenario", ["manufacturer", "lender"])
def test_defaulters_stop_paying(portfolios: dict[str, Portfolio], scenario: str) -> None:
    t = portfolios[scenario].tables
    default_on = (
        t["contracts"]
        .filter(pl.col("status") == "defaulted")
        .group_by("customer_id")
        .agg(pl.col("last_reviewed_on").min().alias("default_on"))
    )
    assert default_on.height > 0
    rows = t["payments"].join(t["contracts"].select("contract_id", "customer_id"), on="contract_id")
    after = rows.join(default_on, on="customer_id").filter(
        pl.col("paid_on") >= pl.col("default_on")
    )
    assert after.height == 0


def test_scenario_specific_kinds(portfolios: dict[str, Portfolio]) -> None:
    maker, lender = portfolios["manufacturer"].tables, portfolios["lender"].tables
    assert set(maker["contracts"]["kind"]) == {"sales", "service"}
    assert set(lender["contracts"]["kind"]) == {"loan", "lease"}
    assert set(maker["contracts"]["payment_terms_days"]) <= {30, 60, 90}
    assert lender["contracts"]["payment_terms_days"].is_between(0, 15).all()
    assert (lender["contracts"]["collateral_value"] > 0).mean() > 0.5
    assert (maker["contracts"]["collateral_value"] > 0).mean() < 0.2

    def share(events: pl.DataFrame, category: str) -> float:
        return (events["category"] == category).mean()

    assert share(maker["risk_events"], "operational") > share(lender["risk_events"], "operational")
    assert share(lender["risk_events"], "legal") > share(maker["risk_events"], "legal") - 0.05
    assert {"production_halt", "supply_chain_disruption"} <= set(maker["risk_events"]["kind"])
    assert {"regulatory_action", "bankruptcy_filing", "rating_downgrade"} <= set(
        lender["risk_events"]["kind"]
    )
    assert lender["risk_events"]["severity"].is_between(1, 5).all()


@pytest.mark.parametrize("scenario", ["manufacturer", "lender"])
def test_collection_is_faster_after_the_policy(
    portfolios: dict[str, Portfolio], scenario: str
) -> None:
    payments = portfolios[scenario].tables["payments"].filter(pl.col("paid_on").is_not_null())
    before = payments.filter(
        pl.col("due_on").is_between(date(2025, 5, 1), POLICY_MONTH, closed="left")
    )
    after = payments.filter(
        pl.col("due_on").is_between(POLICY_MONTH, date(2026, 5, 1), closed="left")
    )
    late_before = before.select(DAYS_LATE.mean()).item()
    late_after = after.select(DAYS_LATE.mean()).item()
    assert late_after < 0.8 * late_before


def test_weak_customers_sign_less_after_the_policy(portfolios: dict[str, Portfolio]) -> None:
    p = portfolios["manufacturer"]
    weak = p.quality.filter(pl.col("quality") < pl.col("quality").quantile(1 / 3))["customer_id"]
    signed = p.tables["contracts"].filter(pl.col("customer_id").is_in(weak.implode()))
    # Twelve months either side of the policy: new contracts per month.
    before = signed.filter(
        pl.col("signed_on").is_between(date(2024, 11, 1), POLICY_MONTH, closed="left")
    )
    after = signed.filter(pl.col("signed_on").is_between(POLICY_MONTH, AS_OF_END))
    assert after.height < 0.6 * before.height
