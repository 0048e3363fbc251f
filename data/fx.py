"""Amounts in other currencies, converted to the reporting currency at load.

Every amount the warehouse stores is in one reporting currency (a setting of the warehouse,
data.warehouse.reporting_currency, CNY unless chosen otherwise before the first load). A row
written in another currency is converted when it is loaded, by multiplying its amounts with the
exchange rate in force on the row's date:

- **Which currency a row is in.** The currency a mapping declares for the row (`declared`, one
  value per row) wins; otherwise a contract's own `currency` column, a payment's contract's
  currency, an adjustment's payment's contract's currency (looked up in this batch's accepted rows
  first, then in the warehouse), and for customers and credit reviews the reporting currency.
  `contracts.currency` keeps the currency the contract is written in (a declared currency is
  written there too); its amounts are stored converted.
- **The row's date.** contracts signed_on, payments issued_on (else due_on), adjustments
  occurred_on, credit_reviews effective_on, customers onboarded_on.
- **The rate in force.** The `fx_rates` row of that currency with the latest `on` on or before
  the row's date, from the warehouse and this batch's accepted fx_rates rows (the batch wins on
  the same (currency, on)). The reporting currency converts at 1 and needs no row; an fx_rates row
  for it with another rate is rejected (`fx_reporting_rate`).
- **Converted columns.** customers annual_revenue and credit_limit; contracts amount and
  collateral_value; payments amount_due and amount_paid; adjustments amount; credit_reviews
  credit_limit. Risk events carry no amount.
- **No rate.** A row in another currency with no rate in force is rejected (`fx_rate_missing`,
  naming the currency and the date) on the column carrying the currency: contracts `currency`,
  otherwise the table's first amount column. A declared currency that is not three capital letters
  is rejected there too (`currency_code`); the rules on the row's own columns are the schema's.

Rows are converted before the schema rules run, so amount limits apply to what is stored.
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from data.runner import run
from data.warehouse import CURRENCY_CODE, reporting_currency
from schemas.rules import cut_value, describe

# Money columns of each source table, in the currency of the row until converted; the first one
# carries a failure of a table without a currency column.
AMOUNTS: dict[str, tuple[str, ...]] = {
    "customers": ("annual_revenue", "credit_limit"),
    "contracts": ("amount", "collateral_value"),
    "payments": ("amount_due", "amount_paid"),
    "adjustments": ("amount",),
    "credit_reviews": ("credit_limit",),
}
# The date whose rate converts a row.
RATE_DATE_NAMES = {
    "customers": "onboarded_on",
    "contracts": "signed_on",
    "payments": "issued_on, else due_on",
    "adjustments": "occurred_on",
    "credit_reviews": "effective_on",
}
RATE_DATES: dict[str, pl.Expr] = {
    "customers": pl.col("onboarded_on"),
    "contracts": pl.col("signed_on"),
    "payments": pl.coalesce("issued_on", "due_on"),
    "adjustments": pl.col("occurred_on"),
    "credit_reviews": pl.col("effective_on"),
}
FAILURES = {"index": pl.Int64, "column": pl.String, "rule": pl.String, "value": pl.String}
RATES = {"currency": pl.String, "on": pl.Date, "rate_to_reporting": pl.Float64}


def convert(
    con: duckdb.DuckDBPyConnection,
    table: str,
    typed: pl.DataFrame,
    declared: pl.Series | None,
    batch_ids: dict[str, list[pl.DataFrame]],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(`typed` with its amounts in the reporting currency, failures) for a batch of `table`.

    `declared` is the currency a mapping declares for each row (None, or nulls: not declared);
    `batch_ids[t]` are this batch's accepted (already converted) frames of table t. Failures have
    columns index (0-based row of `typed`), column, rule, value, as data.parsing.parse_cells
    returns them; a failed row keeps its amounts unconverted. See the module docstring.
    """
    reporting = reporting_currency(con)
    if table == "fx_rates":
        return typed, _reporting_rate_failures(typed, reporting)
    if table not in AMOUNTS or typed.is_empty():
        return typed, _no_failures()
    if declared is not None and declared.len() != typed.height:
        raise ValueError(
            f"declared currency has {declared.len()} values for {typed.height} rows of {table}"
        )
    declared = None if declared is None else declared.cast(pl.String).rename("declared")
    if table == "contracts" and declared is not None:
        # the contract is written in the declared currency: its currency column says so
        typed = typed.with_columns(pl.coalesce(pl.lit(declared), "currency").alias("currency"))
    currency = _row_currency(con, table, typed, declared, batch_ids, reporting)
    # only rows not in the reporting currency need a look (in most loads: none)
    other = (
        currency.rename("currency")
        .to_frame()
        .with_row_index("index")
        .with_columns(pl.col("index").cast(pl.Int64))
        .filter(pl.col("currency").is_not_null() & (pl.col("currency") != reporting))
    )
    if other.is_empty():
        return typed, _no_failures()
    dates = typed.select(RATE_DATES[table]).to_series()
    other = other.with_columns(dates.gather(other["index"]).alias("date"))
    carrier = "currency" if table == "contracts" else AMOUNTS[table][0]
    valid = pl.col("currency").str.contains(f"^{CURRENCY_CODE.pattern}$")
    # a malformed code in the currency column is the schema's to report; a declared one is here
    code_failures = (
        other.filter(~valid).select(
            "index",
            pl.lit(carrier).alias("column"),
            pl.lit(describe("currency_code")).alias("rule"),
            pl.col("currency").alias("value"),
        )
        if table != "contracts"
        else _no_failures()
    ).cast(FAILURES)
    # a missing date is the schema's to report
    foreign = other.filter(valid & pl.col("date").is_not_null())
    if foreign.is_empty():
        return typed, code_failures
    rates = _rates(con, foreign["currency"].unique().to_list(), batch_ids.get("fx_rates", []))
    # both sides sorted by date, hence by date within each currency (Polars cannot check that)
    in_force = foreign.sort("date").join_asof(
        rates.sort("on"),
        left_on="date",
        right_on="on",
        by="currency",
        strategy="backward",
        check_sortedness=False,
    )
    missing = in_force.filter(pl.col("rate_to_reporting").is_null())
    # The message names only what is the same for every row of a currency (so a load's report
    # groups them: one line per currency, not per date); the row's date is the failure's value.
    earliest = dict(rates.group_by("currency").agg(pl.col("on").min()).iter_rows())
    messages = {
        currency: describe(
            "fx_rate_missing",
            currency=currency,
            date_column=RATE_DATE_NAMES[table],
            first=_iso(earliest[currency]),
        )
        if currency in earliest
        else describe("fx_rate_none", currency=currency)
        for currency in missing["currency"].unique().to_list()
    }
    rate_failures = missing.select(
        "index",
        pl.lit(carrier).alias("column"),
        pl.col("currency").replace_strict(messages, return_dtype=pl.String).alias("rule"),
        pl.col("date").dt.to_string("%Y-%m-%d").alias("value"),
    ).cast(FAILURES)
    found = in_force.filter(pl.col("rate_to_reporting").is_not_null())
    factor = pl.repeat(1.0, typed.height, dtype=pl.Float64, eager=True).scatter(
        found["index"], found["rate_to_reporting"]
    )
    converted = typed.with_columns(pl.col(c) * factor for c in AMOUNTS[table])
    return converted, pl.concat([code_failures, rate_failures]).sort("index")


