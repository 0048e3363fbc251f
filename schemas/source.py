"""Pandera models of the source tables, and validation of a batch against them.

A batch is validated lazily (every failure at once) after parsing (see data.parsing), so the frame
already carries the warehouse types. Rules that span rows of one table (unique keys) or tables
(references) are checked here too; references against ids in the warehouse plus the batch.
"""

from __future__ import annotations

from datetime import date

import pandera.polars as pa
import polars as pl

from schemas.rules import describe

# The default reporting currency; a warehouse's own is data.warehouse.reporting_currency.
REPORTING_CURRENCY = "CNY"
# An ISO 4217 code: three capital letters.
CURRENCY_PATTERN = r"^[A-Z]{3}$"
MAX_RATE = 1e6
RATINGS = ["AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C", "D"]
CONTRACT_KINDS = ["sales", "loan", "lease", "service"]
CONTRACT_STATUSES = ["under_review", "active", "completed", "terminated", "in_dispute", "defaulted"]
CUSTOMER_STATUSES = ["active", "dormant", "closed"]
EVENT_CATEGORIES = ["credit", "operational", "legal"]
ADJUSTMENT_KINDS = ["write_off", "recovery", "credit_note"]
MAX_AMOUNT = 1e15
# contracts.interest_rate is a share per year: 1 (100 %) and above is a percentage written as a
# number (6.5 for 6.5 %) far more often than a real rate
MAX_INTEREST_RATE = 1.0
EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)


def _in_range() -> dict:
    return {"ge": EARLIEST, "le": LATEST}


class FxRates(pa.DataFrameModel):
    """One row per (currency, date): one unit of `currency` is worth rate_to_reporting units of the
    reporting currency from `on` until that currency's next row. Amounts in another currency are
    converted with the rate in force on the row's date (data.fx)."""

    currency: str = pa.Field(str_matches=CURRENCY_PATTERN)
    on: date = pa.Field(**_in_range())
    rate_to_reporting: float = pa.Field(gt=0, lt=MAX_RATE)

    class Config:
        strict = True
        coerce = False
        unique = ["currency", "on"]


class Customers(pa.DataFrameModel):
    """One row per customer."""

    customer_id: str = pa.Field(unique=True, str_length={"min_value": 1, "max_value": 64})
    name: str = pa.Field(str_length={"min_value": 1, "max_value": 500})
    industry: str = pa.Field(str_length={"min_value": 1, "max_value": 100})
    region: str = pa.Field(str_length={"min_value": 1, "max_value": 100})
    segment: str = pa.Field(str_length={"min_value": 1, "max_value": 100})
    onboarded_on: date = pa.Field(**_in_range())
    annual_revenue: float = pa.Field(nullable=True, ge=0, lt=MAX_AMOUNT)
    external_rating: str = pa.Field(nullable=True, isin=RATINGS)
    credit_limit: float = pa.Field(ge=0, lt=MAX_AMOUNT)
    owner: str = pa.Field(str_length={"min_value": 1, "max_value": 200})
    status: str = pa.Field(isin=CUSTOMER_STATUSES)

    class Config:
        strict = True
        coerce = False


class Contracts(pa.DataFrameModel):
    """One row per contract; customer_id references customers."""

    contract_id: str = pa.Field(unique=True, str_length={"min_value": 1, "max_value": 64})
    customer_id: str = pa.Field()
    kind: str = pa.Field(isin=CONTRACT_KINDS)
    signed_on: date = pa.Field(**_in_range())
    start_on: date = pa.Field(**_in_range())
    end_on: date = pa.Field(**_in_range())
    amount: float = pa.Field(gt=0, lt=MAX_AMOUNT)
    # the currency the contract is written in; its amounts are stored converted (data.fx)
    currency: str = pa.Field(str_matches=CURRENCY_PATTERN)
    payment_terms_days: int = pa.Field(ge=0, le=3650)
    collateral_value: float = pa.Field(ge=0, lt=MAX_AMOUNT)
    status: str = pa.Field(isin=CONTRACT_STATUSES)
    approved_by: str = pa.Field(nullable=True)
    last_reviewed_on: date = pa.Field(nullable=True, **_in_range())
    # effective interest rate per year as a share (0.065 = 6.5 %), the rate a loan's expected
    # credit loss is discounted at; optional (a file without the column loads, rates null)
    interest_rate: float = pa.Field(nullable=True, ge=0, lt=MAX_INTEREST_RATE)

    @pa.dataframe_check(name="end_on >= start_on")
    def end_after_start(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("end_on") >= pl.col("start_on"))

    @pa.dataframe_check(name="start_on >= signed_on")
    def start_after_signing(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("start_on") >= pl.col("signed_on"))

    class Config:
        strict = True
        coerce = False


