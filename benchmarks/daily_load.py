"""A day's load, as a user's cron job runs it: `python -m data ingest <folder>` on a built warehouse.

The day follows the warehouse's latest activity: 1 % of the customers settle their oldest open
instalment (payments.csv, whole rows upserted), 50 risk events and 20 credit reviews arrive
(benchmarks/sql/daily_*.sql draw them from the warehouse's own rows). The command runs on a copy of
the warehouse in a process of its own. The figure is the time from its start until the new file
stands at the warehouse's path (watched from here: a dashboard's next query opens it and sees the new
figures), beside the time until it exits (after the swap it brings the file it replaced up to date
for the next load, data.warehouse._ready_spare) and that process's peak memory. Two days are loaded
one after the other: the first after a build (its writer copies the whole file), the second as every
later day of a cron job (its writer takes the spare the first day readied, data.delta); the second
is the daily-load figure. The full build's time (`python -m data build` on the same copy) is reported beside it:
issue 15's targets are a daily load ≤ 5 s at `large` (≥ 20× faster than the full load) within 1 GB,
≤ 30 s at `xl`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

import duckdb

from data import warehouse
from data.runner import Statements, sql_text

ROOT = Path(__file__).resolve().parent.parent
DAY = Statements(Path(__file__).resolve().parent / "sql")
SHARE, EVENTS, REVIEWS = 0.01, 50, 20


def day_files(con: duckdb.DuckDBPyConnection, folder: Path, seed: int = 7) -> dict[str, int]:
    """Write the day's payments.csv, risk_events.csv and credit_reviews.csv into `folder`; returns
    rows per file. The day is the one after the warehouse's latest activity."""
    latest = con.sql(sql_text("build_latest_activity")).fetchall()[0][0]
    day = latest + timedelta(days=1)
    params = {"day": day, "seed": seed}
    frames = {
        "payments": DAY.run(con, "daily_payments", share=SHARE, **params),
        "risk_events": DAY.run(con, "daily_events", events=EVENTS, **params),
        "credit_reviews": DAY.run(con, "daily_reviews", reviews=REVIEWS, **params),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for table, frame in frames.items():
        frame.write_csv(folder / f"{table}.csv")
    return {table: frame.height for table, frame in frames.items()}


def _command(args: list[str], db: Path, folder: Path) -> dict:
    """Run `python -m data <args> --db <db>` in a process of its own (through benchmarks.peak, which
    records that process's peak memory): seconds from its start to its exit, seconds from its
    start until a new file stood at `db` (what a dashboard's next query opens: the moment the new
    figures are visible, watched from here every 5 ms; None when the file was not replaced), peak
    MB, exit code."""
    peak_file = folder / f"peak-{args[0]}.txt"
    before = _identity(db)
    visible = None
    started = time.perf_counter()
    with subprocess.Popen(
        [sys.executable, "-m", "benchmarks.peak", str(peak_file), "data", *args, "--db", str(db)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ) as child:
        output: list[str] = []
        reader = threading.Thread(target=lambda: output.extend(child.stdout), daemon=True)
        reader.start()
        while child.poll() is None:
            if visible is None and _identity(db) != before:
                visible = time.perf_counter() - started
            time.sleep(0.005)
        seconds = time.perf_counter() - started
        reader.join()
    if visible is None and _identity(db) != before:
        visible = seconds
    peak = peak_file.read_text(encoding="utf-8").strip() if peak_file.exists() else None
    return {
        "seconds": seconds,
        "visible_seconds": visible,
        "peak_rss_mb": float(peak) if peak else None,
        "exit": child.returncode,
        "output": "".join(output)[-2000:],
    }


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


def measure_daily_load(path: Path, seed: int = 7, in_place: bool = False) -> dict:
    """Two days' loads and the full build on a copy of the warehouse at `path` (left untouched).

    The first day follows a full build: its writer copies the whole file. The second is the steady
    state of a daily cron job: its writer brings the spare (the file the first day replaced) up to
    date with the first day's changes instead (data.delta).

    `in_place`: load the two days into `path` itself, without the copy or the full build (for a
    book whose file, its copy and its spare do not fit the disk together: `xl`); `path` then holds
    the two days afterwards, and the full build's time is the build's own."""
    with tempfile.TemporaryDirectory(prefix="daily-load-") as folder:
        work = Path(folder)
        copy = path if in_place else work / "warehouse.duckdb"
        if not in_place:
            shutil.copyfile(path, copy)
        days = []
        for number in (1, 2):
            with warehouse.connect(copy, read_only=True) as con:
                rows = day_files(con, work / f"day{number}", seed + number - 1)
            days.append(
                (rows, _command(["ingest", str(work / f"day{number}"), "--quiet"], copy, work))
            )
        with warehouse.connect(copy, read_only=True) as con:
            as_of = warehouse.scalar(con, "select as_of from warehouse_state")
        full, file_copy = None, None
        if not in_place:
            full = _command(["build", "--quiet"], copy, work)
            # what a writer without a spare pays before any work: the copy of the whole file
            started = time.perf_counter()
            shutil.copyfile(copy, work / "copy.duckdb")
            file_copy = time.perf_counter() - started
        size_mb = copy.stat().st_size / 2**20

    def line(run: dict, pattern: str) -> str | None:
        found = re.search(pattern, run["output"], re.MULTILINE)
        return found.group(0) if found else None

    (rows, first), (_rows, load) = days
    return {
        "rows": rows,
        "load": load,
        "first_load": first,
        "full_build": full,
        "as_of": str(as_of),
        "derived": line(load, r"^derived tables .*$"),
        "file": line(load, r"^warehouse file: .*$"),
        "first_file": line(first, r"^warehouse file: .*$"),
        "ready": line(load, r"^the next load's spare: .*$"),
        "file_mb": size_mb,
        **({"file_copy_seconds": file_copy} if file_copy is not None else {}),
    }


def print_daily_load(result: dict) -> None:
    load, full = result["load"], result["full_build"]
    rows = ", ".join(f"{table} {count:,}" for table, count in result["rows"].items())

    def memory(run: dict) -> str:
        return "n/a" if run["peak_rss_mb"] is None else f"{run['peak_rss_mb']:.0f} MB"

    print(f"\ndaily load ({rows}; built as of {result['as_of']}):")
    visible = load.get("visible_seconds")
    if visible is not None:
        print(f"  {'new figures visible after':<32} {visible:8.1f} s")
    print(f"  {'python -m data ingest <day>':<32} {load['seconds']:8.1f} s  peak {memory(load)}")
    first = result.get("first_load")
    if first:
        print(
            f"  {'the first day after a build':<32} {first['seconds']:8.1f} s  peak {memory(first)}"
            f"  ({result.get('first_file') or 'n/a'})"
        )
    if full is not None:
        print(
            f"  {'python -m data build (full)':<32} {full['seconds']:8.1f} s  peak {memory(full)}"
        )
        if visible:
            print(f"  {'full build / visible after':<32} {full['seconds'] / visible:8.1f} ×")
        if load["seconds"]:
            print(f"  {'full build / daily load':<32} {full['seconds'] / load['seconds']:8.1f} ×")
    if result.get("derived"):
        print(f"  of the load: {result['derived']}")
    if result.get("file"):
        print(f"  of the load: {result['file']}")
    if result.get("ready"):
        print(f"  after the swap: {result['ready']}")
    if "file_copy_seconds" in result:
        print(
            f"  without a spare: the copy of the {result['file_mb']:,.0f} MB file"
            f" {result['file_copy_seconds']:.1f} s"
        )
    for name, run in (("ingest", load), ("first ingest", first or load), ("build", full)):
        if run is not None and run["exit"] not in (0, 1):
            print(f"  {name} exited {run['exit']}: {run['output']}")
