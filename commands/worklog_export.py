"""Export of the worklog for systems of record: python -m data worklog export.

    python -m data worklog export --out DIR [--format csv|parquet] [--user NAME] [--store PATH]

Writes one file per kind into DIR — reviews, decisions, contacts, promises, disputes (.csv or
.parquet; each written, empty or not) — with every version of every item, in item and version
order: item_id, kind, customer_id, alert_on, version, state, note, author, role, at (UTC),
problem, fields (the stored JSON object), and one column per field of the kind (its value as
text; lists and numbers as JSON). CSV is UTF-8 with a BOM and spreadsheet formulas neutralised,
as every export. `--user NAME` exports what that user of the access file may see (a
region-limited analyst: their regions' customers, read from the warehouse `--db`); without it,
everything (the command line runs with access to the files). The export is audited.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import polars as pl

from commands.users import _who
from data import audit, users, warehouse, worklog, worklog_access
from schemas.rules import escape_unsafe

EXIT_OK, EXIT_REFUSED = 0, 2
FORMATS = ("csv", "parquet")
FILES = {
    "review": "reviews",
    "decision": "decisions",
    "contact": "contacts",
    "promise": "promises",
    "dispute": "disputes",
}


def kind_frame(versions: pl.DataFrame, kind: str) -> pl.DataFrame:
    """The versions of one kind with a text column per field (JSON for non-text values)."""
    rows = versions.filter(pl.col("kind") == kind)
    parsed = [json.loads(text) if text else {} for text in rows["fields"].to_list()]
    keys = sorted({key for fields in parsed for key in fields})
    columns = {
        key: [
            None
            if key not in fields or fields[key] is None
            else fields[key]
            if isinstance(fields[key], str)
            else json.dumps(fields[key], ensure_ascii=False)
            for fields in parsed
        ]
        for key in keys
        if key not in rows.columns
    }
    return rows.with_columns(
        pl.Series(key, values, dtype=pl.String) for key, values in columns.items()
    )


def export(
    out: str | os.PathLike[str],
    fmt: str = "csv",
    user: users.User | None = None,
    db: str | os.PathLike[str] | None = None,
    store: str | os.PathLike[str] | None = None,
) -> dict[str, tuple[Path, int]]:
    """Write the worklog `store` (default: the main warehouse's) into folder `out` as described
    in the module docstring, limited to what `user` may see (None: everything). Returns kind ->
    (file, rows). WorklogError for a user who may not export, OSError for a folder that cannot
    be written."""
    from queries.worklist import scoped_versions  # late: the query layer reads the warehouse

    if fmt not in FORMATS:
        raise worklog.InvalidInput(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    folder = Path(out)
    con = None
    scope = None if user is None else worklog_access.require_names(user)
    if scope is not None and scope.regions is not None:
        # the customers' regions come from the warehouse
        con = warehouse.connect(warehouse.db_path(db), read_only=True)
    try:
        versions = scoped_versions(con, user, store)
    finally:
        if con is not None:
            con.close()
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, tuple[Path, int]] = {}
    for kind, name in FILES.items():
        frame = kind_frame(versions, kind)
        path = folder / f"{name}.{fmt}"
        if fmt == "csv":
            from data.export import to_csv  # no Streamlit in that module

            path.write_bytes(to_csv(frame))
        else:
            frame.write_parquet(path)
        written[kind] = (path, frame.height)
    return written


def cmd_export(args: argparse.Namespace) -> int:
    """python -m data worklog export: see the module docstring."""
    user = None
    if args.user:
        try:
            user = users.load_users(users.access_file_target(args.access_file)).get(args.user)
        except users.AccessFileError as err:
            print(f"refused: {escape_unsafe(str(err))}", file=sys.stderr)
            return EXIT_REFUSED
        if user is None:
            print(
                f"refused: no user {escape_unsafe(args.user)} in the access file", file=sys.stderr
            )
            return EXIT_REFUSED
    store = worklog.worklog_path(args.store, args.db)
    try:
        written = export(args.out, args.format, user=user, db=args.db, store=store)
    except worklog.WorklogError as err:
        print(f"refused: {escape_unsafe(str(err))}", file=sys.stderr)
        return EXIT_REFUSED
    except OSError as err:
        print(
            f"refused: cannot write {escape_unsafe(str(args.out))}: {err.strerror or err}",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    total = sum(rows for _, rows in written.values())
    for path, rows in written.values():
        print(escape_unsafe(f"  {path}: {rows:,} version{'' if rows == 1 else 's'}"))
    as_whom = f" as {args.user}" if args.user else ""
    print(escape_unsafe(f"worklog {store}{as_whom}: {total:,} versions written to {args.out}"))
    audit.record(
        "export",
        who=_who(),
        detail=f"worklog ({args.format}{as_whom}) -> {args.out}",
        rows=total,
        db=args.db,
    )
    return EXIT_OK


def add_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `worklog export` to the python -m data command line."""
    parser = sub.add_parser(
        "worklog", help="the worklog (alert reviews, credit decisions, collections) for export"
    )
    actions = parser.add_subparsers(dest="worklog_command", required=True)
    out = actions.add_parser(
        "export", parents=[common], help="write every version of every work item (CSV/Parquet)"
    )
    out.add_argument("--out", required=True, metavar="DIR", help="folder to write the files into")
    out.add_argument("--format", choices=FORMATS, default="csv")
    out.add_argument(
        "--user", metavar="NAME", help="export only what this user of the access file may see"
    )
    out.add_argument(
        "--access-file",
        help="access file (default: $RISK_ACCESS_FILE or access.toml at the repository root)",
    )
    out.add_argument(
        "--store",
        metavar="PATH",
        help="worklog file (default: $RISK_WORKLOG_DB or worklog.sqlite next to the warehouse)",
    )
    out.set_defaults(run=cmd_export)
