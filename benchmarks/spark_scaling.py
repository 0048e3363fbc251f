"""python -m benchmarks.spark_scaling --db FILE [--scale NAME] [--runs duckdb:1,duckdb:2,spark:1,spark:2]
[--json FILE] [--report FILE ...] — the derived-table build per stage on both engines and core counts.

Each stage is one data/sql/build_*.sql step. DuckDB: `data.build.rebuild` on the warehouse with
`SET threads = N`, inside a transaction rolled back afterwards (the file is left as it was). Spark:
`data.spark_build.build` on `local[N]` into a scratch folder (the file is only read), the session
started before the clock of the first stage (its start is reported apart), the Parquet export of the
source tables and the dashboard's warehouse file reported as their own stages. Each run is its own
process (a Spark driver's memory is fixed when its JVM starts: --driver-memory).

Prints, per stage, seconds and rows out of the stage per second per core (rows out / s / cores),
then the totals per engine × cores. Figures are printed, never asserted (issue 19, item 4).
--report merges the JSON files of earlier runs (e.g. demo and large) into one set of tables.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

DEFAULT_RUNS = ("duckdb:1", "duckdb:2", "spark:1", "spark:2")
SETUP_STAGES = ("spark session start", "export sources to Parquet", "dashboard warehouse file")


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the Spark driver's JVM
    return max(own, children) / 1024


def customers_of(db: Path) -> int:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql("select count(*) from customers").fetchall()[0][0]


def run_duckdb(db: Path, threads: int) -> dict:
    """data.build.rebuild with `threads` threads, rolled back: seconds and rows out per step."""
    import duckdb

    from data.build import rebuild

    # straight on the file, not data.warehouse.writing (a whole copy swapped in): rolled back
    with duckdb.connect(str(db)) as con:
        con.execute("set threads = $n", {"n": int(threads)})
        con.execute("begin transaction")
        started = time.perf_counter()
        try:
            result = rebuild(con)
            wall = time.perf_counter() - started
        finally:
            con.execute("rollback")
    table_of = dict(_steps())
    stages = {
        step: {"seconds": seconds, "rows": result.tables.get(table_of[step], 0)}
        for step, seconds in result.seconds.items()
    }
    return {"stages": stages, "wall": wall}


def run_spark(db: Path, cores: int) -> dict:
    """data.spark_build.build on local[cores] into a scratch folder: seconds and rows per step,
    the session start, the source export and the dashboard's file as stages of their own."""
    from data.spark_build import build, spark_session

    marks: list[tuple[str, float]] = []

    def progress(label: str, _done: int, _total: int) -> None:
        marks.append((label, time.perf_counter()))

    out = Path(tempfile.mkdtemp(prefix="spark_scaling_", dir=os.environ.get("SCALING_TMP")))
    try:
        started = time.perf_counter()
        with spark_session(f"local[{int(cores)}]") as spark:
            spark.sparkContext.setLogLevel("ERROR")
            session_started = time.perf_counter()
            result = build(db, out=out / "parquet", spark=spark, progress=progress)
            finished = time.perf_counter()
        wall = finished - started
    finally:
        shutil.rmtree(out, ignore_errors=True)
    first_step = next(t for label, t in marks if label.startswith("spark "))
    steps_end = first_step + sum(result.seconds.values())
    stages = {
        "spark session start": {"seconds": session_started - started, "rows": 0},
        "export sources to Parquet": {"seconds": first_step - session_started, "rows": 0},
    }
    for step, table in _steps():
        stages[step] = {"seconds": result.seconds[step], "rows": result.tables.get(table, 0)}
    stages["dashboard warehouse file"] = {"seconds": finished - steps_end, "rows": 0}
    return {"stages": stages, "wall": wall}


def _steps() -> list[tuple[str, str]]:
    from data.build import build_steps

    return build_steps()


def one_run(db: Path, engine: str, cores: int) -> dict:
    measured = run_duckdb(db, cores) if engine == "duckdb" else run_spark(db, cores)
    return {"engine": engine, "cores": cores, "peak_rss_mb": peak_rss_mb(), **measured}


