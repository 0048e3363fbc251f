"""The demo-portfolio generator: determinism, blocking, warehouse rules, and the story it tells."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest

from data.generate import AS_OF_END, POLICY_MONTH, TABLES, Portfolio, generate, iter_generate
from data.generate_config import WRITE_OFF_DAYS, add_months, day_number
from data.generate_random import KeyedRandom
from data.warehouse import LOAD_ORDER, connect
from schemas.source import adjustment_failures

N = 500
SEED = 11


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
        "last_reviewed_on", "interest_rate",
    ]  # fmt: skip
    assert tables["contracts"]["payment_terms_days"].dtype == pl.Int64
    assert tables["contracts"]["interest_rate"].dtype == pl.Float64
    assert tables["payments"].schema == pl.Schema(
        {
            "payment_id": pl.String, "contract_id": pl.String, "issued_on": pl.Date,
            "due_on": pl.Date, "amount_due": pl.Float64, "paid_on": pl.Date,
            "amount_paid": pl.Float64,
        }
    )  # fmt: skip
    assert tables["adjustments"].schema == pl.Schema(
        {
            "adjustment_id": pl.String, "payment_id": pl.String, "kind": pl.String,
            "occurred_on": pl.Date, "amount": pl.Float64, "note": pl.String,
        }
    )  # fmt: skip
    assert tables["credit_reviews"].schema == pl.Schema(
        {
            "review_id": pl.String, "customer_id": pl.String, "effective_on": pl.Date,
            "credit_limit": pl.Float64, "external_rating": pl.String, "decided_by": pl.String,
            "note": pl.String,
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
            con.sql(f"insert into {table} by name select * from df")
            con.unregister("df")
            assert con.sql(f"select count(*) from {table}").fetchall()[0][0] == frame.height
    finally:
        con.close()


@pytest.mark.parametrize("scenario", ["manufacturer", "lender"])
def test_keys_references_and_dates(portfolios: dict[str, Portfolio], scenario: str) -> None:
    t = portfolios[scenario].tables
    customers, contracts, payments, adjustments, reviews, events = (t[name] for name in TABLES)
    for frame, key, pattern in [
        (customers, "customer_id", r"^C\d{7}$"),
        (contracts, "contract_id", r"^K\d{8}$"),
        (payments, "payment_id", r"^P\d{9}$"),
        (adjustments, "adjustment_id", r"^A\d{9}$"),
        (reviews, "review_id", r"^R\d{8}$"),
        (events, "event_id", r"^E\d{8}$"),
    ]:
        assert frame[key].is_unique().all()
        assert frame[key].str.contains(pattern).all()
    assert contracts["customer_id"].is_in(customers["customer_id"].implode()).all()
    assert payments["contract_id"].is_in(contracts["contract_id"].implode()).all()
    assert events["customer_id"].is_in(customers["customer_id"].implode()).all()
    assert adjustments["payment_id"].is_in(payments["payment_id"].implode()).all()
    assert reviews["customer_id"].is_in(customers["customer_id"].implode()).all()

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
        (payments, "issued_on"),
        (adjustments, "occurred_on"),
        (reviews, "effective_on"),
        (events, "occurred_on"),
    ]:
        assert (frame[column].drop_nulls() <= AS_OF_END).all(), column
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


def test_loans_carry_the_rate_their_instalments_are_priced_at(
    portfolios: dict[str, Portfolio],
) -> None:
    maker, lender = portfolios["manufacturer"].tables, portfolios["lender"].tables
    # sales, service and lease contracts are receivables: no rate; every loan has one
    assert maker["contracts"]["interest_rate"].null_count() == maker["contracts"].height
    rated = lender["contracts"].with_columns(rated=pl.col("interest_rate").is_not_null())
    assert (rated["rated"] == (rated["kind"] == "loan")).all()
    # the lender's 6.5 % moved by at most 2 % x 2.5 quality steps down and 2 % up
    assert lender["contracts"]["interest_rate"].drop_nulls().is_between(0.045, 0.115).all()
    # a loan run to schedule repays amount x (1 + rate x term / 12 x 0.55) in its instalments
    # (flat interest on the average balance): the stored rate is the one they were priced at,
    # to its 4 decimals
    due = lender["payments"].group_by("contract_id").agg(pl.col("amount_due").sum().alias("due"))
    months = (pl.col("end_on").dt.year() * 12 + pl.col("end_on").dt.month()) - (
        pl.col("start_on").dt.year() * 12 + pl.col("start_on").dt.month()
    )
    loans = (
        lender["contracts"]
        .filter(pl.col("kind") == "loan", pl.col("status").is_in(["active", "completed"]))
        .join(due, on="contract_id")
        .with_columns(implied=(pl.col("due") / pl.col("amount") - 1) / (months / 12 * 0.55))
    )
    assert loans.height > 100
    assert ((loans["implied"] - loans["interest_rate"]).abs() < 1e-4).all()


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


# --- billing dates, adjustments, cures and credit reviews ----------------------------------------

RATING_ORDER = {
    r: i for i, r in enumerate(["AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C", "D"])
}


def test_the_generator_writes_every_source_table(portfolios: dict[str, Portfolio]) -> None:
    # but fx_rates: every generated amount is in the reporting currency
    generated = set(LOAD_ORDER) - {"fx_rates"}
    assert set(TABLES) == generated
    for portfolio in portfolios.values():
        assert set(portfolio.tables) == generated
        assert portfolio.tables["credit_reviews"].height > 0


def payment_rows(portfolio: Portfolio) -> pl.DataFrame:
    """Payments with their contract's customer, kind and terms and their adjustment totals."""
    t = portfolio.tables
    totals = t["adjustments"].pivot(
        on="kind", index="payment_id", values="amount", aggregate_function="sum"
    )
    for kind in ("write_off", "recovery", "credit_note"):
        if kind not in totals.columns:
            totals = totals.with_columns(pl.lit(None, pl.Float64).alias(kind))
    return (
        t["payments"]
        .join(
            t["contracts"].select("contract_id", "customer_id", "kind", "payment_terms_days"),
            on="contract_id",
        )
        .join(totals, on="payment_id", how="left")
        .with_columns(pl.col("write_off", "recovery", "credit_note").fill_null(0.0))
    )


