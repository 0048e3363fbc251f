"""`python -m data model fit`: fit a challenger scorecard on the warehouse's history (data/model_fit.py)
and write it as a policy file that `python -m data build --policy FILE` accepts."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

EXIT_OK, EXIT_REFUSED = 0, 2


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from exc


def _shares(text: str) -> dict[str, float]:
    shares: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        grade, sep, value = part.partition("=")
        try:
            if not sep:
                raise ValueError
            shares[grade.strip().upper()] = float(value)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(
                f"expected GRADE=SHARE pairs such as A=0.6,B=0.25, got {part!r}"
            ) from exc
    return shares


def add_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `model fit` to the python -m data command line."""
    from data.model_fit import TARGETS

    parser = sub.add_parser("model", help="fit a challenger scorecard on the warehouse's history")
    actions = parser.add_subparsers(dest="model_command", required=True)
    fit = actions.add_parser(
        "fit",
        parents=[common],
        help="optimal monotone binning, WoE and a logistic regression (CV grouped by customer), "
        "validated out of time; writes a policy TOML",
    )
    fit.add_argument("--target", choices=TARGETS, default="default_12m")
    fit.add_argument(
        "--train-until",
        type=_date,
        metavar="DATE",
        help="last month-end of the training window (default: --holdout-months before the last)",
    )
    fit.add_argument(
        "--holdout-months",
        type=int,
        default=12,
        metavar="N",
        help="out-of-time month-ends after the training window (default 12)",
    )
    fit.add_argument("--seed", type=int, default=0, help="seed of the cross-validation folds")
    fit.add_argument(
        "--grade-shares",
        type=_shares,
        metavar="A=0.6,B=0.25,...",
        help="the grade shares the cut-offs give the training window's month-ends (adding up "
        "to 1; default: the shares the policy in force gives them, in default or not)",
    )
    fit.add_argument(
        "--out", metavar="FILE", default="fitted_policy.toml", help="policy file to write"
    )
    fit.set_defaults(run=cmd_fit)


def cmd_fit(args: argparse.Namespace) -> int:
    from data import warehouse
    from data.model_fit import FitError, fit_scorecard
    from data.policy import in_force
    from data.runner import run

    if args.holdout_months < 1:
        print("--holdout-months must be at least 1", file=sys.stderr)
        return EXIT_REFUSED
    with warehouse.connect(args.db, read_only=True) as con:
        base = in_force(con)
        frame = run(con, "model_fit_frame")
        grading = run(con, "model_fit_grading")
    try:
        result = fit_scorecard(
            frame,
            base,
            target=args.target,
            train_until=args.train_until,
            holdout_months=args.holdout_months,
            seed=args.seed,
            grading=grading,
            grade_shares=args.grade_shares,
        )
    except FitError as err:
        print(f"refused: {err}", file=sys.stderr)
        return EXIT_REFUSED
    Path(args.out).write_text(result.policy.to_toml(), encoding="utf-8")
    print(result.summary())
    print(f"wrote {args.out}; apply it with: python -m data build --policy {args.out}")
    return EXIT_OK
