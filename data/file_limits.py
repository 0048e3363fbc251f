"""Bounds on the work one file may cause, checked before its body is parsed.

A packed format can unpack to far more than its size: an XLSX is a zip of XML parts (a sheet of
identical rows packs about 250:1 and a 1.5 MB upload held a gigabyte), and a Parquet footer can
announce any number of columns, rows or row groups. Each check reads only what it needs to measure
(the zip's parts streamed through a counter, the Parquet footer), so a refusal costs little memory
whatever the file claims, and the reader is given only files whose work is bounded.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from schemas.rules import cut_value, describe

MAX_COLUMNS = 1_000
# Cells (rows x columns) one XLSX or Parquet file may hold: about 2 GB of memory while parsing, and
# more than any source table fills in a full-height Excel sheet (1 048 576 rows x 13 columns).
MAX_CELLS = 20_000_000
XLSX_MAX_ROWS = 1_048_576  # Excel's own limit per sheet
XLSX_MAX_UNPACKED = 1 << 30  # bytes, all parts together
# Spreadsheets written by Excel or a library pack 5-30:1; far more means repeated filler. Small parts
# (styles, an empty sheet) can pack better without costing anything, so the ratio applies above 1 MB.
XLSX_MAX_RATIO = 100
XLSX_RATIO_FROM = 1 << 20
XLSX_MAX_TEXT = 256 << 20  # bytes of shared-string text the cells refer to, all together
PARQUET_MAX_ROW_GROUPS = 10_000
PARQUET_MAX_UNPACKED = 4 << 30  # bytes of uncompressed column data the footer declares
SHOWN_COLUMNS = 10  # column names a message quotes before it gives only the count

# Start tags of a cell and a row, plain or with a namespace prefix (<x:c ...>).
_CELL_TAGS = (b"<c", b":c ", b":c>")
_ROW_TAGS = (b"<row", b":row ", b":row>")
_DIMENSION = re.compile(
    rb'<(?:\w{1,16}:)?dimension\s+ref="([A-Z]{0,3})(\d*)(?::([A-Z]{1,3})(\d+))?"'
)
_ITEM = re.compile(rb"<(?:\w{1,16}:)?si[\s>/]")
_VALUE = re.compile(rb"<(?:\w{1,16}:)?v>(\d{1,10})</")
_CARRY = 8  # longer than any tag above, so a tag split across two chunks is still seen
_CHUNK = 1 << 20  # unpacked bytes at a time
_PACKED_CHUNK = 1 << 16


class LimitExceeded(Exception):
    """The file would cost more than a limit allows; the message names the file and the limit."""


def few_columns(names: Sequence[str]) -> str:
    """The first names, each cut to a safe length, then '… (+N)' for the rest."""
    shown = ", ".join(cut_value(name) for name in names[:SHOWN_COLUMNS])
    rest = len(names) - SHOWN_COLUMNS
    return f"{shown}, … (+{rest:,})" if rest > 0 else shown


def check_columns(name: str, headers: Sequence[str]) -> None:
    """Refuse more than MAX_COLUMNS columns, quoting the first few names and the count."""
    if len(headers) > MAX_COLUMNS:
        raise LimitExceeded(
            describe(
                "file_too_many_columns",
                name=name,
                count=f"{len(headers):,}",
                limit=f"{MAX_COLUMNS:,}",
                first=few_columns(headers),
            )
        )


def check_xlsx(name: str, content: bytes) -> None:
    """Measure every part of the workbook by unpacking it through counters (nothing is kept), and
    refuse it when the parts unpack to too much or pack too well, or the sheets hold too many rows
    or cells. The sizes the zip directory declares are not trusted: the true ones are counted, and
    a part whose true size or checksum differs from the directory is refused as damaged."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError):
        return  # not a zip at all: the Excel reader refuses it with its own message
    packed = memoryview(content)
    unpacked, cells = 0, 0
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            size = _measure_part(name, packed, info, unpacked, cells)
            unpacked += size.bytes
            cells += size.cells
        _check_shared_text(name, packed, archive, cells)


@dataclass
class _PartSize:
    """What one part unpacked to: bytes, and the cell and row start tags in it."""

    bytes: int = 0
    cells: int = 0
    rows: int = 0


