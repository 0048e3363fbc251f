"""Command line: python -m data {demo,ingest,build,info,quarantine,settings,user} — see --help of each."""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import duckdb
from tqdm import tqdm

from commands import alerts as alert_commands
from commands import challenger as challenger_commands
from commands import model as model_commands
from commands import users as user_commands
from commands import worklog_export
from data import warehouse
from schemas.rules import cut_value, describe, escape_unsafe

EXIT_OK, EXIT_ROWS_REJECTED, EXIT_REFUSED = 0, 1, 2


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator:
    """A progress callback (label, step, total) for long work, written to stderr.

    On a terminal, one bar per stage (tqdm) redrawn in place. Anywhere else (a log file, CI,
    cron, a pipe) redraws would be kept as noise, so each step is one plain line instead:
    "validating payments.csv (2/5)". Labels name the user's files: escaped either way, so a file
    name cannot drive the terminal. `enabled` False (--quiet) writes nothing.
    """
    stream = sys.stderr
    isatty = getattr(stream, "isatty", None)
    terminal = bool(isatty and isatty())
    bars: dict[str, tqdm] = {}
    last: list[tuple[str, int, int]] = []

    def update(label: str, step: int, total: int) -> None:
        if not enabled:
            return
        text = escape_unsafe(label)
        if not terminal:
            if last and last[-1] == (label, step, total):
                return  # the same step reported again: a bar would only redraw it
            last[:] = [(label, step, total)]
            print(f"{text} ({step}/{total})", file=stream, flush=True)
            return
        stage = label.split(" ", 1)[0]
        bar = bars.get(stage)
        if bar is None or bar.total != max(total, 1):
            if bar is not None:
                bar.close()
            bar = bars[stage] = tqdm(total=max(total, 1), unit="step", file=stream, leave=False)
        bar.set_description(text[:50])
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
        print(f"[{status_label(report.status)}] {escape_unsafe(report.summary())}")
    _print_failures(result, failures_report(result.reports), args.show)
    if result.built is not None:
        built = result.built
        print(
            f"derived tables as of {built.as_of} ({built.mode}) "
            f"in {sum(built.seconds.values()):.1f} s"
        )
    if warehouse.LAST_WRITE and result.changed:
        print(
            f"warehouse file: {warehouse.LAST_WRITE['file']} "
            f"in {warehouse.LAST_WRITE['seconds']:.1f} s"
        )
        if "ready" in warehouse.LAST_WRITE:
            print(
                "the next load's spare: "
                + (
                    f"brought up to date after the swap in "
                    f"{warehouse.LAST_WRITE['ready_seconds']:.1f} s"
                    if warehouse.LAST_WRITE["ready"]
                    else "not ready ("
                    + str(warehouse.LAST_WRITE.get("spare_refused", "no note"))
                    + ")"
                )
            )
    if not result.changed:
        _print_nothing_changed(result, warehouse.db_path(args.db))
    user_commands.record_load(
        "ingest " + ", ".join(Path(r.source).name for r in result.reports),
        sum(r.rows_accepted for r in result.reports if r.status in ("loaded", "partial")),
        args.db,
    )
    return result.exit_code


def status_label(status: str) -> str:
    """A file's status as the command line prints it: [loaded], [partial], [nothing loaded] …"""
    return status.replace("_", " ")


def _print_failures(result, failures, show: int) -> None:
    """The failures of a load grouped by file, rule and column with three example rows each
    (data.ingest.grouped_failures), at most `show` groups, and where the rejected rows went."""
    from data.ingest import failure_group_lines, grouped_failures

    if not failures.height:
        return
    groups = grouped_failures(result.reports)
    rows = failures.select("file", "row_number").unique().height
    print(
        f"\n{_plural(failures.height, 'failure')} in {_plural(rows, 'row')}, by rule and column "
        f"({_plural(groups.height, 'group')}, the first rows of each):"
    )
    for line in failure_group_lines(groups.head(max(show, 0))):
        print(escape_unsafe(f"  {line}"))
    if groups.height > show:
        print(f"  … and {_plural(groups.height - show, 'more group')} (--show N prints more)")
    kept = sum(r.rows_rejected for r in result.reports if r.status == "partial")
    if kept:
        print(
            f"Kept in the quarantine table: {_plural(kept, 'rejected row')} of the files that "
            "loaded (python -m data quarantine lists and exports them)."
        )
    if any(r.status == "nothing_loaded" for r in result.reports):
        print(
            "A file with every row rejected writes nothing (not even to the quarantine): "
            "correct it and load it again."
        )


