"""`python -m data model report --challenger FILE --out report.html [--lang zh]`: the champion /
challenger model report (dashboard/components/model_report.py) as one self-contained HTML file."""

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


def cmd_report(args: argparse.Namespace) -> int:
    from data import challenger, warehouse
    from data.__main__ import progress_bar
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