def _measure_part(
    name: str, packed: memoryview, info: zipfile.ZipInfo, unpacked_before: int, cells_before: int
) -> _PartSize:
    """Unpack one part chunk by chunk, counting bytes, cells and rows; stop at the first limit."""
    size = _PartSize()
    part = cut_value(info.filename)
    checksum, carry = 0, b""
    is_xml = info.filename.lower().endswith(".xml")
    try:
        for chunk, consumed in _unpacked_chunks(packed, info):
            size.bytes += len(chunk)
            checksum = zlib.crc32(chunk, checksum)
            if unpacked_before + size.bytes > XLSX_MAX_UNPACKED:
                raise LimitExceeded(
                    describe(
                        "file_xlsx_unpacked", name=name, limit_mb=f"{XLSX_MAX_UNPACKED >> 20:,}"
                    )
                )
            # Checked as the part unpacks, so a bomb is refused after a few megabytes of it.
            if size.bytes >= XLSX_RATIO_FROM and size.bytes > XLSX_MAX_RATIO * max(consumed, 1):
                raise LimitExceeded(
                    describe(
                        "file_xlsx_ratio",
                        name=name,
                        part=part,
                        ratio=f"{size.bytes // max(consumed, 1):,}",
                        limit=f"{XLSX_MAX_RATIO:,}",
                    )
                )
            if not is_xml:
                continue
            if size.bytes == len(chunk):
                _check_dimension(name, part, chunk)
            buffer = carry + chunk
            # Tags wholly inside the carried tail were counted with the previous chunk. Counting
            # "<c" also counts <col>, <cfRule>...: a few more than the cells, never fewer.
            size.cells += _tags(buffer, _CELL_TAGS) - _tags(carry, _CELL_TAGS)
            size.rows += _tags(buffer, _ROW_TAGS) - _tags(carry, _ROW_TAGS)
            carry = buffer[-_CARRY:]
            if cells_before + size.cells > MAX_CELLS:
                raise LimitExceeded(describe("file_xlsx_cells", name=name, limit=f"{MAX_CELLS:,}"))
            if size.rows > XLSX_MAX_ROWS:
                raise LimitExceeded(
                    describe("file_xlsx_rows", name=name, part=part, limit=f"{XLSX_MAX_ROWS:,}")
                )
    except (zlib.error, _Damaged) as err:
        raise LimitExceeded(describe("file_xlsx_damaged", name=name, part=part)) from err
    # The directory says one thing and the data another: a reader trusting either could be misled.
    if size.bytes != info.file_size or checksum != info.CRC:
        raise LimitExceeded(describe("file_xlsx_damaged", name=name, part=part))
    return size


class _Damaged(Exception):
    """A part that cannot be unpacked as the zip directory describes it."""


def _unpacked_chunks(packed: memoryview, info: zipfile.ZipInfo) -> Iterator[tuple[bytes, int]]:
    """(next piece of the part's unpacked bytes, packed bytes consumed so far), at most _CHUNK
    bytes at a time, read from the archive's bytes at the part's local header."""
    header = bytes(packed[info.header_offset : info.header_offset + 30])
    if len(header) < 30 or header[:4] != b"PK\x03\x04" or info.flag_bits & 0x1:
        raise _Damaged(info.filename)  # no local header, or encrypted
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    start = info.header_offset + 30 + name_length + extra_length
    data = packed[start : start + info.compress_size]
    if len(data) < info.compress_size:
        raise _Damaged(info.filename)
    if info.compress_type == zipfile.ZIP_STORED:
        for at in range(0, len(data), _CHUNK):
            yield bytes(data[at : at + _CHUNK]), min(at + _CHUNK, len(data))
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise _Damaged(info.filename)  # Excel writes deflate only
    inflate = zlib.decompressobj(-zlib.MAX_WBITS)
    fed = 0
    for at in range(0, len(data), _PACKED_CHUNK):
        pending = data[at : at + _PACKED_CHUNK]
        fed += len(pending)
        while pending and not inflate.eof:
            chunk = inflate.decompress(pending, _CHUNK)
            pending = inflate.unconsumed_tail
            yield chunk, fed - len(pending)
        if inflate.eof:
            break
    if not inflate.eof:
        raise _Damaged(info.filename)  # the packed stream ends early


def _check_shared_text(name: str, packed: memoryview, archive: zipfile.ZipFile, cells: int) -> None:
    """Refuse a workbook whose cells would expand to more than XLSX_MAX_TEXT bytes of shared
    strings: the reader copies a shared string into every cell that refers to it, so one long
    string referred to by many cells costs its length each time (2 KB of zip held 1.2 GB)."""
    parts = {info.filename.lower(): info for info in archive.infolist()}
    strings = parts.get("xl/sharedstrings.xml")
    if strings is None:
        return
    lengths = _item_lengths(name, packed, strings)
    if not lengths.size or int(lengths.max()) * cells <= XLSX_MAX_TEXT:
        return  # even if every cell held the longest string
    text = 0
    for info in parts.values():
        if info is strings or not info.filename.lower().endswith(".xml"):
            continue
        # Every <v>N</v> with N a valid index is counted as a reference: numbers that happen to
        # be indices count too, so the total is an upper bound.
        for found in _matches(packed, info, _VALUE):
            indices = np.array(found, dtype="S10").astype(np.int64)
            text += int(lengths[indices[indices < lengths.size]].sum())
            if text > XLSX_MAX_TEXT:
                raise LimitExceeded(
                    describe("file_xlsx_text", name=name, limit_mb=f"{XLSX_MAX_TEXT >> 20:,}")
                )