def _print_nothing_changed(result, path: Path) -> None:
    """Why exit status 2: nothing of this load was written."""
    counts = Counter(r.status for r in result.reports)
    parts = [
        f"{counts[status]:,} {words}"
        for status, words in (
            ("rejected", "refused"),
            ("duplicate", "already loaded"),
            ("nothing_loaded", "with every row rejected"),
        )
        if counts[status]
    ]
    reason = (
        f"of {_plural(len(result.reports), 'file')}, {', '.join(parts)}" if parts else "no file"
    )
    where = (
        "the warehouse is as it was"
        if path.exists()
        else f"no warehouse was created at {escape_unsafe(str(path))}"
    )
    print(f"nothing changed: {reason}; {where}.")


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def cmd_build(args: argparse.Namespace) -> int:
    from data.build import rebuild
    from data.policy import PolicyError, load_policy

    try:
        policy = load_policy(args.policy)
    except (PolicyError, OSError) as err:
        print(f"policy refused: {err}", file=sys.stderr)
        return EXIT_REFUSED
    if args.engine == "spark":
        return _build_on_spark(args, policy)
    if args.master or args.out:
        print("refused: --master and --out are options of --engine spark", file=sys.stderr)
        return EXIT_REFUSED
    with warehouse.writing(args.db) as con, progress_bar(not args.quiet) as progress:
        result = rebuild(con, as_of=args.as_of, policy=policy, progress=progress)
    print(result)
    user_commands.record_load("build", None, args.db)
    return EXIT_OK