@pytest.mark.parametrize("scenario", ["manufacturer", "lender"])
def test_write_offs_are_the_unpaid_remainder_at_180_days(
    portfolios: dict[str, Portfolio], scenario: str
) -> None:
    portfolio = portfolios[scenario]
    adjustments = portfolio.tables["adjustments"]
    offs = adjustments.filter(pl.col("kind") == "write_off")
    assert offs.height > 0
    assert offs["payment_id"].is_unique().all()  # one write-off per row
    rows = payment_rows(portfolio)
    written = offs.join(rows, on="payment_id")
    assert (written["occurred_on"] == written["due_on"] + timedelta(days=WRITE_OFF_DAYS)).all()
    assert (written["occurred_on"] <= AS_OF_END).all()
    remainder = written["amount_due"] - written["amount_paid"] - written["credit_note"]
    assert ((written["amount"] - remainder).abs() < 0.005).all()
    # anything paid on such a row was paid before the write-off
    paid = written.filter(pl.col("paid_on").is_not_null())
    assert (paid["paid_on"] <= paid["occurred_on"]).all()
    # and every row left unpaid that long is written off
    cutoff = AS_OF_END - timedelta(days=WRITE_OFF_DAYS)
    overdue = rows.filter(
        (pl.col("due_on") <= cutoff)
        & (pl.col("amount_due") - pl.col("amount_paid") - pl.col("credit_note") > 0.005)
    )
    assert overdue["payment_id"].is_in(offs["payment_id"].implode()).all()
    # no payment arrives after the write-off date: a late payment is a recovery instead
    late = rows.filter(pl.col("paid_on") > pl.col("due_on") + pl.duration(days=WRITE_OFF_DAYS))
    assert late.height == 0


