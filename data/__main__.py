"""Command line: python -m data {demo,ingest,build,info,settings,user} — see --help of each."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb
from tqdm import tqdm

from data import user_commands, warehouse, worklog_export
from schemas.rules import cut_value, describe, escape_unsafe

EXIT_OK, EXIT_ROWS_REJECTED, EXIT_REFUSED = 0, 1, 2


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator:
    """A progress callback (label, step, total) drawing one terminal bar per stage."""
    bars: dict[str, tqdm] = {}

    def update(label: str, step: int, total: int) -> None:
        if not enabled:
            return
        stage = label.split(" ", 1)[0]
        bar = bars.get(stage)
        if bar is None or bar.total != max(total, 1):
            if bar is not None:
                bar.close()
            bar = bars[stage] = tqdm(total=max(total, 1), unit="step", file=sys.stderr, leave=False)
        bar.set_description(label[:50])
        bar.n = step
        bar.refresh()

    try:
        yield update
    finally:
        for bar in bars.values():
            bar.close()


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"not a date in YYYY-MM-DD format: {text!r}") from err


def cmd_demo(args: argparse.Namespace) -> int:
    from data.demo import build_demo

    started = time.perf_counter()
    with progress_bar(not args.quiet) as progress:
        result = build_demo(
            args.db,
            args.scenario,
            args.customers,
            args.seed,
            progress,
            lang=args.lang,
            force=args.force,
        )
    rows = ", ".join(f"{t} {n:,}" for t, n in result.rows.items())
    print(
        f"demo warehouse ({args.scenario}, {args.customers:,} customers, seed {args.seed}, "
        f"names in {args.lang}) "
        f"written to {result.path} in {time.perf_counter() - started:.1f} s: {rows}"
    )
    user_commands.record_load(f"demo {args.scenario} seed {args.seed}", args.customers, args.db)
    return result.load.exit_code


def cmd_ingest(args: argparse.Namespace) -> int:
    from data.ingest import failures_report, load_files
    from data.mapping import MappingError, load_mapping

    try:
        mapping = load_mapping(args.mapping) if args.mapping else None
    except MappingError as err:
        print(f"mapping refused: {escape_unsafe(str(err))}", file=sys.stderr)
        return EXIT_REFUSED
    with warehouse.writing(args.db) as con, progress_bar(not args.quiet) as progress:
        result = load_files(
            con, args.paths, rebuild=not args.no_build, progress=progress, mapping=mapping
        )
    for report in result.reports:
        # names and notes come from the files: nothing in them may drive the terminal
        print(f"[{report.status}] {escape_unsafe(report.summary())}")
    failures = failures_report(result.reports)
    if failures.height:
        print(f"\n{failures.height} failure(s) — rejected rows are kept in the quarantine table:")
        for row in failures.head(args.show).iter_rows(named=True):
            print(
                escape_unsafe(
                    f"  {Path(row['file']).name} row {row['row_number']}, column {row['column']}: "
                    f"{row['rule']} (value: {_quoted(row['value'])})"
                )
            )
        if failures.height > args.show:
            print(
                f"  ... and {failures.height - args.show} more (python -m data info shows the quarantine)"
            )
    user_commands.record_load(
        "ingest " + ", ".join(Path(r.source).name for r in result.reports),
        sum(r.rows_accepted for r in result.reports if r.status in ("loaded", "partial")),
        args.db,
    )
    return result.exit_code


def _quoted(value: str | None) -> str:
    """A cell value as the failure list prints it: quoted, cut to 40 characters, escaped."""
    return "None" if value is None else f"'{cut_value(value)}'"


def cmd_build(args: argparse.Namespace) -> int:
    from data.build import rebuild
    from data.policy import PolicyError, load_policy

    try:
        policy = load_policy(args.policy)
    except (PolicyError, OSError) as err:
        print(f"policy refused: {err}", file=sys.stderr)
        return EXIT_REFUSED
    with warehouse.writing(args.db) as con, progress_bar(not args.quiet) as progress:
        result = rebuild(con, as_of=args.as_of, policy=policy, progress=progress)
    print(result)
    user_commands.record_load("build", None, args.db)
    return EXIT_OK


def cmd_info(args: argparse.Namespace) -> int:
    path = warehouse.db_path(args.db)
    if not path.exists():
        print(f"no warehouse at {path} (build one with: python -m data demo)", file=sys.stderr)
        return EXIT_REFUSED
    warehouse.check_file(path)
    con = warehouse.connect(path, read_only=True)
    try:
        print(
            f"warehouse {path} (schema version {warehouse.schema_version(con)}, "
            f"load version {warehouse.load_version(con)})"
        )
        print(f"  reporting currency {warehouse.reporting_currency(con)}")
        for name, count in warehouse.table_counts(con).items():
            print(f"  {name:<22} {count:>12,}")
        loads = con.sql(
            "select load_id, loaded_at, table_name, rows_accepted, rows_rejected, source_file "
            "from load_history order by load_id desc limit 10"
        ).fetchall()
        if loads:
            print("last loads:")
            for load_id, at, table, ok, bad, src in loads:
                print(
                    f"  #{load_id} {at:%Y-%m-%d %H:%M} {table:<12} {ok:>10,} accepted {bad:>6,} rejected  {escape_unsafe(src)}"
                )
    finally:
        con.close()
    return EXIT_OK


def cmd_settings(args: argparse.Namespace) -> int:
    """Print the warehouse's settings; --reporting-currency sets the currency amounts are stored
    in, which only an empty warehouse may change (a missing file is created with it)."""
    path = warehouse.db_path(args.db)
    wanted = args.reporting_currency.strip().upper() if args.reporting_currency else None
    if path.exists():
        warehouse.check_file(path)
        con = warehouse.connect(path, read_only=True)
        try:
            current = warehouse.reporting_currency(con)
        finally:
            con.close()
    elif wanted is None:
        print(
            f"no warehouse at {path} (a new one reports in {warehouse.DEFAULT_REPORTING_CURRENCY}; "
            "choose another with: python -m data settings --reporting-currency CODE)",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    else:
        current = None
    if wanted is not None and wanted != current:
        try:
            with warehouse.writing(args.db) as con:
                current = warehouse.set_reporting_currency(con, wanted)
        except warehouse.SettingRefused as err:
            print(f"refused: {escape_unsafe(str(err))}", file=sys.stderr)
            return EXIT_REFUSED
        user_commands.record_load(f"settings reporting_currency {current}", None, args.db)
    print(f"warehouse {path}")
    print(f"  reporting currency {current} (every stored amount is in it)")
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help="warehouse file (default: $RISK_DB or data/warehouse.duckdb)")
    common.add_argument("--quiet", action="store_true", help="no progress bar")
    top = argparse.ArgumentParser(
        prog="python -m data", description="Customer Risk Dashboard warehouse tools"
    )
    sub = top.add_subparsers(dest="command", required=True)

    demo = sub.add_parser(
        "demo", parents=[common], help="build the demo warehouse (replaces the file)"
    )
    demo.add_argument("--scenario", choices=["manufacturer", "lender"], default="manufacturer")
    demo.add_argument("--customers", type=int, default=2000, help="portfolio size (default 2000)")
    demo.add_argument("--seed", type=int, default=7, help="random seed (same seed, same data)")
    demo.add_argument(
        "--lang",
        choices=["en", "zh"],
        default="en",
        help="language of company names and event notes (ids are the same in both)",
    )
    demo.add_argument(
        "--force",
        action="store_true",
        help="replace --db even when it is not a warehouse (its content is lost)",
    )
    demo.set_defaults(run=cmd_demo)

    ingest = sub.add_parser(
        "ingest", parents=[common], help="load CSV/Parquet/XLSX files or folders"
    )
    ingest.add_argument(
        "paths", nargs="+", help="files named after their table (customers.csv, ...) or folders"
    )
    ingest.add_argument(
        "--no-build", action="store_true", help="do not rebuild derived tables afterwards"
    )
    ingest.add_argument("--show", type=int, default=50, help="failures to print (default 50)")
    ingest.add_argument(
        "--mapping",
        metavar="FILE",
        help="mapping TOML saying how foreign files feed the tables, or a preset's name "
        "(invoice_list, loan_tape, sap_fbl5n, oracle_ar_aging, kingdee_yonyou_ar); see README",
    )
    ingest.set_defaults(run=cmd_ingest)

    build = sub.add_parser("build", parents=[common], help="rebuild the derived tables")
    build.add_argument(
        "--as-of", type=_date, help="as-of date YYYY-MM-DD (default: last month-end with data)"
    )
    build.add_argument("--policy", help="policy TOML file (default: data/policy.toml)")
    build.set_defaults(run=cmd_build)

    info = sub.add_parser("info", parents=[common], help="tables, row counts and recent loads")
    info.set_defaults(run=cmd_info)

    settings = sub.add_parser(
        "settings", parents=[common], help="show or set the warehouse's settings"
    )
    settings.add_argument(
        "--reporting-currency",
        metavar="CODE",
        help="the currency every amount is stored in (ISO 4217, e.g. USD; default CNY); "
        "only while the warehouse holds no source row",
    )
    settings.set_defaults(run=cmd_settings)

    user_commands.add_parser(sub)
    worklog_export.add_parser(sub, common)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "demo" and args.customers < 10:
        print("--customers must be at least 10", file=sys.stderr)
        return EXIT_REFUSED
    try:
        return args.run(args)
    except warehouse.WarehouseUnavailable as err:
        print(
            f"refused: {escape_unsafe(str(err))} (the previous warehouse is unchanged)",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    except duckdb.Error as err:
        # e.g. a file that starts like DuckDB but is damaged, or one another process holds
        first = (str(err).strip().splitlines() or [type(err).__name__])[0]
        message = describe(
            "db_unreadable",
            path=cut_value(warehouse.db_path(args.db), 300),
            error=cut_value(first, 300),
        )
        print(f"refused: {message}", file=sys.stderr)
        return EXIT_REFUSED


if __name__ == "__main__":
    sys.exit(main())