class Payments(pa.DataFrameModel):
    """One row per invoice or instalment; contract_id references contracts."""

    payment_id: str = pa.Field(unique=True, str_length={"min_value": 1, "max_value": 64})
    contract_id: str = pa.Field()
    issued_on: date = pa.Field(nullable=True, **_in_range())
    due_on: date = pa.Field(**_in_range())
    amount_due: float = pa.Field(gt=0, lt=MAX_AMOUNT)
    paid_on: date = pa.Field(nullable=True, **_in_range())
    amount_paid: float = pa.Field(ge=0, lt=MAX_AMOUNT)

    @pa.dataframe_check(name="paid_on set when amount_paid > 0")
    def paid_has_date(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("amount_paid") == 0) | pl.col("paid_on").is_not_null())

    @pa.dataframe_check(name="issued_on <= due_on")
    def issued_by_due(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("issued_on").is_null() | (pl.col("issued_on") <= pl.col("due_on"))
        )

    class Config:
        strict = True
        coerce = False


class Adjustments(pa.DataFrameModel):
    """One row per write-off, recovery or credit note on a payment row; payment_id references
    payments. Rules across rows (not more written off or credited than is owed, a recovery only after
    a write-off) are checked by `adjustment_failures`."""

    adjustment_id: str = pa.Field(unique=True, str_length={"min_value": 1, "max_value": 64})
    payment_id: str = pa.Field()
    kind: str = pa.Field(isin=ADJUSTMENT_KINDS)
    occurred_on: date = pa.Field(**_in_range())
    amount: float = pa.Field(ge=0, lt=MAX_AMOUNT)
    note: str = pa.Field(nullable=True, str_length={"max_value": 4000})

    class Config:
        strict = True
        coerce = False


class CreditReviews(pa.DataFrameModel):
    """One row per credit decision: the limit and external rating in force from `effective_on`;
    customer_id references customers."""

    review_id: str = pa.Field(unique=True, str_length={"min_value": 1, "max_value": 64})
    customer_id: str = pa.Field()
    effective_on: date = pa.Field(**_in_range())
    credit_limit: float = pa.Field(ge=0, lt=MAX_AMOUNT)
    external_rating: str = pa.Field(nullable=True, isin=RATINGS)
    decided_by: str = pa.Field(nullable=True, str_length={"max_value": 200})
    note: str = pa.Field(nullable=True, str_length={"max_value": 4000})

    class Config:
        strict = True
        coerce = False


class RiskEvents(pa.DataFrameModel):
    """One row per credit, operational or legal event; customer_id references customers."""

    event_id: str = pa.Field(unique=True, str_length={"min_value": 1, "max_value": 64})
    customer_id: str = pa.Field()
    occurred_on: date = pa.Field(**_in_range())
    category: str = pa.Field(isin=EVENT_CATEGORIES)
    kind: str = pa.Field(str_length={"min_value": 1, "max_value": 100})
    severity: int = pa.Field(ge=1, le=5)
    source: str = pa.Field(str_length={"min_value": 1, "max_value": 200})
    note: str = pa.Field(nullable=True, str_length={"max_value": 4000})

    class Config:
        strict = True
        coerce = False