def measure(db: Path, runs: list[str], driver_memory: str, done_one=None) -> list[dict]:
    """Each run (engine:cores) in a process of its own, one after the other; `done_one(results)`
    after each (a long series keeps what it measured when stopped)."""
    results: list[dict] = []
    for run in runs:
        engine, cores = run.split(":")
        env = dict(os.environ)
        env["PYSPARK_SUBMIT_ARGS"] = f"--driver-memory {driver_memory} pyspark-shell"
        print(f"timing {engine} on {cores} core(s) …", file=sys.stderr, flush=True)
        done = subprocess.run(  # noqa: S603 - our own module, our own arguments
            [sys.executable, "-m", "benchmarks.spark_scaling", "--db", str(db), "--one", run],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        if done_one is not None:
            done_one(results)
    return results


# --- tables ----------------------------------------------------------------------------------


def _label(run: dict) -> str:
    return f"{run['engine']} ×{run['cores']}"


def stage_table(report: dict) -> list[str]:
    """Seconds and rows out / s / core per stage, one column pair per run."""
    runs = report["runs"]
    head = "| stage | rows out | " + " | ".join(f"{_label(r)} s | rows/s/core" for r in runs) + " |"
    lines = [head, "|---|---:|" + "---:|---:|" * len(runs)]
    names: list[str] = []
    for run in runs:
        names += [n for n in run["stages"] if n not in names]
    order = [n for n in names if n in SETUP_STAGES[:2]]
    order += [n for n in names if n not in SETUP_STAGES]
    order += [n for n in names if n == SETUP_STAGES[2]]
    for name in order:
        rows = max(r["stages"].get(name, {}).get("rows", 0) for r in runs)
        cells = []
        for run in runs:
            stage = run["stages"].get(name)
            if stage is None:
                cells.append("– | –")
                continue
            rate = stage["rows"] / stage["seconds"] / run["cores"] if stage["rows"] else None
            cells.append(f"{stage['seconds']:.2f} | " + (f"{rate:,.0f}" if rate else "–"))
        lines.append(f"| {name.removeprefix('build_')} | {rows:,} | " + " | ".join(cells) + " |")
    return lines


def totals_rows(report: dict) -> list[str]:
    rows = []
    for run in report["runs"]:
        stages = run["stages"]
        steps = sum(v["seconds"] for k, v in stages.items() if k not in SETUP_STAGES)
        out = sum(v["rows"] for v in stages.values())
        rows.append(
            f"| {report['scale']} | {report['customers']:,} | {run['engine']} | {run['cores']} "
            f"| {run['wall']:.1f} | {steps:.1f} | {out / steps / run['cores']:,.0f} "
            f"| {run['peak_rss_mb']:,.0f} |"
        )
    return rows


TOTALS_HEAD = [
    "| scale | customers | engine | cores | wall s | build steps s | rows out/s/core | peak MB |",
    "|---|---:|---|---:|---:|---:|---:|---:|",
]


def print_reports(reports: list[dict]) -> None:
    for report in reports:
        print(
            f"\n### {report['scale']}: {report['customers']:,} customers, {report['machine']}, "
            f"{report['date']} (load average before: {report['load_before']})\n"
        )
        print("\n".join(stage_table(report)))
    print("\n### totals\n")
    print("\n".join(TOTALS_HEAD + [row for r in reports for row in totals_rows(r)]))
    print(
        "\nwall: the whole run (Spark: session start, Parquet export, steps, dashboard file); "
        "build steps: the build_*.sql steps alone; rows out/s/core: all steps' output rows "
        "over their seconds and the cores."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.spark_scaling", description=__doc__)
    parser.add_argument("--db", help="a built warehouse (only read; DuckDB's build is rolled back)")
    parser.add_argument("--scale", default=None, help="its name in the tables (default: file name)")
    parser.add_argument("--runs", default=",".join(DEFAULT_RUNS), help="engine:cores, ...")
    parser.add_argument("--driver-memory", default="6g", help="the Spark driver's heap (local)")
    parser.add_argument("--json", help="write the measurements here")
    parser.add_argument("--report", nargs="+", help="print the tables of earlier --json files")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # engine:cores, in the child process
    args = parser.parse_args(argv)
    if args.report:
        print_reports([json.loads(Path(f).read_text()) for f in args.report])
        return 0
    if not args.db:
        parser.error("--db is required (or --report)")
    db = Path(args.db)
    if args.one:
        engine, cores = args.one.split(":")
        print(json.dumps(one_run(db, engine, int(cores))))
        return 0
    report = {
        "scale": args.scale or db.stem,
        "customers": customers_of(db),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "date": date.today().isoformat(),
        "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "driver_memory": args.driver_memory,
        "runs": [],
    }

    def save(results: list[dict]) -> None:
        report["runs"] = results
        if args.json:
            Path(args.json).write_text(json.dumps(report, indent=2))

    save(measure(db, args.runs.split(","), args.driver_memory, save))
    print_reports([report])
    return 0


if __name__ == "__main__":
    sys.exit(main())
