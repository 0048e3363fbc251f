"""Challenger policies: read one, score the warehouse's month-end history under it without touching
the live warehouse, and promote it to the policy in force.

A challenger is any policy file (uploaded, fitted by `python -m data model fit`, saved from What-if
or kept in the folder of saved policies). Scoring copies the warehouse file to a private temporary
folder and runs the build's core steps (data.build) there with the challenger, on the as-of
date of the live build, so the challenger's scores, grades, PD, EL and watchlist come from exactly
the SQL the champion's came from. The copy is removed afterwards; results are kept in memory per
(warehouse file version, policy text hash).

Promotion writes the policy file every build reads by default (data.policy.DEFAULT_POLICY,
data/policy.toml), after keeping the file it replaces in policy_archive/ next to it: the next build
or load uses it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
import tomllib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from data import policy as policy_file
from data import warehouse
from data.policy import FACTORS, SCORECARD_FACTORS, Policy, PolicyError, in_force

Progress = Callable[[str, int, int], None]
# Folder of saved policies the Model page offers ($RISK_POLICY_DIR, else data/policies).
DEFAULT_POLICY_DIR = Path(__file__).resolve().parent / "policies"
# Results kept in memory: one per (warehouse version, policy); a demo-sized history is a few MB.
CACHE_ENTRIES = 4
# The columns of customer_month a comparison reads, per model.
SCORE_COLUMNS = (
    "customer_id",
    "as_of",
    "segment",
    "region",
    "industry",
    "exposure",
    "score",
    "grade",
    "band",
    "grade_pd",
    "pd",
    "expected_loss",
    "defaulted",
    "default_12m",
    "on_watchlist",
)


def policy_dir() -> Path:
    """The folder of saved policies: $RISK_POLICY_DIR, else data/policies."""
    env = os.environ.get("RISK_POLICY_DIR")
    return Path(env) if env else DEFAULT_POLICY_DIR


def saved_policies(folder: Path | None = None) -> list[Path]:
    """The *.toml files of the saved-policies folder, by name (empty when it does not exist)."""
    where = folder if folder is not None else policy_dir()
    return sorted(where.glob("*.toml")) if where.is_dir() else []


def read_challenger(text: str | bytes) -> Policy:
    """The validated policy of a file's text; PolicyError naming the offending key otherwise
    ("policy" when the text is not TOML at all)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PolicyError("policy", "not UTF-8 text") from exc
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError("policy", f"not valid TOML: {exc}") from exc
    return Policy.from_dict(raw)


def policy_hash(policy: Policy) -> str:
    """SHA-256 (hex) of the policy's values as JSON with sorted keys: equal policies, equal
    hash, whatever the comments or order of the file they came from."""
    canonical = json.dumps(policy.to_dict(), sort_keys=True, default=repr)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def factor_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The factor score columns (`<factor>_score`, 0-100) customer_month holds, in FACTORS order."""
    present = {
        r[0]
        for r in con.sql(
            "select column_name from information_schema.columns where table_name = 'customer_month'"
        ).fetchall()
    }
    return [f"{f}_score" for f in FACTORS if f"{f}_score" in present]


def month_end_scores(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """SCORE_COLUMNS and the factor scores of every customer_month row at a month-end (the as-of
    date of the build is a month-end by construction), oldest first; with a binned scorecard
    also each binned factor's points as `<factor>_points` (cm_scorecard)."""
    columns = ", ".join([*SCORE_COLUMNS, *factor_columns(con)])
    scores = con.sql(
        f"select {columns} from customer_month where as_of = last_day(as_of) "  # noqa: S608 - names from constants and the catalogue
        "order by as_of, customer_id"
    ).pl()
    try:
        points = con.sql(
            "select customer_id, as_of, factor, points from cm_scorecard"
            " where as_of = last_day(as_of)"
        ).pl()
    except duckdb.CatalogException:  # built before scorecards existed: no binned factor
        return scores
    if points.is_empty():
        return scores
    wide = points.pivot(on="factor", index=["customer_id", "as_of"], values="points")
    binned = [f for f in SCORECARD_FACTORS if f in wide.columns]  # the policy's order
    wide = wide.select("customer_id", "as_of", *binned).rename({f: f"{f}_points" for f in binned})
    return scores.join(wide, on=["customer_id", "as_of"], how="left", maintain_order="left")


def built_as_of(con: duckdb.DuckDBPyConnection):
    """The as-of date of the warehouse's last build (None before any build)."""
    rows = con.sql("select as_of from warehouse_state").fetchall()
    return rows[0][0] if rows else None


