"""The headers of a foreign file and the first values under each, for proposing a mapping.

Read as a plain file is read (data.parsing: encodings, ';' separators, the limits of
data/file_limits), without knowing which table the file feeds: a spreadsheet's header is the
first of its first rows that fills the most cells, on its first sheet.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from data.file_limits import LimitExceeded, check_xlsx
from data.parsing import FileRejected, file_format, read_cells
from schemas.rules import describe

SAMPLE_ROWS = 50  # rows whose values the proposal looks at (date and number formats)
HEADER_SEARCH = 20  # spreadsheet rows searched for the header, as data.parsing does


@dataclass(frozen=True)
class Sample:
    """A file's headers as written and the first non-blank values of each (at most SAMPLE_ROWS)."""

    headers: list[str]
    values: dict[str, list[str]]

    def first_values(self, headers: list[str | None]) -> list[str]:
        """The sample values of these headers together (None and unknown headers skipped)."""
        return [v for h in headers if h for v in self.values.get(h, [])]


def read_sample(name: str, content: bytes, rows: int = SAMPLE_ROWS) -> Sample:
    """The Sample of a CSV, Parquet or Excel file; FileRejected when it cannot be read."""
    if file_format(name) == "excel":
        frame = _excel_head(name, content, rows)
    else:
        # the table argument only steers the search of spreadsheets: none is read here
        frame, _ = read_cells(name, content, "payments")
        frame = frame.head(rows)
    headers = [str(h) for h in frame.columns]
    values = {
        header: [
            text
            for v in frame[header].cast(pl.String).to_list()
            if v is not None and (text := v.strip())
        ]
        for header in headers
    }
    return Sample(headers, values)


def _excel_head(name: str, content: bytes, rows: int) -> pl.DataFrame:
    import fastexcel

    try:
        check_xlsx(name, content)
        reader = fastexcel.read_excel(content)
        sheet = reader.sheet_names[0]
        raw = reader.load_sheet(
            sheet, header_row=None, dtypes="string", n_rows=HEADER_SEARCH + rows
        ).to_polars()
    except LimitExceeded as err:
        raise FileRejected(str(err)) from err
    except Exception as err:  # noqa: BLE001 - any reader error means the file cannot be read
        raise FileRejected(
            describe("file_unreadable", name=name, kind="EXCEL", error=str(err)[:300])
        ) from err
    if raw.is_empty():
        raise FileRejected(describe("file_empty", name=name))
    filled = [
        sum(1 for v in raw.row(i) if v and v.strip()) for i in range(min(HEADER_SEARCH, raw.height))
    ]
    at = filled.index(max(filled))
    header = [(v or "").strip() or f"unnamed_{i + 1}" for i, v in enumerate(raw.row(at))]
    body = raw[at + 1 :]
    body.columns = _unique(header)
    return body.filter(~pl.all_horizontal(pl.all().is_null()))


def _unique(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for header in headers:
        seen[header] = seen.get(header, 0) + 1
        out.append(header if seen[header] == 1 else f"{header}_{seen[header]}")
    return out
