"""What each corpus case must produce, loaded into a warehouse holding tests/sample_files.py.

exit: 0 all loaded, 1 some rows rejected (the rest loaded), 2 nothing changed: the file refused
whole, already loaded or every row rejected (the warehouse must then be unchanged).
says: fragments the report must contain (file, row, column, rule for rejected rows).
adds: rows each source table gains; quarantine: rows the quarantine gains. Every source table not
named in `adds` must be unchanged.
check: (SQL, expected rows) run afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Case:
    folder: str
    exit: int
    says: tuple[str, ...] = ()
    adds: dict[str, int] = field(default_factory=dict)
    quarantine: int = 0
    check: tuple[str, list] | None = None
    why: str = ""


CHINESE = ("select name from customers where customer_id = 'N1'", [("华南新材料股份有限公司",)])

CASES = [
    # encodings
    Case("utf8_bom", 0, adds={"customers": 2}, check=CHINESE, why="BOM stripped, header matched"),
    Case(
        "gbk",
        0,
        ("read as GB18030",),
        adds={"customers": 2},
        check=CHINESE,
        why="GBK decoded as GB18030 (superset)",
    ),
    Case(
        "gb18030",
        0,
        adds={"customers": 1},
        check=("select name from customers where customer_id = 'N1'", [("北京㐀科技有限公司",)]),
        why="a character outside GBK survives",
    ),
    Case("utf16", 0, adds={"customers": 2}, check=CHINESE, why="UTF-16 with BOM"),
    Case(
        "unknown_encoding",
        2,
        ("not readable text",),
        why="cp1252 would be garbled as GB18030: refused",
    ),
    # shape
    Case("empty", 2, ("customers.csv: the file is empty",)),
    Case(
        "header_only", 0, ("customers: 0 rows read, 0 accepted, 0 rejected",), why="an empty table"
    ),
    Case("missing_column", 2, ("missing required column(s) for customers: region, segment",)),
    Case("extra_columns", 0, ("ignored unknown column(s): fax, notes",), adds={"customers": 1}),
    Case("duplicated_column", 2, ("column(s) appear more than once: name",)),
    Case(
        "ragged_rows",
        2,
        ("row 2 has 3",),
        why="a short row would shift values under the wrong names",
    ),
    Case("unterminated_quote", 2, ("quote opened in row 1 is never closed",)),
    Case("semicolon", 0, ("';' as the column separator",), adds={"customers": 1}),
    Case("binary_garbage", 2, ("not readable text",)),
    Case("text_as_xlsx", 2, ("cannot be read as EXCEL",)),
    Case("excel_header_row3", 0, ("header found on spreadsheet row 3",), adds={"customers": 2}),
    Case(
        "excel_merged_header",
        0,
        ("header found on spreadsheet row 3",),
        adds={"customers": 1},
        why="merged banner above the header",
    ),
    Case("excel_several_sheets", 0, ("read sheet 'customers' of 2",), adds={"customers": 3}),
    Case(
        "excel_formulas",
        0,
        adds={"customers": 1},
        check=("select credit_limit from customers where customer_id = 'X1'", [(50000.0,)]),
        why="a formula's saved result is read",
    ),
    Case(
        "parquet_wrong_type",
        1,
        ("payments.parquet, column amount_due: not a plain number", "row 2 'five hundred'"),
        adds={"payments": 1},
        quarantine=1,
    ),
    # values
    Case(
        "leading_zeros",
        0,
        adds={"customers": 1},
        check=("select customer_id from customers where name = 'Zero Padded Ltd'", [("000777",)]),
    ),
    Case(
        "thousands_and_symbols",
        1,
        ("payments.csv, column amount_due: not a plain number", "row 1 '1,000.00', row 2 '¥500'"),
        adds={"payments": 1},
        quarantine=2,
        check=("select amount_due from payments where payment_id = 'Q3'", [(750.5,)]),
    ),
    Case(
        "missing_values",
        1,
        (
            "customers.csv, column name: required: value is missing — 3 rows: row 1 'N/A', ",
            "row 2 '   ', row 3 ",
        ),
        adds={"customers": 1},
        quarantine=3,
        why="N/A, whitespace and empty are all missing",
    ),
    Case(
        "bad_dates",
        1,
        ("'03/04/2024'", "'2026-02-30'", "'45000'", "not a valid date in ISO format"),
        adds={"payments": 1},
        quarantine=3,
    ),
    Case(
        "non_positive_amounts",
        1,
        (
            "payments.csv, column amount_due: must be > 0 — 2 rows: row 1 '-5",
            "row 2 '0",
        ),
        adds={"payments": 1},
        quarantine=2,
    ),
    Case(
        "severity_9",
        1,
        ("risk_events.csv, column severity: must be <= 5 — 1 row: row 1 '9'",),
        adds={"risk_events": 1},
        quarantine=1,
    ),
    Case(
        "unknown_category",
        2,
        ("risk_events.csv, column category: must be one of", "row 1 'weather'"),
        why="its only row rejected: nothing loaded, nothing written",
    ),
    Case(
        "huge_amounts",
        1,
        (
            "payments.csv, column amount_due: must be < 1000000000000000",
            "— 1 row: row 1 '1",
        ),
        adds={"payments": 1},
        quarantine=1,
    ),
    Case(
        "dates_out_of_range",
        1,
        (
            "risk_events.csv, column occurred_on: must be >= 1900-01-01 — 1 row: row 1 '1899-12-31'",
            "risk_events.csv, column occurred_on: must be <= 2100-12-31 — 1 row: row 2 '2101-01-01'",
        ),
        adds={"risk_events": 1},
        quarantine=2,
    ),
    # relations
    Case(
        "duplicate_keys",
        1,
        (
            "customers.csv, column customer_id: duplicate key within the file — 2 rows: row 1 'N1', row 2 'N1'",
        ),
        adds={"customers": 1},
        quarantine=2,
        why="neither copy of a duplicated key is loaded",
    ),
    Case(
        "upsert_existing",
        0,
        check=(
            "select name, credit_limit from customers where customer_id = 'C3'",
            [("Northwind Foods Ltd", 75000.0)],
        ),
        why="a known key replaces the stored row",
    ),
    Case(
        "orphan_contract",
        1,
        (
            "contracts.csv, column customer_id: customer_id must exist in customers.customer_id — 1 row: row 1 'NOBODY'",
        ),
        adds={"contracts": 1},
        quarantine=1,
    ),
    Case(
        "payments_before_contracts",
        0,
        adds={"contracts": 1, "payments": 1},
        why="files are taken in dependency order",
    ),
    Case(
        "payments_alone",
        1,
        (
            "payments.csv, column contract_id: contract_id must exist in contracts.contract_id — 1 row: row 1 'K7'",
        ),
        adds={"payments": 1},
        quarantine=1,
    ),
    # hostile content: stored as text, verbatim
    Case(
        "hostile",
        0,
        adds={"customers": 3, "risk_events": 1},
        check=(
            "select name from customers where customer_id in ('H1', 'H2', 'H3') order by customer_id",
            [
                ('=HYPERLINK("http://evil.example","click")',),
                ("<script>alert('x')</script>",),
                ("Robert'); DROP TABLE customers;--",),
            ],
        ),
    ),
]
