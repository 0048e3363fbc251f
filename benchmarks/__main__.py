"""python -m benchmarks [--scale demo|large|xl] [--reuse] [--runs N] [--browser|--no-browser]
[--browser-only] — prints one table, writes JSON.

For each page: its data work (every query the page runs for one render, through the query layer:
runner, Polars, Pandera), the floor (the same SQL straight from DuckDB into Arrow, nothing else) and
the pandas peer (the same figures from the source tables in pandas). Also the build stages with peak
memory, a watchlist filter change, and 10 concurrent sessions. With a browser (default when Debian's
chromium is at /usr/bin/chromium): the speed a person feels, timed in headless Chromium on a fresh
server (benchmarks/browser.py): server start → first page drawn, each page's first and second visit.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import sys
import threading
import time
from datetime import date
from pathlib import Path

import duckdb

from benchmarks import peer
from benchmarks.recording import PageWork, record_pages
from data import warehouse

SCALES = {"demo": 2_000, "large": 100_000, "xl": 1_000_000}
RESULTS = Path(__file__).resolve().parent / "results"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(path: Path, customers: int, scenario: str, seed: int) -> dict:
    """Generate, load and derive a warehouse at `path` block by block, as `python -m data demo` does,
    timing each stage (generation and loading summed over blocks)."""
    from data.build import rebuild
    from data.demo import BLOCK
    from data.generate import iter_generate
    from data.ingest import load_frames

    stages = {"generate": 0.0, "validate + load": 0.0}
    rows: dict[str, int] = {}
    with warehouse.writing(path, fresh=True) as con:
        blocks = iter_generate(scenario, customers, seed, block=BLOCK)
        while True:
            started = time.perf_counter()
            block = next(blocks, None)
            stages["generate"] += time.perf_counter() - started
            if block is None:
                break
            started = time.perf_counter()
            load_frames(con, block.tables, f"benchmark:{scenario}:{seed}", rebuild=False)
            stages["validate + load"] += time.perf_counter() - started
            for table, frame in block.tables.items():
                rows[table] = rows.get(table, 0) + frame.height
            del block
        started = time.perf_counter()
        result = rebuild(con)
        stages["derived tables"] = time.perf_counter() - started
        for step, seconds in result.seconds.items():
            stages[f"  {step}"] = seconds
        started = time.perf_counter()
    stages["checkpoint + swap"] = time.perf_counter() - started
    return {"rows": rows, "stages": stages, "peak_rss_mb": peak_rss_mb()}


def timed(function, runs: int) -> list[float]:
    """Milliseconds of `runs` calls."""
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        out.append((time.perf_counter() - started) * 1000)
    return out


def summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median_ms": statistics.median(ordered), "p95_ms": p95, "runs": len(ordered)}


def concurrency(
    con: duckdb.DuckDBPyConnection, pages: list[PageWork], threads: int, rounds: int
) -> dict:
    """`threads` sessions, each with its own cursor, running every page's work `rounds` times."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    expected = {p.name: p.fingerprint(con) for p in pages}

    def session() -> None:
        cursor = con.cursor()
        try:
            for _ in range(rounds):
                for page in pages:
                    started = time.perf_counter()
                    got = page.fingerprint(cursor)
                    elapsed = (time.perf_counter() - started) * 1000
                    with lock:
                        latencies.append(elapsed)
                        if got != expected[page.name]:
                            errors.append(f"{page.name}: different result under concurrency")
        except Exception as err:  # noqa: BLE001 - counted and reported
            with lock:
                errors.append(f"{type(err).__name__}: {err}")
        finally:
            cursor.close()

    workers = [threading.Thread(target=session) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return {
        "threads": threads,
        **summary(latencies),
        "errors": errors[:5],
        "error_count": len(errors),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--scale", choices=list(SCALES), default="demo")
    parser.add_argument("--customers", type=int, help="override the scale's customer count")
    parser.add_argument("--scenario", default="manufacturer")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", help="warehouse file (default benchmarks/results/<scale>.duckdb)")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse an existing warehouse instead of building"
    )
    parser.add_argument("--runs", type=int, default=20, help="timed runs per page (default 20)")
    parser.add_argument(
        "--peer-runs", type=int, default=3, help="timed runs of the pandas peer (default 3)"
    )
    parser.add_argument(
        "--build-only", action="store_true", help="only build and time the stages (xl)"
    )
    parser.add_argument(
        "--json", help="write the results here (default benchmarks/results/<scale>.json)"
    )
    parser.add_argument(
        "--browser",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="time the pages in headless Chromium (default: on when /usr/bin/chromium exists)",
    )
    parser.add_argument(
        "--browser-only", action="store_true", help="only the browser timings (no page data work)"
    )
    parser.add_argument(
        "--daily-load",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="time a generated day's `python -m data ingest` beside a full build (default: on)",
    )
    parser.add_argument(
        "--in-place",
        action="store_true",
        help="load the day into the warehouse itself, without the copy and the full build (xl: "
        "its file, a copy and the spare do not fit the disk together)",
    )
    args = parser.parse_args(argv)
    from benchmarks import browser

    use_browser = browser.available() if args.browser is None else args.browser
    if args.browser_only and not use_browser:
        parser.error("--browser-only needs Chromium at /usr/bin/chromium and Playwright")

    customers = args.customers or SCALES[args.scale]
    path = Path(args.db) if args.db else RESULTS / f"{args.scale}.duckdb"
    report: dict = {
        "scale": args.scale,
        "customers": customers,
        "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}, "
        f"{__import__('os').cpu_count()} cores, Python {platform.python_version()}",
        "date": date.today().isoformat(),
    }
    if not (args.reuse and path.exists()):
        print(f"building {customers:,} customers into {path} …", file=sys.stderr)
        report["build"] = build(path, customers, args.scenario, args.seed)
    if args.daily_load and not args.browser_only:
        from benchmarks.daily_load import measure_daily_load

        print("timing a day's load and a full build on a copy …", file=sys.stderr)
        report["daily_load"] = measure_daily_load(path, args.seed, in_place=args.in_place)
    if not (args.build_only or args.browser_only):
        report.update(measure_pages(path, args.runs, args.peer_runs))
    if use_browser and not args.build_only:
        print("timing the pages in headless Chromium …", file=sys.stderr)
        report["browser"] = browser.measure_browser(path, RESULTS / f"{args.scale}-streamlit.log")
    print_report(report)
    out = Path(args.json) if args.json else RESULTS / f"{args.scale}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, default=str))
    print(f"\nwritten to {out}")
    return 0


def measure_pages(path: Path, runs: int, peer_runs: int) -> dict:
    pages, first_render = record_pages(path)
    con = warehouse.connect(path, read_only=True)
    as_of = con.sql("select max(as_of) from month_grid").fetchall()[0][0]
    sources = peer.load_sources(con)
    rows = []
    for page in pages:
        page.warm(con)
        work = summary(timed(lambda page=page: page.run(con), runs))
        floor = summary(timed(lambda page=page: page.floor(con), runs))
        entry = {
            "page": page.name,
            "queries": len(page.calls),
            "first_render_ms": first_render.get(page.name),
            "work": work,
            "floor": floor,
            "work_over_floor": work["median_ms"] / max(floor["median_ms"], 1e-9),
            "rows_sent": page.rows_sent(con),
        }
        peer_function = peer.PEERS.get(page.name)
        if peer_function is not None:
            entry["peer"] = summary(timed(lambda f=peer_function: f(sources, as_of), peer_runs))
            entry["peer_over_work"] = entry["peer"]["median_ms"] / max(work["median_ms"], 1e-9)
        rows.append(entry)
    extra = {}
    watch = next((p for p in pages if p.name == "watchlist"), None)
    if watch is not None:
        changed = watch.with_filter(segments=("Large",))
        extra["watchlist_filter_change"] = summary(timed(lambda: changed.run(con), runs))
    extra["concurrency"] = concurrency(con, pages, threads=10, rounds=3)
    extra["whatif"] = measure_whatif(con, as_of, max(3, runs // 4))
    con.close()
    return {"pages": rows, **extra}


def measure_whatif(con, as_of, runs: int) -> dict:
    """The what-if simulator: loading its inputs once (cached per warehouse version by the page),
    then re-scoring the whole history under the policy in force and under a changed scenario."""
    from queries import whatif
    from queries.filters import Filters
    from queries.whatif_simulation import Actions, scenario_policy, simulate

    started = time.perf_counter()
    policy = whatif.current_policy(con)
    history = whatif.history(con)
    snapshot = whatif.snapshot(con, Filters(as_of=as_of))
    defaults = whatif.defaults(con, Filters(as_of=as_of))
    load_ms = (time.perf_counter() - started) * 1000
    cut_offs = {**policy.grades, "E": policy.grades["E"] - 10}
    changed = scenario_policy(
        policy,
        weights={**policy.weights},
        cut_offs=cut_offs,
        watchlist_dpd=policy.watchlist.dpd + 30,
        name="benchmark scenario",
    )
    actions = Actions(limit_cut=0.25, collateral_above=1_000_000.0, stop_new_e=True)
    return {
        "history_rows": history.height,
        "customers": snapshot.height,
        "load_ms": load_ms,
        "current": summary(
            timed(lambda: simulate(history, snapshot, defaults, policy, Actions(), as_of), runs)
        ),
        "scenario": summary(
            timed(lambda: simulate(history, snapshot, defaults, changed, actions, as_of), runs)
        ),
    }


def print_report(report: dict) -> None:
    print(f"\nscale {report['scale']} ({report['customers']:,} customers) on {report['machine']}")
    if "build" in report:
        b = report["build"]
        print("rows: " + ", ".join(f"{k} {v:,}" for k, v in b["rows"].items()))
        for stage, seconds in b["stages"].items():
            print(f"  {stage:<32} {seconds:8.1f} s")
        print(f"  {'peak memory':<32} {b['peak_rss_mb']:8.0f} MB")
    if "daily_load" in report:
        from benchmarks.daily_load import print_daily_load

        print_daily_load(report["daily_load"])
    if "browser" in report:
        from benchmarks.browser import print_browser

        print_browser(report["browser"])
    if "pages" not in report:
        return
    head = f"{'page':<16}{'queries':>8}{'first ms':>10}{'median':>9}{'p95':>9}{'floor':>9}{'×floor':>8}{'peer ms':>10}{'peer/page':>10}{'rows':>8}"
    print("\n" + head + "\n" + "-" * len(head))
    for r in report["pages"]:
        peer_ms = r.get("peer", {}).get("median_ms")
        ratio = r.get("peer_over_work")
        print(
            f"{r['page']:<16}{r['queries']:>8}{(r['first_render_ms'] or 0):>10.0f}{r['work']['median_ms']:>9.1f}"
            f"{r['work']['p95_ms']:>9.1f}{r['floor']['median_ms']:>9.1f}{r['work_over_floor']:>8.2f}"
            f"{(peer_ms or 0):>10.0f}{(ratio or 0):>10.1f}{r['rows_sent']:>8}"
        )
    for key in ("watchlist_filter_change",):
        if report.get(key):
            print(
                f"{key}: median {report[key]['median_ms']:.1f} ms, p95 {report[key]['p95_ms']:.1f} ms"
            )
    w = report.get("whatif")
    if w:
        print(
            f"what-if: {w['history_rows']:,} customer-months, {w['customers']:,} customers; inputs "
            f"loaded once in {w['load_ms']:.0f} ms; re-score median {w['scenario']['median_ms']:.0f} ms, "
            f"p95 {w['scenario']['p95_ms']:.0f} ms (policy in force {w['current']['median_ms']:.0f} ms)"
        )
    c = report["concurrency"]
    print(
        f"concurrency: {c['threads']} sessions, median {c['median_ms']:.1f} ms, p95 {c['p95_ms']:.1f} ms "
        f"per page, {c['error_count']} errors"
    )


if __name__ == "__main__":
    sys.exit(main())