@pytest.mark.parametrize("scenario", ["manufacturer", "lender"])
def test_recoveries_follow_write_offs_and_never_exceed_them(
    portfolios: dict[str, Portfolio], scenario: str
) -> None:
    adjustments = portfolios[scenario].tables["adjustments"]
    offs = adjustments.filter(pl.col("kind") == "write_off").select(
        "payment_id", pl.col("occurred_on").alias("written_on"), pl.col("amount").alias("written")
    )
    recoveries = adjustments.filter(pl.col("kind") == "recovery").join(
        offs, on="payment_id", how="left"
    )
    assert recoveries.height > 0
    assert recoveries["written_on"].is_not_null().all()
    assert (recoveries["occurred_on"] > recoveries["written_on"]).all()
    assert (recoveries["occurred_on"] <= AS_OF_END).all()
    assert (recoveries["amount"] > 0).all()
    per_row = recoveries.group_by("payment_id").agg(
        pl.col("amount").sum().alias("recovered"), pl.col("written").first(), pl.len()
    )
    assert (per_row["recovered"] <= per_row["written"] + 0.005).all()
    assert per_row["len"].max() <= 2
    share = per_row.height / offs.height
    assert 0.1 < share < 0.7, share


@pytest.mark.parametrize("scenario", ["manufacturer", "lender"])
def test_adjustments_pass_the_loaders_cross_row_rules(
    portfolios: dict[str, Portfolio], scenario: str
) -> None:
    t = portfolios[scenario].tables
    owed = t["payments"].select(
        "payment_id", (pl.col("amount_due") - pl.col("amount_paid")).alias("owed")
    )
    stored = t["adjustments"].clear()
    assert adjustment_failures(t["adjustments"], owed, stored).height == 0


def test_credit_notes_are_part_of_an_invoice_before_its_due_date(
    portfolios: dict[str, Portfolio],
) -> None:
    rows = payment_rows(portfolios["manufacturer"])
    notes = portfolios["manufacturer"].tables["adjustments"].filter(pl.col("kind") == "credit_note")
    noted = notes.join(rows, on="payment_id")
    assert noted.height == notes.height > 0
    assert noted["kind_right"].is_in(["sales", "service"]).all()
    issued = noted.select(pl.col("due_on") - pl.duration(days="payment_terms_days")).to_series()
    assert (noted["occurred_on"] >= issued).all()
    assert (noted["occurred_on"] <= noted["due_on"]).all()
    assert (noted["occurred_on"] <= AS_OF_END).all()
    paid = noted.filter(pl.col("paid_on").is_not_null())
    assert (paid["occurred_on"] < paid["paid_on"]).all()
    assert (noted["amount"] > 0).all()
    assert (noted["amount"] <= noted["amount_due"] - noted["amount_paid"] + 0.005).all()
    assert (noted["amount"] <= 0.4 * noted["amount_due"] + 0.01).all()
    invoiced = rows.filter(
        pl.col("due_on") - pl.duration(days=pl.col("payment_terms_days")) <= AS_OF_END
    )
    assert 0.005 < notes.height / invoiced.height < 0.03
    lender = portfolios["lender"].tables["adjustments"]
    assert lender.filter(pl.col("kind") == "credit_note").height == 0  # loans have no invoices


