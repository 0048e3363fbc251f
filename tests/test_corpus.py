"""The bad-input corpus, through the command line and through the Data page's code path.

Each case starts from the same small warehouse (tests/sample_files.py loaded) and must produce its
exit status, its messages (file, column, rule, example rows), exactly its additions to the tables and the
quarantine — and change nothing else. Derived tables are not rebuilt here (`--no-build`): what a
load keeps or rejects does not depend on them, and the rebuild after a load is tested elsewhere.
"""

from __future__ import annotations

import io
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import polars as pl
import pytest

from commands.cli import main
from data import warehouse
from data.ingest import (
    commit,
    failure_group_lines,
    grouped_failures,
    prepare,
    sources_from_paths,
)
from tests import sample_files
from tests.corpus.cases import CASES, Case
from tests.corpus.make_corpus import build

SOURCE = warehouse.SOURCE_TABLES


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    for name, content in build().items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    return folder


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("base") / "base.duckdb"
    extract = path.parent / "extract"
    extract.mkdir()
    sample_files.write_all(extract)
    with warehouse.writing(path) as con:
        result = commit(con, prepare(con, sources_from_paths([extract])))
    assert result.exit_code == 0
    return path


def snapshot(path: Path) -> tuple[dict[str, int], dict[str, str]]:
    con = warehouse.connect(path, read_only=True)
    try:
        return warehouse.table_counts(con), warehouse.checksum(con)
    finally:
        con.close()


def run_cli(db: Path, folder: Path) -> tuple[int, str]:
    # The command line's own entry point with its arguments, in this process (tests/test_cli.py runs
    # `python -m data` as a subprocess; here the start-up time would dominate 37 cases).
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(
            ["ingest", str(folder), "--db", str(db), "--quiet", "--show", "100", "--no-build"]
        )
    return code, out.getvalue() + err.getvalue()


def run_page_path(db: Path, folder: Path) -> tuple[int, str]:
    # What the Data page does: read the uploads' bytes, prepare, then commit on a swapped copy.
    files = [(p.name, p.read_bytes()) for p in sorted(folder.iterdir())]
    with warehouse.writing(db) as con:
        result = commit(con, prepare(con, files), rebuild=False)
    # the page shows the same grouping as the command line prints (data.ingest.grouped_failures)
    lines = [f"[{r.status}] {r.summary()}" for r in result.reports]
    lines += failure_group_lines(grouped_failures(result.reports))
    return result.exit_code, "\n".join(lines)


def verify(case: Case, db: Path, before: tuple, code: int, text: str) -> None:
    counts_before, sums_before = before
    counts_after, sums_after = snapshot(db)
    assert code == case.exit, text
    for fragment in case.says:
        assert fragment in text, f"{fragment!r} not in:\n{text}"
    if case.exit == 2:
        assert sums_after == sums_before, "a refused file changed the warehouse"
        return
    for table in SOURCE:
        assert counts_after[table] - counts_before[table] == case.adds.get(table, 0), (table, text)
        if table not in case.adds and case.check is None:
            assert sums_after[table] == sums_before[table], f"{table} changed"
    assert counts_after["quarantine"] - counts_before["quarantine"] == case.quarantine, text
    if case.check is not None:
        query, expected = case.check
        con = warehouse.connect(db, read_only=True)
        try:
            assert con.sql(query).fetchall() == expected
        finally:
            con.close()


def test_corpus_has_at_least_thirty_cases():
    assert len(CASES) >= 30
    assert len({c.folder for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.folder)
@pytest.mark.parametrize("path", ["cli", "page"])
def test_case(case, path, corpus, base, tmp_path):
    db = tmp_path / "w.duckdb"
    shutil.copyfile(base, db)
    before = snapshot(db)
    runner = run_cli if path == "cli" else run_page_path
    code, text = runner(db, corpus / case.folder)
    verify(case, db, before, code, text)


@pytest.mark.parametrize("path", ["cli", "page"])
def test_same_file_twice_is_recognised_and_not_doubled(path, corpus, base, tmp_path):
    db = tmp_path / "w.duckdb"
    shutil.copyfile(base, db)
    runner = run_cli if path == "cli" else run_page_path
    code, _ = runner(db, corpus / "same_file_twice")
    assert code == 0
    once = snapshot(db)
    code, text = runner(db, corpus / "same_file_twice")
    assert code == 2  # nothing changed
    assert "already loaded into risk_events" in text and "nothing loaded again" in text
    assert snapshot(db)[1] == once[1]


def test_hostile_text_is_exported_neutralised(corpus, base, tmp_path):
    from data.export import to_csv

    db = tmp_path / "w.duckdb"
    shutil.copyfile(base, db)
    assert run_page_path(db, corpus / "hostile")[0] == 0
    con = warehouse.connect(db, read_only=True)
    names = con.sql(
        "select customer_id, name from customers where customer_id like 'H%' order by 1"
    ).pl()
    con.close()
    exported = pl.read_csv(to_csv(names)[3:])
    assert exported["name"][0] == "'" + names["name"][0]
    assert exported["name"][1] == names["name"][1]  # <script> is text, not a formula: unchanged