def _item_lengths(name: str, packed: memoryview, info: zipfile.ZipInfo) -> np.ndarray:
    """The length in bytes of each shared string item (from one <si> to the next: tags included,
    so at least the text's length)."""
    starts: list[int] = []
    offset = 0
    for chunk, _ in _cut_at_tags(_unpacked_chunks(packed, info)):
        starts += [offset + m.start() for m in _ITEM.finditer(chunk)]
        offset += len(chunk)
        if len(starts) > MAX_CELLS:
            raise LimitExceeded(describe("file_xlsx_cells", name=name, limit=f"{MAX_CELLS:,}"))
    return np.diff(np.array([*starts, offset], dtype=np.int64))


def _matches(packed: memoryview, info: zipfile.ZipInfo, pattern: re.Pattern[bytes]):
    """The pattern's first group in each chunk of the part, chunk by chunk."""
    for chunk, _ in _cut_at_tags(_unpacked_chunks(packed, info)):
        found = pattern.findall(chunk)
        if found:
            yield found


def _cut_at_tags(chunks: Iterator[tuple[bytes, int]]) -> Iterator[tuple[bytes, int]]:
    """The same bytes re-cut so that no short tag (under 64 bytes) is split between two pieces."""
    carry = b""
    consumed = 0
    for chunk, consumed in chunks:
        buffer = carry + chunk
        cut = buffer.rfind(b"<")
        if cut >= 0 and len(buffer) - cut < 64:
            buffer, carry = buffer[:cut], buffer[cut:]
        else:
            carry = b""
        yield buffer, consumed
    if carry:
        yield carry, consumed


def _tags(buffer: bytes, tags: tuple[bytes, ...]) -> int:
    return sum(buffer.count(tag) for tag in tags)


def _check_dimension(name: str, part: str, head: bytes) -> None:
    """Refuse early a sheet whose declared range (<dimension ref="A1:K1000">) is over a limit."""
    found = _DIMENSION.search(head)
    if not found or not found.group(4):
        return
    first, last = (found.group(1) or b"A").decode(), found.group(3).decode()
    columns = _column_number(last) - _column_number(first) + 1
    rows = int(found.group(4)) - int(found.group(2) or 1) + 1
    if columns > MAX_COLUMNS or rows * columns > MAX_CELLS:
        raise LimitExceeded(
            describe(
                "file_xlsx_dimension",
                name=name,
                part=part,
                ref=cut_value(found.group(0).split(b'"')[1].decode("ascii")),
                rows=f"{rows:,}",
                columns=f"{columns:,}",
                limit=f"{MAX_CELLS:,}",
                max_columns=f"{MAX_COLUMNS:,}",
            )
        )


def _column_number(letters: str) -> int:
    """A -> 1, Z -> 26, AA -> 27."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def check_parquet(name: str, content: bytes) -> None:
    """Refuse a Parquet file whose footer announces too many columns, row groups, cells or bytes,
    from the footer alone (no column data is read)."""
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(io.BytesIO(content)).metadata
    except Exception as err:  # noqa: BLE001 - any footer error means the file cannot be read
        first = (str(err).strip().splitlines() or [type(err).__name__])[0]
        raise LimitExceeded(
            describe("file_unreadable", name=name, kind="PARQUET", error=cut_value(first, 300))
        ) from err
    check_columns(name, meta.schema.names)
    if meta.num_row_groups > PARQUET_MAX_ROW_GROUPS:
        raise LimitExceeded(
            describe(
                "file_parquet_row_groups",
                name=name,
                count=f"{meta.num_row_groups:,}",
                limit=f"{PARQUET_MAX_ROW_GROUPS:,}",
            )
        )
    if meta.num_rows * meta.num_columns > MAX_CELLS:
        raise LimitExceeded(
            describe(
                "file_parquet_cells",
                name=name,
                rows=f"{meta.num_rows:,}",
                columns=f"{meta.num_columns:,}",
                limit=f"{MAX_CELLS:,}",
            )
        )
    declared = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if declared > PARQUET_MAX_UNPACKED:
        raise LimitExceeded(
            describe(
                "file_parquet_unpacked",
                name=name,
                size_mb=f"{declared >> 20:,}",
                limit_mb=f"{PARQUET_MAX_UNPACKED >> 20:,}",
            )
        )