def _row_currency(
    con: duckdb.DuckDBPyConnection,
    table: str,
    typed: pl.DataFrame,
    declared: pl.Series | None,
    batch_ids: dict[str, list[pl.DataFrame]],
    reporting: str,
) -> pl.Series:
    """The currency of each row of `typed`: declared, else the table's rule (module docstring).
    Null where it cannot be told (a payment of an unknown contract: the reference rule rejects
    it)."""
    if table == "contracts":
        own = typed["currency"]  # already holds a declared currency
    elif table == "payments":
        own = _contract_currency(con, typed["contract_id"], batch_ids, reporting)
    elif table == "adjustments":
        contracts = _payment_contract(con, typed["payment_id"], batch_ids)
        own = _contract_currency(con, contracts, batch_ids, reporting)
    else:
        own = pl.repeat(reporting, typed.height, dtype=pl.String, eager=True)
    if declared is None:
        return own.rename("currency")
    both = pl.DataFrame({"declared": declared, "own": own})
    return both.select(pl.coalesce("declared", "own").alias("currency")).to_series()


def _contract_currency(
    con: duckdb.DuckDBPyConnection,
    contract_ids: pl.Series,
    batch_ids: dict[str, list[pl.DataFrame]],
    reporting: str,
) -> pl.Series:
    """The currency of each contract named: this batch's accepted contracts first, then the
    warehouse's. A contract in neither counts as in the reporting currency (the reference rule
    rejects its rows)."""
    batch = _batch_map(batch_ids.get("contracts", []), "contract_id", "currency")
    ids = contract_ids.drop_nulls()
    # unique after the filter: on a large batch whose contracts come with it, nothing is left
    unseen = ids.filter(~ids.is_in(batch["contract_id"].implode())).unique().to_list()
    # the query returns only contracts in another currency than the reporting one
    stored = (
        run(con, "load_contract_currency", contract_ids=unseen, reporting=reporting)
        if unseen
        else batch.clear()
    )
    foreign = pl.concat([batch.filter(pl.col("currency") != reporting), stored.cast(batch.schema)])
    if foreign.is_empty():
        return pl.repeat(reporting, contract_ids.len(), dtype=pl.String, eager=True)
    return contract_ids.replace_strict(
        foreign["contract_id"], foreign["currency"], default=reporting, return_dtype=pl.String
    )


