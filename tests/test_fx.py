"""Currencies: amounts in another currency are converted with fx_rates at load (data.fx).

Tiny books, answers worked out by hand: USD is worth 7.0 CNY from 2024-01-01 and 7.2 from
2024-03-01. Derived tables are not built (rebuild=False): conversion happens before the rows are
stored.
"""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from commands.cli import main
from data import warehouse
from data.fx import convert
from data.ingest import load_files
from schemas import source

CUSTOMERS = """customer_id,name,industry,region,segment,onboarded_on,annual_revenue,external_rating,credit_limit,owner,status
C1,Acme Trading,Retail,East,Mid,2024-01-15,5000000,BBB,100000,Li Wei,active
"""
CONTRACT_HEADER = (
    "contract_id,customer_id,kind,signed_on,start_on,end_on,amount,currency,"
    "payment_terms_days,collateral_value,status,approved_by,last_reviewed_on\n"
)
CONTRACTS = CONTRACT_HEADER + (
    # between the two rates: the earlier one (7.0)
    "K1,C1,sales,2024-02-10,2024-02-10,2025-01-31,1000,USD,30,100,active,Zhao,\n"
    # on the day of the later rate: that one (7.2)
    "K2,C1,sales,2024-03-01,2024-03-01,2025-01-31,500,USD,30,0,active,Zhao,\n"
    # no EUR rate at all
    "K3,C1,sales,2024-02-10,2024-02-10,2025-01-31,1000,EUR,30,0,active,Zhao,\n"
    # before the first USD rate
    "K4,C1,sales,2023-12-31,2024-01-02,2025-01-31,1000,USD,30,0,active,Zhao,\n"
    # the reporting currency: as it is
    "K5,C1,sales,2024-02-10,2024-02-10,2025-01-31,1000,CNY,30,0,active,Zhao,\n"
)
FX_RATES = """currency,on,rate_to_reporting
USD,2024-01-01,7.0
USD,2024-03-01,7.2
"""
PAYMENTS = """payment_id,contract_id,issued_on,due_on,amount_due,paid_on,amount_paid
P1,K1,,2024-03-02,100,2024-03-01,50
P2,K1,2024-02-15,2024-03-15,100,,0
P3,K5,,2024-03-02,100,,0
"""
ADJUSTMENTS = """adjustment_id,payment_id,kind,occurred_on,amount,note
A1,P1,write_off,2024-03-10,20,
"""


@pytest.fixture
def con(tmp_path):
    connection = warehouse.connect(tmp_path / "w.duckdb")
    yield connection
    connection.close()


def write(folder, files: dict[str, str]):
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def rows(con, query: str) -> list[tuple]:
    return con.sql(query).fetchall()


def test_a_book_in_dollars_is_stored_in_yuan_at_the_rate_in_force(con, tmp_path):
    # fx_rates arrive in the same load as the contracts they convert
    folder = write(
        tmp_path / "book",
        {
            "customers.csv": CUSTOMERS,
            "fx_rates.csv": FX_RATES,
            "contracts.csv": CONTRACTS,
            "payments.csv": PAYMENTS,
            "adjustments.csv": ADJUSTMENTS,
        },
    )
    result = load_files(con, [folder], rebuild=False)
    assert [r.table for r in result.reports][0] == "fx_rates"  # loaded first
    assert result.exit_code == 1  # K3 and K4 have no rate
    # the contract keeps the currency it is written in; its amounts are in CNY
    assert rows(
        con, "select contract_id, currency, amount, collateral_value from contracts order by 1"
    ) == [
        ("K1", "USD", 7000.0, 700.0),  # 1000 and 100 × 7.0 (signed 2024-02-10)
        ("K2", "USD", 3600.0, 0.0),  # 500 × 7.2 (signed 2024-03-01)
        ("K5", "CNY", 1000.0, 0.0),
    ]
    # payments are in their contract's currency: no currency column needed
    assert rows(con, "select payment_id, amount_due, amount_paid from payments order by 1") == [
        ("P1", 720.0, 360.0),  # due 2024-03-02: 100 and 50 × 7.2
        ("P2", 700.0, 0.0),  # issued 2024-02-15: 100 × 7.0
        ("P3", 100.0, 0.0),  # a CNY contract's
    ]
    # an adjustment is in its payment's contract's currency, at its own date
    assert rows(con, "select adjustment_id, amount from adjustments") == [("A1", 144.0)]
    # the customer is in the reporting currency
    assert rows(con, "select annual_revenue, credit_limit from customers") == [
        (5_000_000.0, 100_000.0)
    ]