MODELS: dict[str, type[pa.DataFrameModel]] = {
    "fx_rates": FxRates,
    "customers": Customers,
    "contracts": Contracts,
    "payments": Payments,
    "adjustments": Adjustments,
    "credit_reviews": CreditReviews,
    "risk_events": RiskEvents,
}

# Which column a row-level (dataframe) check is about, so failures name a column.
CHECK_COLUMNS = {
    "end_on >= start_on": "end_on",
    "start_on >= signed_on": "start_on",
    "paid_on set when amount_paid > 0": "paid_on",
    "issued_on <= due_on": "issued_on",
}

# (column, referenced table, referenced key)
REFERENCES: dict[str, tuple[str, str, str]] = {
    "contracts": ("customer_id", "customers", "customer_id"),
    "payments": ("contract_id", "contracts", "contract_id"),
    "adjustments": ("payment_id", "payments", "payment_id"),
    "credit_reviews": ("customer_id", "customers", "customer_id"),
    "risk_events": ("customer_id", "customers", "customer_id"),
}


def columns(table: str) -> dict[str, tuple[pl.DataType, bool]]:
    """Column name -> (Polars dtype, nullable) for a source table, in warehouse order."""
    schema = MODELS[table].to_schema()
    return {name: (col.dtype.type, col.nullable) for name, col in schema.columns.items()}


def validate(table: str, frame: pl.DataFrame, known_ids: pl.Series | None = None) -> pl.DataFrame:
    """Every failure of `frame` against the rules of `table`, one row per (row, column, rule).

    `known_ids` are the keys the reference column may point to (warehouse plus batch); None skips
    the reference check. Returns columns index (0-based row in `frame`), column, rule, value;
    empty when the frame is valid.
    """
    schema = MODELS[table].to_schema()
    if known_ids is not None and table in REFERENCES:
        column, target, key = REFERENCES[table]
        ids = known_ids.unique()
        reference = pa.Check(
            lambda data: data.lazyframe.select(pl.col(data.key).is_in(ids.implode())),
            name="reference",
            error=describe("reference", column=column, target=target, key=key),
        )
        existing = schema.columns[column]
        schema = schema.update_column(column, checks=[*existing.checks, reference])
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        # a key of several columns (fx_rates: currency, on) is reported on its first column
        unique = schema.unique or []
        return _failures(err.failure_cases, unique[0] if unique else None)
    return pl.DataFrame(
        schema={"index": pl.Int64, "column": pl.String, "rule": pl.String, "value": pl.String}
    )


def _failures(cases: pl.DataFrame, key_column: str | None = None) -> pl.DataFrame:
    row_level = pl.col("schema_context") == "DataFrameSchema"
    row_columns = {**CHECK_COLUMNS, "multiple_fields_uniqueness": key_column}
    return (
        cases.filter(pl.col("index").is_not_null())
        .select(
            pl.col("index").cast(pl.Int64),
            pl.when(row_level)
            .then(pl.col("check").replace_strict(row_columns, default=None, return_dtype=pl.String))
            .otherwise(pl.col("column"))
            .alias("column"),
            pl.col("check").map_elements(_rule_text, return_dtype=pl.String).alias("rule"),
            # A row-level check reports the whole row as JSON; its column's value is shown instead.
            pl.when(row_level).then(None).otherwise(pl.col("failure_case")).alias("value"),
        )
        .unique(maintain_order=True)
    )


def _rule_text(check: str) -> str:
    """Pandera's check names in words a data owner reads."""
    if check == "not_nullable":
        return describe("required")
    if check in ("field_uniqueness", "multiple_fields_uniqueness"):
        return describe("duplicate_key")
    if check == f"str_matches('{CURRENCY_PATTERN}')":
        return describe("currency_code")
    if check.startswith("isin("):
        return describe("one_of", values=check[len("isin(") : -1])
    for prefix, code in (
        ("greater_than_or_equal_to(", "at_least"),
        ("greater_than(", "above"),
        ("less_than_or_equal_to(", "at_most"),
        ("less_than(", "below"),
    ):
        if check.startswith(prefix):
            return describe(code, limit=check[len(prefix) : -1])
    if check.startswith("str_length("):
        return describe("text_length", range=check[len("str_length(") : -1])
    return check