@pytest.mark.parametrize("scenario", ["manufacturer", "lender"])
def test_issued_on_is_the_invoice_date_on_most_invoices(
    portfolios: dict[str, Portfolio], scenario: str
) -> None:
    rows = payment_rows(portfolios[scenario])
    scheduled = rows.filter(pl.col("kind").is_in(["loan", "lease"]))
    assert scheduled["issued_on"].is_null().all()
    invoices = rows.filter(pl.col("kind").is_in(["sales", "service"]))
    if scenario == "lender":
        assert invoices.height == 0
        return
    billed = pl.col("due_on") - pl.duration(days=pl.col("payment_terms_days"))
    invoices = invoices.with_columns(billed.alias("billed"))
    dated = invoices.filter(pl.col("issued_on").is_not_null())
    assert (dated["issued_on"] == dated["billed"]).all()
    # an invoice billed after the extract date has no date yet
    assert (dated["issued_on"] <= AS_OF_END).all()
    issued = invoices.filter(pl.col("billed") <= AS_OF_END)
    assert 0.55 < dated.height / issued.height < 0.85
    # the share is drawn per contract: a contract's issued invoices all carry the date or none does
    per_contract = issued.group_by("contract_id").agg(pl.col("issued_on").is_null().n_unique())
    assert (per_contract["issued_on"] == 1).all()


def month_end_dpd(rows: pl.DataFrame) -> pl.DataFrame:
    """customer_id, as_of (month-ends of history), max DPD over rows overdue then."""
    ends = pl.DataFrame(
        {"as_of": pl.date_range(date(2023, 11, 1), AS_OF_END, "1mo", eager=True).dt.month_end()}
    )
    return (
        rows.join(ends, how="cross")
        .filter(
            (pl.col("due_on") < pl.col("as_of"))
            & (pl.col("paid_on").is_null() | (pl.col("paid_on") > pl.col("as_of")))
            & (
                (pl.col("write_off") == 0)
                | (pl.col("due_on") + timedelta(days=WRITE_OFF_DAYS) > pl.col("as_of"))
            )
        )
        .group_by("customer_id", "as_of")
        .agg((pl.col("as_of") - pl.col("due_on")).dt.total_days().max().alias("dpd"))
    )


@pytest.mark.parametrize("scenario", ["manufacturer", "lender"])
def test_some_customers_past_90_days_pay_up_and_stay_clean(
    portfolios: dict[str, Portfolio], scenario: str
) -> None:
    t = portfolios[scenario].tables
    rows = payment_rows(portfolios[scenario])
    lasting = pl.concat(
        [
            t["contracts"].filter(pl.col("status") == "defaulted")["customer_id"],
            t["risk_events"].filter(pl.col("kind") == "bankruptcy_filing")["customer_id"],
        ]
    ).unique()
    dpd = month_end_dpd(rows.filter(pl.col("amount_paid") < pl.col("amount_due") + 1))
    over_90 = (
        dpd.filter(pl.col("dpd") > 90)
        .group_by("customer_id")
        .agg(pl.col("as_of").max().alias("last_90"))
    )
    # every customer 90+ days past due at a month-end either stays in default or pays up
    curers = over_90.filter(~pl.col("customer_id").is_in(lasting.implode()))
    assert curers.height >= 3, curers
    # after paying up, a curer's month-ends are clean (at most 30 days past due)
    after = dpd.join(curers, on="customer_id").filter(pl.col("as_of") > pl.col("last_90"))
    caught_up = after.group_by("customer_id").agg(pl.col("dpd").max())
    assert (caught_up["dpd"] <= 30).all(), caught_up.filter(pl.col("dpd") > 30)
    # and most of them have three clean month-ends before the end of history
    clean_by = curers["last_90"].dt.offset_by("3mo").dt.month_end()
    assert (clean_by <= AS_OF_END).mean() > 0.5
    # curers keep paying: their rows due after the catch-up are paid on time or not yet due
    paid_up = curers.join(rows, on="customer_id").filter(
        (pl.col("due_on") > pl.col("last_90") + timedelta(days=40)) & (pl.col("due_on") < AS_OF_END)
    )
    late = (paid_up["paid_on"] - paid_up["due_on"]).dt.total_days()
    assert (late.drop_nulls() <= 0).all()