def test_a_row_without_a_rate_is_quarantined_naming_currency_and_date(con, tmp_path):
    folder = write(
        tmp_path / "book",
        {"customers.csv": CUSTOMERS, "fx_rates.csv": FX_RATES, "contracts.csv": CONTRACTS},
    )
    result = load_files(con, [folder], rebuild=False)
    contracts = next(r for r in result.reports if r.table == "contracts")
    assert (contracts.rows_accepted, contracts.rows_rejected) == (3, 2)
    hint = "(load fx_rates.csv with currency, on, rate_to_reporting)"
    # the message is the same for every row of a currency (a report groups them), the value is
    # the row's date
    assert contracts.failures.rows() == [
        (3, "currency", f"no exchange rate for EUR in fx_rates {hint}", "2024-02-10"),
        (
            4,
            "currency",
            "no exchange rate for USD on or before the row's date (signed_on) in fx_rates: its "
            f"first rate there is from 2024-01-01 {hint}",
            "2023-12-31",
        ),
    ]
    quarantined = rows(
        con,
        "select row_number, column_name, rule, value from quarantine "
        "where table_name = 'contracts' order by row_number",
    )
    assert quarantined == contracts.failures.rows()
    assert rows(con, "select count(*) from contracts where contract_id in ('K3', 'K4')") == [(0,)]


def test_a_payment_of_a_stored_contract_uses_its_currency_and_stored_rates(con, tmp_path):
    load_files(
        con,
        [
            write(
                tmp_path / "first",
                {"customers.csv": CUSTOMERS, "fx_rates.csv": FX_RATES, "contracts.csv": CONTRACTS},
            )
        ],
        rebuild=False,
    )
    # a later load: the contract and the rates are in the warehouse, not in this batch
    result = load_files(con, [write(tmp_path / "later", {"payments.csv": PAYMENTS})], rebuild=False)
    assert result.exit_code == 0
    assert rows(con, "select amount_due from payments order by payment_id") == [
        (720.0,),
        (700.0,),
        (100.0,),
    ]


def test_the_batch_rate_wins_over_a_stored_one_of_the_same_day(con, tmp_path):
    load_files(con, [write(tmp_path / "first", {"fx_rates.csv": FX_RATES})], rebuild=False)
    corrected = "currency,on,rate_to_reporting\nUSD,2024-01-01,7.5\n"
    folder = write(
        tmp_path / "later",
        {
            "customers.csv": CUSTOMERS,
            "fx_rates.csv": corrected,
            "contracts.csv": CONTRACT_HEADER
            + "K1,C1,sales,2024-02-10,2024-02-10,2025-01-31,1000,USD,30,0,active,Zhao,\n",
        },
    )
    assert load_files(con, [folder], rebuild=False).exit_code == 0
    assert rows(con, "select amount from contracts") == [(7500.0,)]
    assert rows(con, 'select "on", rate_to_reporting from fx_rates order by 1') == [
        (date(2024, 1, 1), 7.5),
        (date(2024, 3, 1), 7.2),
    ]


def typed(table: str, records: list[dict]) -> pl.DataFrame:
    schema = {name: dtype for name, (dtype, _) in source.columns(table).items()}
    return pl.DataFrame(records, schema=schema)