@dataclass(frozen=True)
class Scored:
    """One model's month-end history: `scores` (month_end_scores' columns), the policy it was
    built with, and the warehouse version it came from."""

    policy: Policy
    scores: pl.DataFrame
    version: tuple[int, int] | None


_cache: OrderedDict[tuple, Scored] = OrderedDict()
_cache_lock = threading.Lock()


def champion(db: str | os.PathLike[str] | None = None) -> Scored:
    """The live warehouse's own history: the policy in force (as built) and its scores."""

    version = warehouse.file_version(db)
    key = ("champion", str(warehouse.db_path(db)), version)
    with _cache_lock:
        if key in _cache:
            return _cache[key]
    con = warehouse.connect(db, read_only=True)
    try:
        found = Scored(in_force(con), month_end_scores(con), version)
    finally:
        con.close()
    _remember(key, found)
    return found


def challenger(
    policy: Policy,
    db: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
) -> Scored:
    """The warehouse's month-end history rebuilt under `policy` in a temporary copy, as of the
    live build's as-of date, by the build's own core steps (data.build.CORE_STEPS, the SQL that
    made the champion's customer_month); the live file is only read. `progress(label, done,
    total)` follows the copy and each step."""
    from data.build import CORE_STEPS, step_params
    from data.runner import execute

    source = warehouse.db_path(db)
    version = warehouse.file_version(source)
    key = ("challenger", str(source), version, policy_hash(policy))
    with _cache_lock:
        if key in _cache:
            if progress is not None:
                progress("challenger done", 1, 1)
            return _cache[key]
    if version is None:
        raise FileNotFoundError(f"no warehouse at {source}")
    with tempfile.TemporaryDirectory(prefix="challenger-") as folder:
        copy = Path(folder) / "warehouse.duckdb"
        if progress is not None:
            progress("challenger copy", 0, len(CORE_STEPS) + 1)
        # A writer swaps a whole new file in (os.replace): the copy reads one complete file.
        shutil.copyfile(source, copy)
        con = warehouse.connect(copy)
        try:
            as_of = built_as_of(con)
            params = step_params(as_of, policy)
            # The build's core steps, up to customer_month and the score explanation: the tables
            # built on customer_month (concentration, collections, ...) do not change a score.
            for done, (step, _table) in enumerate(CORE_STEPS):
                if progress is not None:
                    progress(
                        f"challenger {step.removeprefix('build_')}", done + 1, len(CORE_STEPS) + 1
                    )
                execute(con, step, **params)
            scores = month_end_scores(con)
        finally:
            con.close()
    found = Scored(policy, scores, version)
    _remember(key, found)
    return found


def _remember(key: tuple, found: Scored) -> None:
    with _cache_lock:
        _cache[key] = found
        _cache.move_to_end(key)
        while len(_cache) > CACHE_ENTRIES:
            _cache.popitem(last=False)


def clear_cache() -> None:
    """Forget every scored history (tests)."""
    with _cache_lock:
        _cache.clear()


@dataclass(frozen=True)
class Promotion:
    """What a promotion wrote: the policy file now in force and the archived previous file."""

    path: Path
    archived: Path | None


def promote(
    policy: Policy,
    who: str,
    role: str | None = None,
    source: str = "",
    db: str | os.PathLike[str] | None = None,
) -> Promotion:
    """Write `policy` as the policy file builds read (data.policy.DEFAULT_POLICY), keeping the file it
    replaces as <archive>/policy-<UTC timestamp>.toml next to it, and record who promoted it in
    the audit log of warehouse `db` (default: the main one; action policy_promote; always written,
    whether or not access control is on).
    The next build or load uses it; the warehouse is not rebuilt here."""
    from data import audit

    target = Path(policy_file.DEFAULT_POLICY)  # looked up now: tests point it elsewhere
    archived = None
    if target.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        archive = target.parent / "policy_archive"
        archive.mkdir(parents=True, exist_ok=True)
        archived = archive / f"{target.stem}-{stamp}.toml"
        shutil.copy2(target, archived)
    header = (
        f"# Promoted by {audit.escape_text(who)} on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
        + (f" from {audit.escape_text(source)}" if source else "")
        + "\n"
    )
    staging = target.with_name(f"{target.name}.{os.getpid()}.staging")
    staging.write_text(header + policy.to_toml(), encoding="utf-8")
    os.replace(staging, target)  # a build reading the file meets the old or the new one, whole
    audit.record(
        "policy_promote",
        who=who,
        role=role,
        detail=f"{policy.name} (version {policy.version}) -> {target}"
        + (f"; previous kept as {archived.name}" if archived else ""),
        path=audit.audit_path(db=db),
    )
    return Promotion(target, archived)
