"""The bad-input corpus: every file a data owner might send, written deterministically.

`python -m tests.corpus.make_corpus` rewrites tests/corpus/files/; tests/corpus/cases.py says what
each case must produce. Binary files (Excel, Parquet, odd encodings) are made here rather than
edited by hand, so they can be regenerated and reviewed.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import polars as pl
import xlsxwriter

FILES = Path(__file__).resolve().parent / "files"

CUSTOMER_HEADER = "customer_id,name,industry,region,segment,onboarded_on,annual_revenue,external_rating,credit_limit,owner,status"
CONTRACT_HEADER = "contract_id,customer_id,kind,signed_on,start_on,end_on,amount,currency,payment_terms_days,collateral_value,status,approved_by,last_reviewed_on"
PAYMENT_HEADER = "payment_id,contract_id,due_on,amount_due,paid_on,amount_paid"
EVENT_HEADER = "event_id,customer_id,occurred_on,category,kind,severity,source,note"


def customer(cid: str, name: str, limit: str = "100000", **overrides: str) -> str:
    values = {
        "customer_id": cid,
        "name": name,
        "industry": "Retail",
        "region": "East",
        "segment": "Mid",
        "onboarded_on": "2024-01-15",
        "annual_revenue": "",
        "external_rating": "BBB",
        "credit_limit": limit,
        "owner": "Li Wei",
        "status": "active",
    } | overrides
    return ",".join(values.values())


def text(header: str, *rows: str) -> str:
    return "\n".join([header, *rows]) + "\n"


def excel(
    sheets: dict[str, list[list]],
    merged_banner: str | None = None,
    header_offset: int = 0,
    title: str | None = None,
) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for sheet, rows in sheets.items():
        ws = book.add_worksheet(sheet)
        if merged_banner:
            ws.merge_range(0, 0, 0, 3, merged_banner)
        if title:
            ws.write(0, 0, title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                at = r + header_offset
                if isinstance(value, datetime):
                    ws.write_datetime(at, c, value, day)
                elif isinstance(value, tuple):  # (formula, cached result)
                    ws.write_formula(at, c, value[0], None, value[1])
                elif value is None:
                    continue
                else:
                    ws.write(at, c, value)
    book.close()
    return buffer.getvalue()


def customer_rows(*ids: str) -> list[list]:
    header = CUSTOMER_HEADER.split(",")
    rows = [header]
    for cid in ids:
        rows.append(
            [
                cid,
                f"Excel Customer {cid}",
                "Retail",
                "East",
                "Mid",
                datetime(2024, 1, 15),
                None,
                "BBB",
                50000,
                "Li Wei",
                "active",
            ]
        )
    return rows


def build() -> dict[str, bytes]:
    """file name (relative to files/) -> content."""
    new_customers = text(
        CUSTOMER_HEADER, customer("N1", "华南新材料股份有限公司"), customer("N2", "Nova Trading")
    )
    out: dict[str, bytes] = {}
    # --- encodings
    out["utf8_bom/customers.csv"] = b"\xef\xbb\xbf" + new_customers.encode("utf-8")
    out["gbk/customers.csv"] = new_customers.encode("gbk")
    out["gb18030/customers.csv"] = text(
        CUSTOMER_HEADER, customer("N1", "北京㐀科技有限公司")
    ).encode("gb18030")
    out["utf16/customers.csv"] = new_customers.encode("utf-16")
    out["unknown_encoding/customers.csv"] = text(
        CUSTOMER_HEADER, customer("N1", "Müller Straße GmbH")
    ).encode("cp1252")
    # --- shape
    out["empty/customers.csv"] = b""
    out["header_only/customers.csv"] = (CUSTOMER_HEADER + "\n").encode()
    out["missing_column/customers.csv"] = b"customer_id,name,industry\nN1,Acme,Retail\n"
    out["extra_columns/customers.csv"] = text(
        CUSTOMER_HEADER + ",fax,notes", customer("N1", "Acme") + ",010-1234,vip"
    ).encode()
    out["duplicated_column/customers.csv"] = text(
        CUSTOMER_HEADER + ",Name", customer("N1", "Acme") + ",Acme again"
    ).encode()
    out["ragged_rows/customers.csv"] = text(
        CUSTOMER_HEADER, customer("N1", "Acme"), "N2,Short Row,Retail"
    ).encode()
    out["unterminated_quote/customers.csv"] = text(
        CUSTOMER_HEADER, customer("N1", '"Acme Ltd'), customer("N2", "B")
    ).encode()
    out["semicolon/customers.csv"] = text(
        CUSTOMER_HEADER.replace(",", ";"), customer("N1", "Acme").replace(",", ";")
    ).encode()
    out["binary_garbage/customers.csv"] = bytes(range(256)) * 4
    out["text_as_xlsx/customers.xlsx"] = new_customers.encode()
    out["excel_header_row3/customers.xlsx"] = excel(
        {"customers": customer_rows("X1", "X2")},
        header_offset=2,
        title="Customers as of 2026-10-31",
    )
    out["excel_merged_header/customers.xlsx"] = excel(
        {"customers": customer_rows("X1")}, merged_banner="Customer master export", header_offset=2
    )
    out["excel_several_sheets/customers.xlsx"] = excel(
        {"Notes": [["exported by ERP"]], "customers": customer_rows("X1", "X2", "X3")}
    )
    formula_rows = customer_rows("X1")
    formula_rows[1][8] = ("=40000+10000", 50000)
    out["excel_formulas/customers.xlsx"] = excel({"customers": formula_rows})
    wrong_type = pl.DataFrame(
        {
            "payment_id": ["Q1", "Q2"],
            "contract_id": ["K1", "K1"],
            "due_on": [date(2024, 6, 1), date(2024, 7, 1)],
            "amount_due": ["500", "five hundred"],
            "paid_on": [None, None],
            "amount_paid": [0.0, 0.0],
        },
        schema_overrides={"paid_on": pl.Date},
    )
    buffer = io.BytesIO()
    wrong_type.write_parquet(buffer)
    out["parquet_wrong_type/payments.parquet"] = buffer.getvalue()
    # --- values
    out["leading_zeros/customers.csv"] = text(
        CUSTOMER_HEADER, customer("000777", "Zero Padded Ltd")
    ).encode()
    out["thousands_and_symbols/payments.csv"] = text(
        PAYMENT_HEADER,
        'Q1,K1,2024-06-01,"1,000.00",,0',
        "Q2,K1,2024-06-01,¥500,,0",
        "Q3,K1,2024-06-01,750.5,,0",
    ).encode()
    out["missing_values/customers.csv"] = text(
        CUSTOMER_HEADER,
        customer("N1", "N/A"),
        customer("N2", "   "),
        customer("N3", ""),
        customer("N4", "Fine Co"),
    ).encode()
    out["bad_dates/payments.csv"] = text(
        PAYMENT_HEADER,
        "Q1,K1,03/04/2024,100,,0",
        "Q2,K1,2026-02-30,100,,0",
        "Q3,K1,45000,100,,0",
        "Q4,K1,2024-06-01,100,,0",
    ).encode()
    out["non_positive_amounts/payments.csv"] = text(
        PAYMENT_HEADER, "Q1,K1,2024-06-01,-5,,0", "Q2,K1,2024-06-01,0,,0", "Q3,K1,2024-06-01,10,,0"
    ).encode()
    out["severity_9/risk_events.csv"] = text(
        EVENT_HEADER,
        "E9,C2,2024-05-01,legal,litigation,9,news,",
        "E10,C2,2024-05-01,legal,litigation,2,news,",
    ).encode()
    out["unknown_category/risk_events.csv"] = text(
        EVENT_HEADER, "E9,C2,2024-05-01,weather,flood,3,news,"
    ).encode()
    out["huge_amounts/payments.csv"] = text(
        PAYMENT_HEADER, "Q1,K1,2024-06-01,1e15,,0", "Q2,K1,2024-06-01,999999999999999.0,,0"
    ).encode()
    out["dates_out_of_range/risk_events.csv"] = text(
        EVENT_HEADER,
        "E9,C2,1899-12-31,legal,litigation,2,news,",
        "E10,C2,2101-01-01,legal,litigation,2,news,",
        "E11,C2,2024-01-01,legal,litigation,2,news,",
    ).encode()
    # --- relations
    out["duplicate_keys/customers.csv"] = text(
        CUSTOMER_HEADER, customer("N1", "First"), customer("N1", "Second"), customer("N2", "Unique")
    ).encode()
    out["upsert_existing/customers.csv"] = text(
        CUSTOMER_HEADER, customer("C3", "Northwind Foods Ltd", limit="75000")
    ).encode()
    out["orphan_contract/contracts.csv"] = text(
        CONTRACT_HEADER,
        "K9,NOBODY,sales,2024-01-01,2024-01-01,2024-12-31,100,CNY,30,0,active,Z,",
        "K8,C2,sales,2024-01-01,2024-01-01,2024-12-31,100,CNY,30,0,active,Z,",
    ).encode()
    out["payments_before_contracts/payments.csv"] = text(
        PAYMENT_HEADER, "Q1,K7,2024-06-01,100,,0"
    ).encode()
    out["payments_before_contracts/contracts.csv"] = text(
        CONTRACT_HEADER, "K7,C2,sales,2024-01-01,2024-01-01,2024-12-31,100,CNY,30,0,active,Z,"
    ).encode()
    out["payments_alone/payments.csv"] = text(
        PAYMENT_HEADER, "Q1,K7,2024-06-01,100,,0", "Q2,K1,2024-07-01,100,,0"
    ).encode()
    # --- repeats
    out["same_file_twice/risk_events.csv"] = text(
        EVENT_HEADER, "E20,C2,2024-05-01,operational,production_halt,3,news,"
    ).encode()
    # --- hostile content
    out["hostile/customers.csv"] = text(
        CUSTOMER_HEADER,
        customer("H1", '"=HYPERLINK(""http://evil.example"",""click"")"'),
        customer("H2", "<script>alert('x')</script>"),
        customer("H3", "Robert'); DROP TABLE customers;--"),
    ).encode()
    out["hostile/risk_events.csv"] = text(
        EVENT_HEADER, "E30,H1,2024-05-01,legal,litigation,3,news,\"=cmd|' /C calc'!A0\""
    ).encode()
    return out


def write(folder: Path = FILES) -> None:
    for name, content in build().items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


if __name__ == "__main__":
    write()
