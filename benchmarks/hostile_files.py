"""python -m benchmarks.hostile_files {bomb,wide} — what a hostile upload costs the parser.

`bomb` builds an XLSX whose sheet is a long run of identical rows (it packs about 1 000:1) and a
Parquet file with too many columns, then parses each in a fresh subprocess through
data.parsing.read_table (the path of both the Data page and `python -m data ingest`) and prints the
peak resident memory of that subprocess (resource.getrusage of the child) and what it answered.

`wide` times read_table on CSV files of 50 000 and 1 000 000 columns (one data row), each in a
subprocess with a timeout, so a quadratic check shows as "did not finish in N s".
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from schemas.source import columns

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CUSTOMER_ROW = ["C1", "Acme", "Retail", "East", "Mid", "2024-01-15", "5000000", "BBB", "100000"]
CUSTOMER_ROW += ["Li Wei", "active"]


def _inline_row(values: list[str]) -> str:
    cells = "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in values)
    return f"<row>{cells}</row>"


def xlsx_bomb(rows: int, dimension: str | None = None) -> bytes:
    """A valid customers workbook with `rows` identical data rows, written without holding the
    sheet in memory. `dimension` is the `<dimension ref>` it declares (None: none declared)."""
    header = list(columns("customers"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
            f'Type="{OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{OFFICE}"><sheets>'
            '<sheet name="customers" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
            f'Type="{OFFICE}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            declared = f'<dimension ref="{dimension}"/>' if dimension else ""
            sheet.write(f'<worksheet xmlns="{MAIN}">{declared}<sheetData>'.encode())
            sheet.write(_inline_row(header).encode())
            block = (_inline_row(CUSTOMER_ROW) * 1000).encode()
            for _ in range(rows // 1000):
                sheet.write(block)
            sheet.write((_inline_row(CUSTOMER_ROW) * (rows % 1000)).encode())
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def parquet_wide(width: int, rows: int = 1) -> bytes:
    """A customers Parquet file with `width` columns (its own plus filler columns x1, x2, ...)."""
    names = list(columns("customers")) + [f"x{i}" for i in range(1, width - 10)]
    table = pa.table({name: pa.array(["1"] * rows) for name in names})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def csv_wide(width: int) -> bytes:
    """A customers CSV with `width` columns and one data row."""
    names = list(columns("customers")) + [f"x{i}" for i in range(1, width - 10)]
    row = CUSTOMER_ROW + ["1"] * (width - 11)
    return (",".join(names) + "\n" + ",".join(row) + "\n").encode()


CHILD = """
import resource, sys, time
from pathlib import Path
from data.parsing import FileRejected, read_table
name, path = sys.argv[1], Path(sys.argv[2])
content = path.read_bytes()
started = time.perf_counter()
try:
    raw = read_table(name, content)
    answer = f"read {raw.frame.height:,} rows x {raw.frame.width} columns"
except FileRejected as err:
    answer = "refused: " + str(err)[:160]
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{elapsed:.2f}|{peak:.0f}|{answer}")
"""


def parse_in_child(name: str, content: bytes, timeout: float) -> str:
    """One line: elapsed seconds of read_table, peak RSS (MB) of the parsing process, its answer."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        started = time.perf_counter()
        try:
            done = subprocess.run(
                [sys.executable, "-c", CHILD, name, str(path)],
                capture_output=True,
                text=True,
                timeout=timeout,
                env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
            )
        except subprocess.TimeoutExpired:
            return f"did not finish in {timeout:.0f} s (killed)"
        if done.returncode != 0:
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            tail = (done.stderr.strip().splitlines() or ["?"])[-1][:160]
            return (
                f"crashed after {time.perf_counter() - started:.1f} s "
                f"(exit {done.returncode}, peak of children so far {peak:.0f} MB): {tail}"
            )
        elapsed, peak, answer = done.stdout.strip().split("|", 2)
        return f"read_table {elapsed} s, peak RSS {peak} MB: {answer}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.hostile_files")
    parser.add_argument("what", choices=["bomb", "wide"])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the XLSX bomb")
    parser.add_argument("--timeout", type=float, default=180, help="seconds per file")
    args = parser.parse_args(argv)
    if args.what == "bomb":
        bomb = xlsx_bomb(args.rows)
        print(f"customers.xlsx: {len(bomb) / 2**20:.2f} MB, {args.rows:,} rows")
        print("  " + parse_in_child("customers.xlsx", bomb, args.timeout))
        wide = parquet_wide(20_000, rows=1_000)
        print(f"customers.parquet: {len(wide) / 2**20:.2f} MB, 20 000 columns x 1 000 rows")
        print("  " + parse_in_child("customers.parquet", wide, args.timeout))
    else:
        for width in (50_000, 1_000_000):
            content = csv_wide(width)
            print(f"customers.csv: {width:,} columns, {len(content) / 2**20:.1f} MB")
            print("  " + parse_in_child("customers.csv", content, args.timeout))
    return 0


if __name__ == "__main__":
    sys.exit(main())