def adjustment_failures(
    batch: pl.DataFrame, owed: pl.DataFrame, stored: pl.DataFrame
) -> pl.DataFrame:
    """Failures of the rules that span adjustment rows: per payment, write-offs and credit notes
    together never exceed what the row owes (amount_due less what was paid), and recoveries never
    exceed what was written off on or before their date.

    `batch` is the typed adjustments frame being loaded; `owed` has payment_id and owed (money) for
    every payment it references; `stored` the warehouse's adjustments (rows whose key the batch
    replaces are left out here). Adjustments of a payment are taken in date order, on one day
    write-offs and credit notes before recoveries. A row that tips a total over is rejected; rows of
    the batch after it are judged with it counted, so a file is judged as a whole. Returns index,
    column, rule, value as `validate` does.
    """
    kind_order = {"write_off": 0, "credit_note": 0, "recovery": 1}
    stored = stored.join(batch.select("adjustment_id"), on="adjustment_id", how="anti")
    rows = pl.concat(
        [
            batch.select("payment_id", "kind", "occurred_on", "amount", "adjustment_id")
            .with_row_index("index")
            .with_columns(pl.col("index").cast(pl.Int64)),
            stored.select(
                pl.lit(None, pl.Int64).alias("index"),
                "payment_id",
                "kind",
                "occurred_on",
                "amount",
                "adjustment_id",
            ),
        ]
    )
    reducing = pl.col("kind").is_in(["write_off", "credit_note"])
    judged = (
        rows.join(owed, on="payment_id", how="left")
        .with_columns(pl.col("kind").replace_strict(kind_order, default=2).alias("kind_order"))
        .sort("payment_id", "occurred_on", "kind_order", "adjustment_id")
        .with_columns(
            pl.when(reducing)
            .then("amount")
            .otherwise(0.0)
            .cum_sum()
            .over("payment_id")
            .alias("reduced"),
            pl.when(pl.col("kind") == "write_off")
            .then("amount")
            .otherwise(0.0)
            .cum_sum()
            .over("payment_id")
            .alias("written_off"),
            pl.when(pl.col("kind") == "recovery")
            .then("amount")
            .otherwise(0.0)
            .cum_sum()
            .over("payment_id")
            .alias("recovered"),
        )
        .filter(pl.col("index").is_not_null() & pl.col("owed").is_not_null())
    )
    # a cent of tolerance: amounts arrive as decimal text and are summed as doubles
    over_owed = judged.filter(reducing & (pl.col("reduced") > pl.col("owed") + 0.005))
    unbacked = judged.filter(
        (pl.col("kind") == "recovery") & (pl.col("recovered") > pl.col("written_off") + 0.005)
    )
    failures = [
        over_owed.select(
            "index",
            pl.lit("amount").alias("column"),
            pl.struct("payment_id", "owed")
            .map_elements(
                lambda r: describe(
                    "adjustment_exceeds_owed", payment_id=r["payment_id"], owed=f"{r['owed']:.2f}"
                ),
                return_dtype=pl.String,
            )
            .alias("rule"),
            pl.col("amount").cast(pl.String).alias("value"),
        ),
        unbacked.select(
            "index",
            pl.lit("kind").alias("column"),
            pl.struct("payment_id", "recovered", "written_off")
            .map_elements(
                lambda r: describe(
                    "recovery_without_write_off",
                    payment_id=r["payment_id"],
                    recovered=f"{r['recovered']:.2f}",
                    written_off=f"{r['written_off']:.2f}",
                ),
                return_dtype=pl.String,
            )
            .alias("rule"),
            pl.col("kind").alias("value"),
        ),
    ]
    return pl.concat(failures)
