"""Each source-table rule: a tiny frame that breaks it is reported with the right row and column."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from schemas import source

D = date(2024, 1, 1)


def customers(**changes) -> pl.DataFrame:
    row = {
        "customer_id": "C1",
        "name": "Acme",
        "industry": "Retail",
        "region": "East",
        "segment": "Mid",
        "onboarded_on": D,
        "annual_revenue": 1.0,
        "external_rating": "BBB",
        "credit_limit": 10.0,
        "owner": "Li",
        "status": "active",
    }
    good = dict(row, customer_id="C0")
    return pl.DataFrame([good, {**row, **changes}], schema=_schema("customers"))


def contracts(**changes) -> pl.DataFrame:
    row = {
        "contract_id": "K1",
        "customer_id": "C1",
        "kind": "sales",
        "signed_on": D,
        "start_on": D,
        "end_on": date(2024, 12, 31),
        "amount": 100.0,
        "currency": "CNY",
        "payment_terms_days": 30,
        "collateral_value": 0.0,
        "status": "active",
        "approved_by": "Zhao",
        "last_reviewed_on": None,
    }
    good = dict(row, contract_id="K0")
    return pl.DataFrame([good, {**row, **changes}], schema=_schema("contracts"))


def payments(**changes) -> pl.DataFrame:
    row = {
        "payment_id": "P1",
        "contract_id": "K1",
        "due_on": D,
        "amount_due": 10.0,
        "paid_on": None,
        "amount_paid": 0.0,
    }
    good = dict(row, payment_id="P0")
    return pl.DataFrame([good, {**row, **changes}], schema=_schema("payments"))


def events(**changes) -> pl.DataFrame:
    row = {
        "event_id": "E1",
        "customer_id": "C1",
        "occurred_on": D,
        "category": "legal",
        "kind": "litigation",
        "severity": 3,
        "source": "news",
        "note": None,
    }
    good = dict(row, event_id="E0")
    return pl.DataFrame([good, {**row, **changes}], schema=_schema("risk_events"))


def fx_rates(**changes) -> pl.DataFrame:
    row = {"currency": "USD", "on": date(2024, 2, 1), "rate_to_reporting": 7.1}
    good = dict(row, on=D)
    return pl.DataFrame([good, {**row, **changes}], schema=_schema("fx_rates"))


def _schema(table: str) -> dict:
    return {name: dtype for name, (dtype, _) in source.columns(table).items()}


BUILDERS = {
    "fx_rates": fx_rates,
    "customers": customers,
    "contracts": contracts,
    "payments": payments,
    "risk_events": events,
}


@pytest.mark.parametrize("table", list(BUILDERS))
def test_valid_rows_pass(table):
    assert source.validate(table, BUILDERS[table]()).is_empty()


@pytest.mark.parametrize(
    ("table", "change", "column", "rule_words"),
    [
        ("customers", {"name": None}, "name", "required"),
        ("customers", {"external_rating": "AAA+"}, "external_rating", "must be one of"),
        ("customers", {"credit_limit": -1.0}, "credit_limit", ">= 0"),
        ("customers", {"status": "gone"}, "status", "must be one of"),
        ("customers", {"annual_revenue": 2e15}, "annual_revenue", "< 1000000000000000"),
        ("customers", {"onboarded_on": date(1850, 1, 1)}, "onboarded_on", ">= 1900-01-01"),
        ("contracts", {"amount": 0.0}, "amount", "> 0"),
        ("contracts", {"collateral_value": -5.0}, "collateral_value", ">= 0"),
        ("contracts", {"kind": "gift"}, "kind", "must be one of"),
        ("contracts", {"status": "paused"}, "status", "must be one of"),
        ("contracts", {"currency": "usd"}, "currency", "three capital letters"),
        ("contracts", {"currency": "US"}, "currency", "three capital letters"),
        ("contracts", {"end_on": date(2023, 12, 31)}, "end_on", "end_on >= start_on"),
        (
            "contracts",
            {"signed_on": date(2024, 2, 1), "end_on": date(2024, 12, 31)},
            "start_on",
            "start_on >= signed_on",
        ),
        (
            "contracts",
            {"start_on": date(2101, 1, 1), "end_on": date(2101, 2, 1)},
            "start_on",
            "<= 2100-12-31",
        ),
        ("payments", {"amount_due": -3.0}, "amount_due", "> 0"),
        ("payments", {"amount_paid": -1.0}, "amount_paid", ">= 0"),
        (
            "payments",
            {"amount_paid": 5.0, "paid_on": None},
            "paid_on",
            "paid_on set when amount_paid > 0",
        ),
        ("risk_events", {"severity": 9}, "severity", "<= 5"),
        ("risk_events", {"severity": 0}, "severity", ">= 1"),
        ("risk_events", {"category": "weather"}, "category", "must be one of"),
        ("fx_rates", {"currency": "Usd"}, "currency", "three capital letters"),
        ("fx_rates", {"rate_to_reporting": 0.0}, "rate_to_reporting", "> 0"),
        ("fx_rates", {"rate_to_reporting": 2e6}, "rate_to_reporting", "< 1000000"),
        ("fx_rates", {"on": date(1850, 1, 1)}, "on", ">= 1900-01-01"),
    ],
)
def test_each_rule_names_row_and_column(table, change, column, rule_words):
    failures = source.validate(table, BUILDERS[table](**change))
    assert failures.height >= 1
    hit = failures.filter(failures["column"] == column)
    assert hit.height == 1, failures
    assert hit["index"][0] == 1  # the second row; the first row is valid
    assert rule_words in hit["rule"][0]


def test_duplicate_key_reports_both_rows():
    frame = customers(customer_id="C0")
    failures = source.validate("customers", frame)
    assert failures.filter(failures["column"] == "customer_id")["index"].sort().to_list() == [0, 1]
    assert failures["rule"].unique().to_list() == ["duplicate key within the file"]


def test_a_key_of_two_columns_is_unique_as_a_pair():
    # the same currency on another date, and another currency on the same date, are fine
    assert source.validate("fx_rates", fx_rates(currency="EUR", on=D)).is_empty()
    failures = source.validate("fx_rates", fx_rates(on=D))
    assert failures.select("index", "column").sort("index").rows() == [
        (0, "currency"),
        (1, "currency"),
    ]
    assert failures["rule"].unique().to_list() == ["duplicate key within the file"]


def test_reference_checked_against_known_ids():
    failures = source.validate(
        "contracts", contracts(customer_id="C9"), known_ids=pl.Series(["C1"])
    )
    # Row 0 points to C1 (known), row 1 to C9 (not known).
    assert failures.select("index", "column").rows() == [(1, "customer_id")]
    assert "must exist in customers.customer_id" in failures["rule"][0]
    assert failures["value"][0] == "C9"


def test_validation_is_lazy_all_failures_at_once():
    failures = source.validate("payments", payments(amount_due=-1.0, amount_paid=-2.0))
    # amount_paid -2 is also "> 0 without a paid_on date", so three rules fail on the one row.
    assert set(failures["column"]) == {"amount_due", "amount_paid", "paid_on"}
    assert failures["index"].unique().to_list() == [1]
