"""`python -m data model report --challenger FILE --out report.html [--lang zh]`: the champion /
challenger model report (dashboard/components/model_report.py) as one self-contained HTML file;
`python -m data model promote FILE --by NAME [--build]`: the challenger becomes the policy in force
(data/challenger.py promote: the policy file, its archive and the audit log), as the Model page's
promotion does."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_REFUSED = 0, 2


def _model_actions(sub: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The sub-commands of `python -m data model`, created when no other module made them."""
    model = sub.choices.get("model")
    if model is None:
        model = sub.add_parser("model", help="fit, compare and report scorecards")
        return model.add_subparsers(dest="model_command", required=True)
    for action in model._actions:  # noqa: SLF001 - argparse lists a parser's sub-commands only there
        if isinstance(action, argparse._SubParsersAction):
            return action
    return model.add_subparsers(dest="model_command", required=True)


def add_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `model report` to the python -m data command line."""
    report = _model_actions(sub).add_parser(
        "report",
        parents=[common],
        help="champion / challenger model report (HTML): the policy in force against FILE",
    )
    report.add_argument(
        "--challenger", required=True, metavar="FILE", help="the challenger policy TOML"
    )
    report.add_argument("--out", required=True, metavar="FILE", help="HTML file to write")
    report.add_argument("--lang", choices=["en", "zh"], default="en", help="report language")
    report.add_argument(
        "--oot-months",
        type=int,
        default=12,
        metavar="N",
        help="out-of-time months: the last N observation months (default 12)",
    )
    report.set_defaults(run=cmd_report)
    promote = _model_actions(sub).add_parser(
        "promote",
        parents=[common],
        help="make a challenger policy file the policy in force (archived, audited); the next "
        "build or load uses it",
    )
    promote.add_argument("file", metavar="FILE", help="the challenger policy TOML")
    promote.add_argument(
        "--by",
        required=True,
        metavar="NAME",
        help="who promotes it (recorded in the audit log with the policy's name and version)",
    )
    promote.add_argument(
        "--build", action="store_true", help="rebuild the warehouse (--db) with it right away"
    )
    promote.set_defaults(run=cmd_promote)


def cmd_promote(args: argparse.Namespace) -> int:
    from data import challenger, warehouse
    from data.policy import PolicyError

    try:
        policy = challenger.read_challenger(Path(args.file).read_bytes())
    except PolicyError as err:
        print(f"challenger refused: {err}", file=sys.stderr)
        return EXIT_REFUSED
    except OSError as err:
        print(f"challenger refused: cannot read {args.file}: {err.strerror}", file=sys.stderr)
        return EXIT_REFUSED
    who = args.by.strip()
    if not who:
        print("refused: --by must name who promotes the policy", file=sys.stderr)
        return EXIT_REFUSED
    if args.build and not warehouse.db_path(args.db).exists():
        print(f"refused: no warehouse at {warehouse.db_path(args.db)} to build", file=sys.stderr)
        return EXIT_REFUSED
    done = challenger.promote(
        policy, who=who, role="command line", source=Path(args.file).name, db=args.db
    )
    kept = f"; the previous policy is kept as {done.archived}" if done.archived else ""
    print(f"{policy.name} (version {policy.version}) is the policy in force: {done.path}{kept}")
    if not args.build:
        print("the next build or load uses it (python -m data build)")
        return EXIT_OK
    from commands.cli import cmd_build

    return cmd_build(
        argparse.Namespace(
            db=args.db,
            quiet=args.quiet,
            as_of=None,
            policy=None,
            engine="duckdb",
            master=None,
            out=None,
        )
    )


def cmd_report(args: argparse.Namespace) -> int:
    from commands.cli import progress_bar
    from data import challenger, warehouse
    from data.policy import PolicyError

    try:
        policy = challenger.read_challenger(Path(args.challenger).read_bytes())
    except PolicyError as err:
        print(f"challenger refused: {err}", file=sys.stderr)
        return EXIT_REFUSED
    except OSError as err:
        print(f"challenger refused: cannot read {args.challenger}: {err.strerror}", file=sys.stderr)
        return EXIT_REFUSED
    if args.oot_months < 1:
        print("--oot-months must be at least 1", file=sys.stderr)
        return EXIT_REFUSED
    path = warehouse.db_path(args.db)
    if not path.exists():
        print(f"no warehouse at {path} (build one with: python -m data demo)", file=sys.stderr)
        return EXIT_REFUSED
    from dashboard.components.model_report import report_html  # late: the dashboard's texts
    from queries import model_compare

    champion = challenger.champion(path)
    with progress_bar(not args.quiet) as progress:
        scored = challenger.challenger(policy, path, progress)
    weights = {"champion": dict(champion.policy.weights), "challenger": dict(policy.weights)}
    result = model_compare.compare(champion.scores, scored.scores, weights, args.oot_months)
    page = report_html(result, champion.policy, policy, lang=args.lang, warehouse_name=path.name)
    try:
        Path(args.out).write_text(page, encoding="utf-8")
    except OSError as err:
        print(f"refused: cannot write {args.out}: {err.strerror}", file=sys.stderr)
        return EXIT_REFUSED
    print(
        f"model report ({args.lang}) written to {args.out}: {champion.policy.name} against "
        f"{policy.name}; recommendation {result.verdict.recommendation}"
    )
    return EXIT_OK