def test_a_declared_currency_overrides_the_rows_own(con, tmp_path):
    load_files(con, [write(tmp_path / "rates", {"fx_rates.csv": FX_RATES})], rebuild=False)
    customer = {
        "customer_id": "C1",
        "name": "Acme",
        "industry": "Retail",
        "region": "East",
        "segment": "Mid",
        "onboarded_on": date(2024, 2, 1),
        "annual_revenue": 1000.0,
        "external_rating": None,
        "credit_limit": 100.0,
        "owner": "Li",
        "status": "active",
    }
    customers = typed("customers", [customer, dict(customer, customer_id="C2")])
    batch = {t: [] for t in warehouse.LOAD_ORDER}
    converted, failures = convert(con, "customers", customers, pl.Series(["USD", None]), batch)
    assert failures.is_empty()
    assert converted.select("annual_revenue", "credit_limit").rows() == [
        (7000.0, 700.0),  # declared USD, onboarded 2024-02-01: × 7.0
        (1000.0, 100.0),  # not declared: the reporting currency
    ]
    # a contract declared in USD whose currency column says CNY is a USD contract
    contract = {
        "contract_id": "K1",
        "customer_id": "C1",
        "kind": "sales",
        "signed_on": date(2024, 3, 5),
        "start_on": date(2024, 3, 5),
        "end_on": date(2024, 12, 31),
        "amount": 10.0,
        "currency": "CNY",
        "payment_terms_days": 30,
        "collateral_value": 0.0,
        "status": "active",
        "approved_by": None,
        "last_reviewed_on": None,
    }
    converted, failures = convert(
        con, "contracts", typed("contracts", [contract]), pl.Series(["USD"]), batch
    )
    assert failures.is_empty()
    assert converted.select("currency", "amount").rows() == [("USD", 72.0)]
    # a declared currency with no rate is the row's failure, on its first amount column
    converted, failures = convert(con, "customers", customers, pl.Series(["GBP", None]), batch)
    assert failures.select("index", "column").rows() == [(0, "annual_revenue")]
    assert failures["rule"][0].startswith("no exchange rate for GBP in fx_rates")
    assert failures["value"][0] == "2024-02-01"


def test_the_reporting_currency_is_a_setting_of_the_warehouse(con, tmp_path):
    assert warehouse.reporting_currency(con) == "CNY"
    assert warehouse.set_reporting_currency(con, "USD") == "USD"
    assert warehouse.reporting_currency(con) == "USD"
    folder = write(
        tmp_path / "book",
        {
            # in a USD warehouse a CNY contract needs a CNY rate; a USD rate other than 1 is refused
            "fx_rates.csv": "currency,on,rate_to_reporting\nCNY,2024-01-01,0.125\nUSD,2024-01-01,2\n",
            "customers.csv": CUSTOMERS,
            "contracts.csv": CONTRACTS,
        },
    )
    result = load_files(con, [folder], rebuild=False)
    rates = next(r for r in result.reports if r.table == "fx_rates")
    assert rates.failures.rows() == [
        (
            2,
            "rate_to_reporting",
            "USD is the reporting currency: its rate_to_reporting must be 1",
            "2",
        )
    ]
    assert rows(con, "select contract_id, amount from contracts order by 1") == [
        ("K1", 1000.0),
        ("K2", 500.0),
        ("K4", 1000.0),
        ("K5", 125.0),  # 1000 CNY × 0.125
    ]
    # every stored amount is in USD now: the setting no longer changes
    with pytest.raises(warehouse.SettingRefused, match="stays USD"):
        warehouse.set_reporting_currency(con, "EUR")
    assert warehouse.set_reporting_currency(con, "USD") == "USD"  # no change, no refusal
    assert warehouse.reporting_currency(con) == "USD"


def test_settings_command_sets_only_an_empty_warehouse(tmp_path, capsys):
    db = str(tmp_path / "w.duckdb")
    assert main(["settings", "--db", db, "--reporting-currency", "eur", "--quiet"]) == 0
    assert "reporting currency EUR" in capsys.readouterr().out
    assert main(["settings", "--db", db, "--reporting-currency", "E1"]) == 2
    assert "not a currency code" in capsys.readouterr().err
    folder = write(tmp_path / "book", {"customers.csv": CUSTOMERS})
    assert main(["ingest", str(folder), "--db", db, "--no-build", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["settings", "--db", db, "--reporting-currency", "USD"]) == 2
    refused = capsys.readouterr().err
    assert "stays EUR" in refused and "customers 1" in refused
    assert main(["settings", "--db", db]) == 0
    assert "reporting currency EUR" in capsys.readouterr().out
    assert main(["info", "--db", db]) == 0
    assert "reporting currency EUR" in capsys.readouterr().out


def test_the_settings_command_creates_a_new_warehouse_in_the_chosen_currency(tmp_path, capsys):
    from commands.cli import main

    db = tmp_path / "new.duckdb"
    assert main(["settings", "--reporting-currency", "USD", "--db", str(db)]) == 0
    assert db.exists()
    con = warehouse.connect(db, read_only=True)
    try:
        assert warehouse.reporting_currency(con) == "USD"
    finally:
        con.close()
    assert "reporting currency USD" in capsys.readouterr().out