def reviews_in_order(portfolio: Portfolio) -> pl.DataFrame:
    """Credit reviews by customer and date with the limit and rating in force before each."""
    return (
        portfolio.tables["credit_reviews"]
        .sort("customer_id", "effective_on", "review_id")
        .with_columns(
            pl.col("credit_limit").shift(1).over("customer_id").alias("limit_before"),
            pl.col("external_rating")
            .forward_fill()
            .shift(1)
            .over("customer_id")
            .alias("rating_before"),
        )
    )


@pytest.mark.parametrize("scenario", ["manufacturer", "lender"])
def test_a_downgrade_is_followed_by_a_limit_cut_and_the_lower_rating(
    portfolios: dict[str, Portfolio], scenario: str
) -> None:
    portfolio = portfolios[scenario]
    reviews = reviews_in_order(portfolio)
    cuts = reviews.filter(pl.col("note") == "Limit cut after rating downgrade")
    assert cuts.height > 0
    ratio = cuts["credit_limit"] / cuts["limit_before"]
    assert ((ratio >= 0.49) & (ratio <= 0.75)).all(), ratio.describe()
    # each follows a rating_downgrade of the customer 3-30 days before
    downgrades = portfolio.tables["risk_events"].filter(pl.col("kind") == "rating_downgrade")
    preceded = (
        cuts.join(downgrades.select("customer_id", "occurred_on"), on="customer_id")
        .filter((pl.col("effective_on") - pl.col("occurred_on")).dt.total_days().is_between(3, 30))
        .select("review_id")
        .unique()
    )
    assert preceded.height == cuts.height
    # the rating it sets is worse than the one in force before it
    rated = cuts.filter(
        pl.col("external_rating").is_not_null() & pl.col("rating_before").is_not_null()
    )
    worse = rated["external_rating"].replace_strict(RATING_ORDER) - rated[
        "rating_before"
    ].replace_strict(RATING_ORDER)
    assert rated.height > 0 and (worse >= 0).all() and (worse > 0).mean() > 0.8
    # a default (without cure) cuts deeper and sets a default-range rating
    defaults = reviews.filter(pl.col("note") == "Limit cut after default")
    assert defaults.height > 0
    assert (defaults["credit_limit"] < defaults["limit_before"]).all()
    assert defaults["external_rating"].drop_nulls().is_in(["D", "C", "CC"]).all()
    # annual reviews raise the limits of growing customers (and lower some)
    notes = set(reviews["note"])
    assert {"Annual review: limit raised", "Annual review: limit lowered"} <= notes


@pytest.mark.parametrize("scenario", ["manufacturer", "lender"])
def test_customers_hold_the_limit_and_rating_of_their_latest_review(
    portfolios: dict[str, Portfolio], scenario: str
) -> None:
    portfolio = portfolios[scenario]
    customers = portfolio.tables["customers"]
    reviews = reviews_in_order(portfolio)
    latest = reviews.group_by("customer_id").agg(
        pl.col("credit_limit").last().alias("review_limit"),
        pl.col("external_rating").drop_nulls().last().alias("review_rating"),
        pl.col("effective_on").first().alias("first_review"),
    )
    joined = customers.join(latest, on="customer_id")
    assert (joined["credit_limit"] == joined["review_limit"]).all()
    rated = joined.filter(pl.col("review_rating").is_not_null())
    assert (rated["external_rating"] == rated["review_rating"]).all()
    unrated = joined.filter(pl.col("external_rating").is_null())
    assert unrated["review_rating"].is_null().all()
    # the first review dates from onboarding or before history opens, so history has a limit
    assert (joined["first_review"] >= joined["onboarded_on"]).all()
    opens = pl.max_horizontal(pl.col("onboarded_on"), pl.lit(date(2023, 11, 1)))
    assert joined.select((pl.col("first_review") <= opens).all()).item()
    # some customers have no reviews: the build falls back to their own values
    share = joined.height / customers.height
    assert 0.8 < share < 1.0
