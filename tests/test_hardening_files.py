"""Hostile files: packed formats that unpack to far more than their size, and files with absurd
numbers of columns, are refused before their body is read, with a short message naming the limit
(in the reader's language on the Data page)."""

from __future__ import annotations

import io
import zipfile

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from benchmarks.hostile_files import csv_wide, parquet_wide, xlsx_bomb
from dashboard.components.rule_text import rule_text
from dashboard.i18n import set_language
from data import file_limits
from data.parsing import FileRejected, read_table
from schemas.source import columns


@pytest.fixture
def no_reader(monkeypatch):
    """Fail the test if a file's body reaches a reader: refusals must come before."""

    def refuse(*args, **kwargs):
        raise AssertionError("the reader was called")

    import fastexcel

    monkeypatch.setattr(fastexcel, "read_excel", refuse)
    monkeypatch.setattr(pl, "read_parquet", refuse)
    monkeypatch.setattr(pl, "read_csv", refuse)
    monkeypatch.setattr("data.parsing._refuse_ragged", refuse)


def refusal(name: str, content: bytes) -> str:
    with pytest.raises(FileRejected) as refused:
        read_table(name, content)
    message = str(refused.value)
    assert message.startswith(name + ":")
    return message


def test_xlsx_bomb_is_refused_by_its_packing_ratio(no_reader):
    bomb = xlsx_bomb(20_000)  # about 45 KB holding 9 MB of identical rows
    message = refusal("customers.xlsx", bomb)
    assert "xl/worksheets/sheet1.xml unpacks to" in message
    assert "more than the limit of 100" in message


def test_xlsx_declared_range_over_the_limit_is_refused_from_its_first_bytes(no_reader):
    message = refusal("customers.xlsx", xlsx_bomb(10, dimension="A1:K3000000"))
    assert "declares the range A1:K3000000 (3,000,000 rows × 11 columns)" in message


def test_xlsx_cells_are_counted_whatever_the_sheet_declares(no_reader, monkeypatch):
    monkeypatch.setattr(file_limits, "MAX_CELLS", 500)
    message = refusal("customers.xlsx", xlsx_bomb(100, dimension="A1:K2"))
    assert "more than 500 cells" in message


def test_xlsx_part_larger_than_its_directory_says_is_refused(no_reader):
    # A reader trusting the declared size would read a different sheet than the one counted.
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx_bomb(200))) as honest,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        for info in honest.infolist():
            copy.writestr(info.filename, honest.read(info))
    content = buffer.getvalue()
    name = b"xl/worksheets/sheet1.xml"
    entry = content.index(b"PK\x01\x02")  # central directory entries
    while content[entry + 46 : entry + 46 + len(name)] != name:
        entry = content.index(b"PK\x01\x02", entry + 4)
    lying = content[: entry + 24] + (100).to_bytes(4, "little") + content[entry + 28 :]
    message = refusal("customers.xlsx", lying)
    assert "part xl/worksheets/sheet1.xml of the workbook is damaged" in message


def test_shared_string_repeated_in_many_cells_is_refused(no_reader):
    # One 100 KB string in 3 000 cells: a 2 KB file that the reader would expand to 300 MB.
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "xl/sharedStrings.xml", f'<sst xmlns="{main}"><si><t>{"x" * 100_000}</t></si></sst>'
        )
        header = "".join(f'<c t="inlineStr"><is><t>{c}</t></is></c>' for c in columns("customers"))
        cells = '<row><c t="s"><v>0</v></c></row>' * 3_000
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{main}" xmlns:r="{office}"><sheetData><row>{header}</row>'
            f"{cells}</sheetData></worksheet>",
        )
    message = refusal("customers.xlsx", buffer.getvalue())
    assert "more than 256 MB of shared text" in message


def test_parquet_with_too_many_columns_is_refused_from_its_footer(no_reader):
    message = refusal("customers.parquet", parquet_wide(1_001))
    assert "1,001 columns, more than the limit of 1,000" in message
    assert "… (+991)" in message and len(message) < 500


def test_parquet_with_too_many_row_groups_is_refused(no_reader, monkeypatch):
    monkeypatch.setattr(file_limits, "PARQUET_MAX_ROW_GROUPS", 2)
    table = pa.table({name: ["1", "2", "3"] for name in columns("customers")})
    buffer = io.BytesIO()
    pq.write_table(table, buffer, row_group_size=1)
    message = refusal("customers.parquet", buffer.getvalue())
    assert "3 row groups, more than the limit of 2" in message


def test_wide_csv_is_refused_from_its_header_line_with_a_short_message(no_reader):
    message = refusal("customers.csv", csv_wide(50_000))
    assert "50,000 columns, more than the limit of 1,000" in message
    assert "customer_id, name, industry" in message and "… (+49,990)" in message
    assert len(message) < 500


def test_duplicate_columns_are_found_in_one_pass_and_listed_briefly():
    # x0 and X0 are one column once headers are matched case-insensitively
    names = (
        list(columns("customers")) + [f"x{i}" for i in range(400)] + [f"X{i}" for i in range(400)]
    )
    content = (",".join(names) + "\n" + ",".join(["1"] * len(names)) + "\n").encode()
    message = refusal("customers.csv", content)
    assert "appear more than once: x0, x1, x10, x100" in message
    assert "… (+390)" in message and len(message) < 500


@pytest.mark.parametrize(
    ("content", "chinese"),
    [
        (csv_wide(2_000), "customers.csv：共 2,000 列，超过 1,000 列的上限"),
        (xlsx_bomb(20_000), "customers.xlsx：部件 xl/worksheets/sheet1.xml 解压后是压缩大小的"),
    ],
)
def test_refusals_are_shown_in_the_readers_language(content, chinese):
    name = "customers.csv" if chinese.startswith("customers.csv") else "customers.xlsx"
    message = refusal(name, content)
    set_language("zh")
    try:
        assert rule_text(message).startswith(chinese)
    finally:
        set_language("en")