def _payment_contract(
    con: duckdb.DuckDBPyConnection,
    payment_ids: pl.Series,
    batch_ids: dict[str, list[pl.DataFrame]],
) -> pl.Series:
    """The contract of each payment named (this batch's accepted payments first, then the
    warehouse's); null for a payment in neither."""
    batch = _batch_map(batch_ids.get("payments", []), "payment_id", "contract_id")
    wanted = payment_ids.drop_nulls().unique()
    unseen = wanted.filter(~wanted.is_in(batch["payment_id"].implode())).to_list()
    stored = run(con, "load_payment_contract", payment_ids=unseen) if unseen else batch.clear()
    known = pl.concat([batch.filter(pl.col("payment_id").is_in(wanted.implode())), stored])
    return payment_ids.replace_strict(
        known["payment_id"],
        known["contract_id"].cast(pl.String),
        default=None,
        return_dtype=pl.String,
    )


def _batch_map(frames: list[pl.DataFrame], key: str, value: str) -> pl.DataFrame:
    """key -> value over this batch's accepted frames, a later file winning on the same key."""
    parts = [f.select(pl.col(key).cast(pl.String), pl.col(value).cast(pl.String)) for f in frames]
    if not parts:
        return pl.DataFrame(schema={key: pl.String, value: pl.String})
    return pl.concat(parts).unique(key, keep="last")


def _rates(
    con: duckdb.DuckDBPyConnection, currencies: list[str], batch: list[pl.DataFrame]
) -> pl.DataFrame:
    """currency, on, rate_to_reporting of `currencies`: this batch's accepted rows, then the
    warehouse's rows of other (currency, on)."""
    stored = run(con, "load_fx_rates", currencies=currencies).cast(RATES)
    parts = [f.select(list(RATES)).cast(RATES) for f in batch]
    if not parts:
        return stored
    fresh = pl.concat(parts).unique(["currency", "on"], keep="last")
    fresh = fresh.filter(pl.col("currency").is_in(currencies))
    return pl.concat([fresh, stored.join(fresh, on=["currency", "on"], how="anti")])


def _reporting_rate_failures(typed: pl.DataFrame, reporting: str) -> pl.DataFrame:
    """fx_rates rows of the reporting currency at a rate other than 1 (it converts at 1)."""
    return (
        typed.with_row_index("index")
        .filter((pl.col("currency") == reporting) & (pl.col("rate_to_reporting") != 1.0))
        .select(
            pl.col("index").cast(pl.Int64),
            pl.lit("rate_to_reporting").alias("column"),
            pl.lit(describe("fx_reporting_rate", currency=cut_value(reporting))).alias("rule"),
            pl.lit(None, pl.String).alias("value"),
        )
    )


def _iso(day: date | None) -> str:
    return day.isoformat() if day is not None else "?"


def _no_failures() -> pl.DataFrame:
    return pl.DataFrame(schema=FAILURES)