def _build_on_spark(args: argparse.Namespace, policy) -> int:
    """The derived tables built on Spark into Parquet (data.spark_build); the warehouse file is
    only read."""
    import importlib.util

    missing = [m for m in ("pyspark", "sqlglot") if importlib.util.find_spec(m) is None]
    if missing:
        print(
            f"refused: the Spark engine needs the optional extra ({', '.join(missing)} missing): "
            "uv sync --extra spark",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    from data import spark_build

    if not warehouse.db_path(args.db).exists():
        print(f"no warehouse at {warehouse.db_path(args.db)}", file=sys.stderr)
        return EXIT_REFUSED
    with progress_bar(not args.quiet) as progress:
        result = spark_build.build(
            args.db,
            out=args.out,
            master=args.master or spark_build.DEFAULT_MASTER,
            as_of=args.as_of,
            policy=policy,
            progress=progress,
        )
    print(result)
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
            with warehouse.writing(args.db, keep_empty=True) as con:
                current = warehouse.set_reporting_currency(con, wanted)
        except warehouse.SettingRefused as err:
            print(f"refused: {escape_unsafe(str(err))}", file=sys.stderr)
            return EXIT_REFUSED
        user_commands.record_load(f"settings reporting_currency {current}", None, args.db)
    print(f"warehouse {path}")
    print(f"  reporting currency {current} (every stored amount is in it)")
    return EXIT_OK


def cmd_quarantine(args: argparse.Namespace) -> int:
    """List the quarantine grouped by file, table, rule and column; with --export, write the
    matching rows too. Reads through a read-only connection: nothing is changed."""
    from data import audit, quarantine
    from data.ingest import failure_group_lines

    if args.export:
        try:
            kind = quarantine.export_format(args.export)
        except quarantine.ExportRefused as err:
            print(f"refused: {escape_unsafe(str(err))}", file=sys.stderr)
            return EXIT_REFUSED
    path = warehouse.db_path(args.db)
    if not path.exists():
        print(f"no warehouse at {path} (build one with: python -m data demo)", file=sys.stderr)
        return EXIT_REFUSED
    warehouse.check_file(path)
    con = warehouse.connect(path, read_only=True)
    try:
        groups = quarantine.groups(con, args.rule, args.file, args.table)
        matching = quarantine.rows(con, args.rule, args.file, args.table) if args.export else None
    finally:
        con.close()
    asked = [
        f"{name} {value!r}"
        for name, value in (("rule", args.rule), ("file", args.file), ("table", args.table))
        if value
    ]
    which = f" matching {', '.join(asked)}" if asked else ""
    if groups.is_empty():
        print(escape_unsafe(f"no quarantined rows{which} in {path}"))
    else:
        total = int(groups["count"].sum())
        print(
            escape_unsafe(
                f"{_plural(total, 'quarantined failure')}{which} in {path}, by file, table, rule "
                f"and column ({_plural(groups.height, 'group')}, newest load first):"
            )
        )
        shown = groups.head(max(args.show, 0))
        for line, group in zip(
            failure_group_lines(shown), shown.iter_rows(named=True), strict=True
        ):
            loads = f" ({group['loads']} loads)" if group["loads"] > 1 else ""
            print(escape_unsafe(f"  [{group['table']}] {line}{loads}"))
        if groups.height > args.show:
            print(
                f"  … and {_plural(groups.height - args.show, 'more group')} (--show N prints more)"
            )
    if matching is not None:
        try:
            quarantine.export(matching, args.export)
        except OSError as err:
            print(
                f"refused: cannot write {escape_unsafe(str(args.export))}: {err.strerror or err}",
                file=sys.stderr,
            )
            return EXIT_REFUSED
        print(escape_unsafe(f"{_plural(matching.height, 'row')} written to {args.export} ({kind})"))
        audit.record(
            "export",
            who=user_commands._who(),  # the same "cli:<user>" as loads
            detail=f"quarantine ({kind}) -> {args.export}",
            rows=matching.height,
            db=args.db,
        )
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
    ingest.add_argument(
        "--show", type=int, default=50, help="groups of failures to print (default 50)"
    )
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
    build.add_argument(
        "--engine",
        choices=["duckdb", "spark"],
        default="duckdb",
        help="duckdb (default): into the warehouse file; spark: on Apache Spark into Parquet "
        "(optional extra: uv sync --extra spark; README, 'Scaling out')",
    )
    build.add_argument("--master", help="Spark master URL (default local[2]; --engine spark)")
    build.add_argument(
        "--out",
        help="Parquet output folder (default: <warehouse>_spark/ beside it; --engine spark)",
    )
    build.set_defaults(run=cmd_build)

    info = sub.add_parser("info", parents=[common], help="tables, row counts and recent loads")
    info.set_defaults(run=cmd_info)

    quarantine = sub.add_parser(
        "quarantine",
        parents=[common],
        help="the rejected rows of earlier loads, grouped by file, table, rule and column",
    )
    quarantine.add_argument(
        "--rule",
        help="a rule code (one_of, not_a_date, reference, …) or part of the rule's text",
    )
    quarantine.add_argument(
        "--file", help="the loaded file: its path as loaded or its name (payments.csv)"
    )
    quarantine.add_argument("--table", choices=warehouse.SOURCE_TABLES)
    quarantine.add_argument(
        "--export",
        metavar="PATH",
        help="also write the matching rows to PATH (.csv, formulas neutralised, or .parquet)",
    )
    quarantine.add_argument("--show", type=int, default=50, help="groups to print (default 50)")
    quarantine.set_defaults(run=cmd_quarantine)

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
    model_commands.add_parser(sub, common)
    challenger_commands.add_parser(sub, common)
    alert_commands.add_parser(sub, common)
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
