"""Command line for the access file: python -m data user {add,remove,list}.

    python -m data user add NAME --role ROLE [--regions R ...] [--email E]
           [--password-stdin | --no-password | --keep-password]
    python -m data user remove NAME
    python -m data user list

The password is read from a prompt (twice, not echoed) or, for scripts, from the first line of
standard input with --password-stdin; it is never an argument (arguments show in `ps` and shell
history). Only its argon2id hash is written.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from data import audit, users, warehouse

EXIT_OK, EXIT_REFUSED = 0, 2


def _who() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no user name in this environment
        return "cli"


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"password for {args.name}: ")
    if getpass.getpass("again: ") != first:
        raise users.AccessFileError("the two passwords differ")
    return first


def cmd_add(args: argparse.Namespace) -> int:
    path = users.access_file_target(args.access_file)
    try:
        existing = users.load_users(path).get(args.name)
        if args.keep_password:
            if existing is None or not existing.password_hash:
                raise users.AccessFileError(f"{args.name} has no password to keep")
            password_hash = existing.password_hash
        elif args.no_password:
            password_hash = None  # signs in through the identity provider only
        else:
            password_hash = users.hash_password(_password(args))
        regions = tuple(dict.fromkeys(args.regions or ()))
        known = users.warehouse_regions(args.db) if regions else None
        if known is not None and set(regions) - known:
            # The dashboard denies a user whose regions the warehouse does not know.
            unknown = ", ".join(sorted(set(regions) - known))
            raise users.AccessFileError(
                f"region(s) {unknown} unknown to the warehouse (it has {', '.join(sorted(known))})"
            )
        email = args.email if args.email is not None else (existing.email if existing else None)
        users.save_user(
            path,
            users.User(
                name=args.name,
                role=args.role,
                regions=regions,
                email=email or None,
                password_hash=password_hash,
            ),
        )
    except users.AccessFileError as err:
        print(f"refused: {err} (the access file is unchanged)", file=sys.stderr)
        return EXIT_REFUSED
    scope = f", regions {', '.join(regions)}" if regions else ""
    print(f"{'changed' if existing else 'added'} user {args.name} ({args.role}{scope}) in {path}")
    return EXIT_OK


def cmd_remove(args: argparse.Namespace) -> int:
    path = users.access_file_target(args.access_file)
    try:
        removed = users.remove_user(path, args.name)
    except users.AccessFileError as err:
        print(f"refused: {err}", file=sys.stderr)
        return EXIT_REFUSED
    if not removed:
        print(f"no user {args.name} in {path}", file=sys.stderr)
        return EXIT_REFUSED
    print(f"removed user {args.name} from {path}")
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    path = users.access_file_target(args.access_file)
    try:
        known = users.load_users(path)
    except users.AccessFileError as err:
        print(f"refused: {err}", file=sys.stderr)
        return EXIT_REFUSED
    if not known:
        print(f"no users in {path} (access control is off while the file does not exist)")
        return EXIT_OK
    for warning in users.file_warnings(path):
        print(f"warning: {warning}", file=sys.stderr)
    print(f"{len(known)} user(s) in {path}:")
    for name in sorted(known):
        user = known[name]
        if user.problems:
            # Never "all regions" for an entry that could not be read: it gets nothing.
            print(f"  {name:<24} DENIED     invalid entry: {'; '.join(user.problems)}")
            continue
        role = user.known_role or f"NO ROLE ({user.role!r})"
        regions = ", ".join(user.regions) or "all regions"
        sign_in = " + ".join(
            kind
            for kind, present in (("password", user.password_hash), ("oidc", user.email))
            if present
        )
        print(f"  {name:<24} {role:<10} {regions:<30} {sign_in or 'cannot sign in'}")
    return EXIT_OK


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add `user add|remove|list` to the python -m data command line."""
    user = sub.add_parser("user", help="dashboard users in the access file (roles, regions)")
    user.add_argument(
        "--access-file",
        help="access file (default: $RISK_ACCESS_FILE or access.toml at the repository root)",
    )
    actions = user.add_subparsers(dest="user_command", required=True)

    add = actions.add_parser("add", help="create a user or change one")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=users.ROLES)
    add.add_argument("--regions", nargs="+", metavar="REGION", help="limit to these regions")
    add.add_argument("--email", help="the user's account at the identity provider (st.login)")
    add.add_argument("--db", help="warehouse to check the regions against")
    how = add.add_mutually_exclusive_group()
    how.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    how.add_argument("--no-password", action="store_true", help="identity provider sign-in only")
    how.add_argument("--keep-password", action="store_true", help="change role or regions only")
    add.set_defaults(run=cmd_add)

    remove = actions.add_parser("remove", help="remove a user")
    remove.add_argument("name")
    remove.set_defaults(run=cmd_remove)

    listing = actions.add_parser("list", help="users, roles, regions and how they sign in")
    listing.set_defaults(run=cmd_list)


def record_load(what: str, rows: int | None, db: str | None) -> None:
    """Audit a load, build or demo from the command line (while access control is on)."""
    audit.record("load", who=_who(), detail=f"{what} -> {warehouse.db_path(db)}", rows=rows, db=db)
