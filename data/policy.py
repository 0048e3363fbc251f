"""The credit-control policy: load, validate, write back, and the scoring rules the build SQL mirrors.

Scores are 0-100 (higher = riskier); shares, PD and LGD are 0-1; periods are days or months as named.
"""

from __future__ import annotations

import bisect
import json
import math
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb
    import polars as pl

DEFAULT_POLICY = Path(__file__).resolve().parent / "policy.toml"

FACTORS: dict[str, str] = {
    "dpd": "Payment delay: max days past due now, capped",
    "late": "Late payments: share of payments due in the last 12 months not paid in full on time",
    "rating": "External rating: agency grade mapped to a score (unrated has its own score)",
    "utilisation": "Limit utilisation: exposure / credit limit, capped",
    "operational": "Operational events over the look-back, severity-weighted",
    "legal": "Legal events over the look-back, severity-weighted",
}
# Factors a scorecard may bin ([scorecard] in the policy file): cm_behaviour columns, each at a
# grid date t from what is dated on or before t (docs/data_dictionary.md defines them). Points
# are added in this order.
SCORECARD_FACTORS: dict[str, str] = {
    "max_dpd": "Max days past due now",
    "late_share_12m": "Share of payments due in the last 12 months not paid in full on time",
    "utilisation": "Exposure / credit limit in force (no limit: missing)",
    "rating_rank": "External rating as a rank, 1 = AAA ... 10 = D (unrated: missing)",
    "months_delinquent_3m": "Month-ends with max DPD > 0 among the last 3",
    "months_delinquent_6m": "Month-ends with max DPD > 0 among the last 6",
    "months_delinquent_12m": "Month-ends with max DPD > 0 among the last 12",
    "months_since_late": "Month-ends since the last one with max DPD > 0 (never late: missing)",
    "worst_dpd_12m": "Worst max DPD over the last 12 month-ends",
    "paid_to_billed_3m": "Payments received / amounts billed over the last 3 months",
    "paid_to_billed_6m": "Payments received / amounts billed over the last 6 months",
    "paid_to_billed_trend": "Paid-to-billed over the last 3 months minus the 3 months before",
    "exposure_trend_6m": "Relative change of exposure over 6 month-ends",
    "utilisation_trend_6m": "Change of limit utilisation over 6 month-ends",
    "limit_increases_12m": "Month-ends whose credit limit rose, among the last 12",
    "limit_cuts_12m": "Month-ends whose credit limit fell, among the last 12",
    "credit_events_12m": "Credit events in the last 365 days",
    "operational_events_12m": "Operational events in the last 365 days",
    "legal_events_12m": "Legal events in the last 365 days",
}
GRADES = ("A", "B", "C", "D", "E")
BANDS = ("Low", "Medium", "High")
RATINGS = ("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C", "D")
SEVERITIES = (1, 2, 3, 4, 5)
# Roles that may hold approval authority (data.users.ROLES; not imported: the policy loads without
# the access-control dependencies).
AUTHORITY_ROLES = ("executive", "analyst", "admin")
# How the collections worklist is ranked (queries/worklist.py): expected loss x days past due,
# overdue amount, or days past due.
RANKINGS = ("el_x_dpd", "overdue_amount", "dpd")
# IFRS 9 ([provisions]): what may move a loan to stage 2, how lifetime PD is derived, how ECL is
# discounted (docs/data_dictionary.md, data/sql/build_ecl_month.sql).
STAGE2_TRIGGERS = ("dpd_backstop", "downgrade", "watchlist")
LIFETIME_PD_METHODS = ("constant_hazard",)
DISCOUNTING = ("contract_rate", "none")
FORWARD_LOOKING_RANGE = (0.5, 2.0)
UNLIMITED = math.inf
# Sections added after policy 2026.2: a file (or a warehouse's stored policy_in_force) written
# before them reads with these values, the ones data/policy.toml ships.
OPTIONAL_SECTIONS: dict[str, dict[str, Any]] = {
    "authority": {"analyst": 1_000_000.0, "admin": "unlimited"},
    "collections": {"ranking": "el_x_dpd"},
    "scorecard": {},
    "provisions": {
        "lookback_months": 36,
        "aging_edges_days": [0, 30, 60, 90],
        "probation_months": 3,
        "lifetime_pd": "constant_hazard",
        "lifetime_floor_months": 12,
        "discount": "contract_rate",
        "stage2": {
            "triggers": ["dpd_backstop", "downgrade", "watchlist"],
            "dpd_backstop_days": 30,
            "downgrade_grades": 2,
        },
        "forward_looking": {},
    },
    "freshness": {"max_age_days": 45},
}


class PolicyError(ValueError):
    """A policy that cannot be used; `key` is the dotted name of the offending entry."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key


@dataclass(frozen=True)
class FactorParams:
    dpd_cap_days: int
    utilisation_cap: float
    event_lookback_days: int
    rating_scores: Mapping[str, float]  # agency grade (and "unrated") -> score 0-100
    severity_points: Mapping[int, float]  # event severity 1-5 -> points


@dataclass(frozen=True)
class PdParams:
    floor: float
    min_observations: int  # observations every grade needs before its observed rates may rank
    prior_weight: float  # weight of the prior PD, in observations
    prior: Mapping[str, float]  # grade -> prior PD (the estimate without history)


@dataclass(frozen=True)
class LgdParams:
    unsecured: float  # prior LGD without collateral
    haircut: float
    floor: float
    prior_weight: float  # weight of `unsecured` against observed losses, in written-off rows
    min_observations: int  # written-off rows a segment needs before its observed LGD is used


@dataclass(frozen=True)
class WatchlistParams:
    dpd: int
    downgrade_notches: int
    downgrade_months: int
    utilisation: float
    event_lookback_days: int
    operational_severity: int
    single_name_share: float


@dataclass(frozen=True)
class DefaultParams:
    dpd: int
    cure_months: int  # consecutive clean month-ends that end a default
    cure_dpd: int  # a clean month-end has max DPD at most this (and no default event, no write-off)


@dataclass(frozen=True)
class ControlAction:
    review_frequency_months: int
    limit_action: str
    collateral_required: bool
    prepayment_required: bool


@dataclass(frozen=True)
class FactorBins:
    """A binned scorecard factor: bin 1 holds values below edges[0], bin i holds
    edges[i-2] <= value < edges[i-1], the last bin values from edges[-1] on; points[i-1] are the
    score points of bin i, `missing` those of a customer-month without a value."""

    edges: tuple[float, ...]
    points: tuple[float, ...]
    missing: float

    def points_for(self, value: float | None) -> float:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return self.missing
        return self.points[bisect.bisect_right(self.edges, value)]


@dataclass(frozen=True)
class CollectionsParams:
    ranking: str  # one of RANKINGS


@dataclass(frozen=True)
class ForwardLooking:
    factor: float  # multiplies an industry's historical loss rates (FORWARD_LOOKING_RANGE)
    reason: str  # why, shown on the Provisions page


@dataclass(frozen=True)
class Stage2Params:
    triggers: tuple[str, ...]  # STAGE2_TRIGGERS in force
    dpd_backstop_days: int  # dpd_backstop: the loan's max DPD above this
    downgrade_grades: int  # downgrade: this many grades worse than at origination (first rating)


@dataclass(frozen=True)
class ProvisionParams:
    lookback_months: int  # months of roll rates and net write-offs behind a loss rate
    aging_edges_days: tuple[int, ...]  # upper DPD of each bucket but the last: 0 = current
    probation_months: int  # clean month-ends before a stage-2 loan returns to stage 1
    lifetime_pd: str  # LIFETIME_PD_METHODS
    lifetime_floor_months: int  # lifetime horizon never shorter than this
    discount: str  # DISCOUNTING
    stage2: Stage2Params
    # industry -> factor and reason; an industry not listed has factor 1
    forward_looking: Mapping[str, ForwardLooking] = field(
        default_factory=lambda: MappingProxyType({})
    )


# --- validation helpers: each returns a checker (value, dotted key) -> cleaned value -------------

Check = Callable[[Any, str], Any]


def _number(lo: float | None = 0.0, hi: float | None = None, integer: bool = False) -> Check:
    def check(value: Any, key: str) -> int | float:
        kinds = (int,) if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds) or not math.isfinite(value):
            raise PolicyError(
                key, f"expected {'an integer' if integer else 'a number'}, got {value!r}"
            )
        if lo is not None and value < lo:
            what = "negative" if lo == 0 else f"below {lo}"
            raise PolicyError(key, f"must not be {what}, got {value!r}")
        if hi is not None and value > hi:
            raise PolicyError(key, f"must be at most {hi}, got {value!r}")
        return int(value) if integer else float(value)

    return check


def _text(value: Any, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PolicyError(key, f"expected a non-empty string, got {value!r}")
    return value


def _flag(value: Any, key: str) -> bool:
    if not isinstance(value, bool):
        raise PolicyError(key, f"expected true or false, got {value!r}")
    return value


def _table(spec: Mapping[str, Check]) -> Check:
    def check(value: Any, key: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise PolicyError(key or "policy", "expected a table")
        prefix = f"{key}." if key else ""
        for name in value:
            if name not in spec:
                raise PolicyError(f"{prefix}{name}", "unknown key")
        for name in spec:
            if name not in value:
                raise PolicyError(f"{prefix}{name}", "missing key")
        return {name: inner(value[name], f"{prefix}{name}") for name, inner in spec.items()}

    return check


def _authority_amount(value: Any, key: str) -> float:
    # "unlimited" in the file, inf once written back by to_toml/flat (both read as UNLIMITED).
    if value == "unlimited" or (isinstance(value, float) and value == math.inf):
        return UNLIMITED
    return _number()(value, key)


def _authority(value: Any, key: str) -> dict[str, float]:
    if not isinstance(value, dict):
        raise PolicyError(key, "expected a table")
    for role in value:
        if role not in AUTHORITY_ROLES:
            raise PolicyError(
                f"{key}.{role}", f"unknown role (expected one of {', '.join(AUTHORITY_ROLES)})"
            )
    return {role: _authority_amount(value[role], f"{key}.{role}") for role in value}


def _ranking(value: Any, key: str) -> str:
    if value not in RANKINGS:
        raise PolicyError(key, f"unknown ranking {value!r} (expected one of {', '.join(RANKINGS)})")
    return value


def _band(value: Any, key: str) -> str:
    if value not in BANDS:
        raise PolicyError(key, f"unknown band {value!r} (expected one of {', '.join(BANDS)})")
    return value


def _numbers(check: Check) -> Check:
    def checked(value: Any, key: str) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise PolicyError(key, f"expected a list of numbers, got {value!r}")
        return tuple(check(v, f"{key}[{i}]") for i, v in enumerate(value))

    return checked


def _scorecard(value: Any, key: str) -> dict[str, dict[str, Any]]:
    if not isinstance(value, dict):
        raise PolicyError(key, "expected a table")
    out: dict[str, dict[str, Any]] = {}
    for name in SCORECARD_FACTORS:  # kept in vocabulary order: the order points are added in
        if name in value:
            bins = _table(
                {"edges": _numbers(_number(None)), "points": _numbers(SCORE), "missing": SCORE}
            )(value[name], f"{key}.{name}")
            edges = bins["edges"]
            if any(b <= a for a, b in zip(edges, edges[1:], strict=False)):
                raise PolicyError(f"{key}.{name}.edges", f"must rise strictly, got {list(edges)}")
            if len(bins["points"]) != len(edges) + 1:
                raise PolicyError(
                    f"{key}.{name}.points",
                    f"expected {len(edges) + 1} points (one more than edges), "
                    f"got {len(bins['points'])}",
                )
            out[name] = bins
    for name in value:
        if name not in SCORECARD_FACTORS:
            raise PolicyError(f"{key}.{name}", "unknown scorecard factor")
    return out


def _choice(options: tuple[str, ...], what: str) -> Check:
    def check(value: Any, key: str) -> str:
        if value not in options:
            raise PolicyError(
                key, f"unknown {what} {value!r} (expected one of {', '.join(options)})"
            )
        return value

    return check


def _triggers(value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise PolicyError(key, f"expected a list of trigger names, got {value!r}")
    checked = tuple(
        _choice(STAGE2_TRIGGERS, "trigger")(v, f"{key}[{i}]") for i, v in enumerate(value)
    )
    if len(set(checked)) != len(checked):
        raise PolicyError(key, f"lists a trigger twice: {value!r}")
    return checked


def _aging_edges(value: Any, key: str) -> tuple[int, ...]:
    edges = _numbers(_number(0, integer=True))(value, key)
    if not edges or edges[0] != 0:
        raise PolicyError(key, f"must start at 0 (the current bucket), got {value!r}")
    if any(b <= a for a, b in zip(edges, edges[1:], strict=False)):
        raise PolicyError(key, f"must rise strictly, got {value!r}")
    return edges


def _forward_looking(value: Any, key: str) -> dict[str, dict[str, Any]]:
    if not isinstance(value, dict):
        raise PolicyError(key, "expected a table")
    lo, hi = FORWARD_LOOKING_RANGE
    out = {}
    for industry, entry in value.items():
        if "." in industry:
            raise PolicyError(f"{key}.{industry}", "an industry name must not contain a dot")
        out[industry] = _table({"factor": _number(lo, hi), "reason": _text})(
            entry, f"{key}.{industry}"
        )
    return out


SCORE, SHARE, COUNT = _number(0, 100), _number(0, 1), _number(0, integer=True)
_BY_TYPE: dict[str, Check] = {"int": COUNT, "float": _number(), "str": _text, "bool": _flag}


def _fields(cls: type, **overrides: Check) -> Check:
    """A table checker for a flat dataclass: by default integers and numbers must be >= 0."""
    return _table({f.name: overrides.get(f.name, _BY_TYPE[str(f.type)]) for f in fields(cls)})


_SPEC = _table(
    {
        "version": _text,
        "name": _text,
        "weights": _table({f: SHARE for f in FACTORS}),
        "factors": _table(
            {
                "dpd_cap_days": _number(1, integer=True),
                "utilisation_cap": _number(1e-9),
                "event_lookback_days": _number(1, integer=True),
                "rating_scores": _table({r: SCORE for r in (*RATINGS, "unrated")}),
                "severity_points": _table({str(s): _number() for s in SEVERITIES}),
            }
        ),
        "grades": _table({g: SCORE for g in GRADES[1:]}),
        "bands": _table({g: _band for g in GRADES}),
        "pd": _table(
            {
                "floor": SHARE,
                "min_observations": COUNT,
                "prior_weight": _number(),
                "prior": _table({g: SHARE for g in GRADES}),
            }
        ),
        "lgd": _fields(LgdParams, unsecured=SHARE, haircut=SHARE, floor=SHARE),
        "watchlist": _fields(WatchlistParams, single_name_share=SHARE),
        "default": _fields(DefaultParams, cure_months=_number(1, integer=True)),
        "controls": _table({b: _fields(ControlAction) for b in BANDS}),
        "authority": _authority,
        "collections": _table({"ranking": _ranking}),
        "scorecard": _scorecard,
        "provisions": _table(
            {
                "lookback_months": _number(1, 120, integer=True),
                "aging_edges_days": _aging_edges,
                "probation_months": COUNT,
                "lifetime_pd": _choice(LIFETIME_PD_METHODS, "lifetime PD method"),
                "lifetime_floor_months": _number(1, integer=True),
                "discount": _choice(DISCOUNTING, "discounting"),
                "stage2": _table(
                    {
                        "triggers": _triggers,
                        "dpd_backstop_days": COUNT,
                        "downgrade_grades": _number(1, 4, integer=True),
                    }
                ),
                "forward_looking": _forward_looking,
            }
        ),
        "freshness": _table({"max_age_days": _number(1, 3660, integer=True)}),
    }
)


# Entries whose values are text (flat() stores them unquoted).
_TEXT_KEYS = frozenset(
    ["version", "name", *(f"bands.{g}" for g in GRADES)]
    + [f"controls.{b}.limit_action" for b in BANDS]
    + ["collections.ranking", "provisions.lifetime_pd", "provisions.discount"]
)


def _is_text_key(key: str) -> bool:
    return key in _TEXT_KEYS or (
        key.startswith("provisions.forward_looking.") and key.endswith(".reason")
    )


def _frozen(mapping: Mapping[Any, Any]) -> Mapping[Any, Any]:
    return MappingProxyType(dict(mapping))


def _plain(node: Any) -> Any:
    """Dataclasses and mappings as nested dicts with text keys (severity 1 -> "1"), tuples as lists,
    values as is."""
    if is_dataclass(node):
        return {f.name: _plain(getattr(node, f.name)) for f in fields(node)}
    if isinstance(node, Mapping):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, tuple):  # lists as the TOML file has them, so from_dict reads them back
        return [_plain(v) for v in node]
    return node


@dataclass(frozen=True)
class Policy:
    """A validated policy. Mappings are read-only; build with `from_dict` or `load_policy`."""

    version: str
    name: str
    weights: Mapping[str, float]  # factor -> weight, summing to 1
    factors: FactorParams
    grades: Mapping[str, float]  # grade B..E -> lowest score of that grade
    bands: Mapping[str, str]  # grade -> band
    pd: PdParams
    lgd: LgdParams
    watchlist: WatchlistParams
    default: DefaultParams
    controls: Mapping[str, ControlAction]  # band -> action
    # role -> the highest credit limit (reporting currency) it may approve; UNLIMITED for no
    # ceiling; a role not listed approves nothing (see approval_authority)
    authority: Mapping[str, float]
    collections: CollectionsParams
    # binned factor -> its bins and points (SCORECARD_FACTORS order); empty: the score is the
    # weighted sum alone
    scorecard: Mapping[str, FactorBins] = field(default_factory=lambda: MappingProxyType({}))
    provisions: ProvisionParams | None = None  # always set by from_dict
    # freshness.max_age_days: every page warns when the data reaches a month-end older than this
    freshness: Mapping[str, int] = field(
        default_factory=lambda: MappingProxyType(OPTIONAL_SECTIONS["freshness"])
    )

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Policy:
        """Validate a parsed policy file; raises PolicyError naming the first offending key.

        The sections of OPTIONAL_SECTIONS may be left out (policies written before them)."""
        if isinstance(raw, Mapping):
            raw = {**OPTIONAL_SECTIONS, **raw}
            # no forward-looking adjustment is an empty table, which flat() does not write
            if (
                isinstance(raw["provisions"], Mapping)
                and "forward_looking" not in raw["provisions"]
            ):
                raw["provisions"] = {**raw["provisions"], "forward_looking": {}}
        d = _SPEC(raw, "")
        total = sum(d["weights"].values())
        card = d["scorecard"]
        if not card and abs(total - 1.0) > 1e-9:
            raise PolicyError("weights", f"must sum to 1, got {total!r}")
        # with a scorecard: weighted factors and the most points of every binned factor fit 0-100
        most = 100 * total + sum(max(*b["points"], b["missing"]) for b in card.values())
        if card and most > 100 + 1e-6:
            raise PolicyError(
                "scorecard",
                f"100 x the sum of weights plus the highest points of each binned factor must be "
                f"at most 100, got {most!r}",
            )
        cuts = [d["grades"][g] for g in GRADES[1:]]
        for lower, upper, grade in zip(cuts, cuts[1:], GRADES[2:], strict=False):
            if upper <= lower:
                raise PolicyError(
                    f"grades.{grade}", f"cut-offs must rise strictly, got {upper} after {lower}"
                )
        f, p = d["factors"], d["pd"]
        return cls(
            version=d["version"],
            name=d["name"],
            weights=_frozen(d["weights"]),
            factors=FactorParams(
                dpd_cap_days=f["dpd_cap_days"],
                utilisation_cap=f["utilisation_cap"],
                event_lookback_days=f["event_lookback_days"],
                rating_scores=_frozen(f["rating_scores"]),
                severity_points=_frozen({int(s): v for s, v in f["severity_points"].items()}),
            ),
            grades=_frozen(d["grades"]),
            bands=_frozen(d["bands"]),
            pd=PdParams(p["floor"], p["min_observations"], p["prior_weight"], _frozen(p["prior"])),
            lgd=LgdParams(**d["lgd"]),
            watchlist=WatchlistParams(**d["watchlist"]),
            default=DefaultParams(**d["default"]),
            controls=_frozen({b: ControlAction(**c) for b, c in d["controls"].items()}),
            authority=_frozen(d["authority"]),
            collections=CollectionsParams(**d["collections"]),
            scorecard=_frozen({n: FactorBins(**b) for n, b in card.items()}),
            provisions=_provision_params(d["provisions"]),
            freshness=_frozen(d["freshness"]),
        )

    @classmethod
    def from_entries(cls, entries: Mapping[str, str]) -> Policy:
        """The policy whose `flat()` entries these are (as stored in the `policy_in_force` table)."""
        nested: dict[str, Any] = {}
        for key, text in entries.items():
            *path, leaf = key.split(".")
            node = nested
            for part in path:
                node = node.setdefault(part, {})
            # flat() keeps strings as they are and writes every other value as a TOML literal
            node[leaf] = text if _is_text_key(key) else tomllib.loads(f"v = {text}")["v"]
        return cls.from_dict(nested)

    def to_dict(self) -> dict[str, Any]:
        """The policy as plain nested values, shaped like the TOML file."""
        return _plain(self)

    def to_toml(self) -> str:
        """The policy as a TOML document that `load_policy` reads back to an equal Policy."""
        return _toml_table(self.to_dict(), [])

    def flat(self) -> dict[str, str]:
        """Every entry as dotted key -> text value (for the `policy_in_force` table)."""
        out: dict[str, str] = {}

        def walk(node: Mapping[str, Any], prefix: str) -> None:
            for key, value in node.items():
                if isinstance(value, Mapping):
                    walk(value, f"{prefix}{key}.")
                else:
                    out[f"{prefix}{key}"] = value if isinstance(value, str) else _toml_value(value)

        walk(self.to_dict(), "")
        return out

    def sql_params(self) -> dict[str, object]:
        """Flat named values bound as $params into the build SQL.

        No name is a prefix of another: the runner binds a parameter when `$name` occurs in the text.
        """
        f, wl = self.factors, self.watchlist
        params: dict[str, object] = {f"w_{k}": v for k, v in self.weights.items()}
        params |= {
            "dpd_cap_days": f.dpd_cap_days,
            "utilisation_cap": f.utilisation_cap,
            "event_lookback_days": f.event_lookback_days,
        }
        params |= {f"rating_{r.lower()}_score": v for r, v in f.rating_scores.items()}
        params |= {f"severity_{s}_points": v for s, v in f.severity_points.items()}
        params |= {f"cut_{g.lower()}": v for g, v in self.grades.items()}
        params |= {f"band_{g.lower()}": v for g, v in self.bands.items()}
        params |= {
            "pd_floor": self.pd.floor,
            "pd_min_observations": self.pd.min_observations,
            "pd_prior_weight": self.pd.prior_weight,
        }
        params |= {f"pd_prior_{g.lower()}": v for g, v in self.pd.prior.items()}
        params |= {f"lgd_{k}": v for k, v in vars(self.lgd).items()}
        params |= {f"wl_{k}": v for k, v in vars(wl).items()}
        params |= {
            "default_dpd": self.default.dpd,
            "cure_months": self.default.cure_months,
            "cure_dpd": self.default.cure_dpd,
        }
        return params

    def provision_params(self) -> dict[str, object]:
        """The [provisions] values bound into the ECL build steps (build_provision_matrix,
        build_ecl_month): forward-looking factors as two parallel lists."""
        p = self.provisions
        assert p is not None
        used = set(p.stage2.triggers)
        return {
            "prov_lookback_months": p.lookback_months,
            "prov_edges": list(p.aging_edges_days),
            "prov_probation_months": p.probation_months,
            "prov_floor_months": p.lifetime_floor_months,
            "prov_discounting": p.discount == "contract_rate",
            "prov_backstop_days": p.stage2.dpd_backstop_days,
            "prov_downgrade_grades": p.stage2.downgrade_grades,
            "prov_use_backstop": "dpd_backstop" in used,
            "prov_use_downgrade": "downgrade" in used,
            "prov_use_watchlist": "watchlist" in used,
            "flf_industries": list(p.forward_looking),
            "flf_factors": [f.factor for f in p.forward_looking.values()],
        }

    def scorecard_params(self) -> dict[str, list[Any]]:
        """The scorecard's bins as lists (one entry per bin) for the policy_bins build step."""
        rows: list[tuple[str, int, int, float | None, float | None, bool, float]] = []
        for position, (name, bins) in enumerate(self.scorecard.items(), start=1):
            bounds = [None, *bins.edges, None]
            for no, points in enumerate(bins.points, start=1):
                rows.append((name, position, no, bounds[no - 1], bounds[no], False, points))
            rows.append((name, position, 0, None, None, True, bins.missing))
        columns = ("factors", "positions", "bin_no", "lowers", "uppers", "is_missing", "points")
        return {f"scorecard_{c}": [r[i] for r in rows] for i, c in enumerate(columns)}

    # --- the scoring rules; data/sql/build_cm_scores.sql computes the same ------------------

    def dpd_score(self, max_dpd: int) -> float:
        """0-100: max days past due, linear up to the cap."""
        cap = self.factors.dpd_cap_days
        return 100 * float(min(max_dpd, cap)) / cap

    def late_score(self, late_payments: int, due_payments: int) -> float:
        """0-100: share of the payments due over 12 months that were late (0 when none were due)."""
        return 100 * float(late_payments) / due_payments if due_payments > 0 else 0.0

    def rating_score(self, rating: str | None) -> float:
        """0-100 for an agency grade; None means unrated."""
        return self.factors.rating_scores[rating if rating is not None else "unrated"]

    def utilisation_score(self, exposure: float, credit_limit: float) -> float:
        """0-100: exposure / limit, linear up to the cap; without a limit any exposure scores 100."""
        if credit_limit > 0:
            cap = self.factors.utilisation_cap
            return 100 * min(exposure / credit_limit, cap) / cap
        return 100.0 if exposure > 0 else 0.0

    def event_score(self, severities: Iterable[int]) -> float:
        """0-100: points of the events (by severity 1-5) in the look-back, capped at 100."""
        return min(100.0, sum(self.factors.severity_points[s] for s in severities))

    def scorecard_points(self, values: Mapping[str, float | None]) -> float:
        """The points of the binned factors (factor -> value, None when missing), added in the
        policy's factor order as the SQL adds them; 0 without a scorecard."""
        total = 0.0
        for name, bins in self.scorecard.items():
            total += bins.points_for(values.get(name))
        return total

    def score(
        self, factors: Mapping[str, float], behaviour: Mapping[str, float | None] | None = None
    ) -> float:
        """0-100: the weighted sum of the factor scores (factor name -> score 0-100), plus the
        scorecard points of the binned factors' values (`behaviour`, cm_behaviour columns)."""
        missing = set(self.weights) - set(factors)
        if missing:
            raise KeyError(f"missing factor scores: {sorted(missing)}")
        total = 0.0
        for name, weight in self.weights.items():  # FACTORS order, as the SQL adds them
            total += weight * factors[name]
        if self.scorecard:
            total += self.scorecard_points(behaviour or {})
        return total

    def grade(self, score: float) -> str:
        """'A'-'E': the highest grade whose lowest score the score reaches."""
        grade = "A"
        for candidate, lowest in self.grades.items():
            if score >= lowest:
                grade = candidate
        return grade

    def band(self, grade: str) -> str:
        """'Low', 'Medium' or 'High' for a grade."""
        return self.bands[grade]

    def approval_authority(self, role: str | None) -> float | None:
        """The highest credit limit (reporting currency) `role` may approve: UNLIMITED (inf) for
        no ceiling, None when the role holds no authority (it is not in [authority])."""
        return self.authority.get(role) if role is not None else None


def _provision_params(p: Mapping[str, Any]) -> ProvisionParams:
    s2 = p["stage2"]
    return ProvisionParams(
        lookback_months=p["lookback_months"],
        aging_edges_days=p["aging_edges_days"],
        probation_months=p["probation_months"],
        lifetime_pd=p["lifetime_pd"],
        lifetime_floor_months=p["lifetime_floor_months"],
        discount=p["discount"],
        stage2=Stage2Params(s2["triggers"], s2["dpd_backstop_days"], s2["downgrade_grades"]),
        forward_looking=_frozen({i: ForwardLooking(**f) for i, f in p["forward_looking"].items()}),
    )


def load_policy(path: str | Path | None = None) -> Policy:
    """Read and validate a policy file (default data/policy.toml)."""
    file = Path(path) if path else DEFAULT_POLICY
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(str(file), f"not valid TOML: {exc}") from exc
    return Policy.from_dict(raw)


def entries_in_force(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The policy the warehouse was built with, as (key, value) text entries (the build's
    policy_in_force table, data/sql/policy_in_force_entries.sql)."""
    from data.runner import run  # late: reading a policy file needs no warehouse

    return run(con, "policy_in_force_entries")


def in_force(con: duckdb.DuckDBPyConnection) -> Policy:
    """The policy the warehouse was built with, validated."""
    entries = entries_in_force(con)
    return Policy.from_entries(dict(zip(entries["key"], entries["value"], strict=True)))


# --- TOML writing (values are numbers, booleans and strings in nested tables) --------------------

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)  # repr of a finite float is valid TOML and reads back exactly
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    # JSON's string escapes are a subset of TOML basic-string escapes.
    return json.dumps(str(value), ensure_ascii=False)


def _toml_table(node: Mapping[str, Any], path: list[str]) -> str:
    lines = [
        f"{_toml_key(k)} = {_toml_value(v)}" for k, v in node.items() if not isinstance(v, Mapping)
    ]
    blocks = ["\n".join(lines)] if lines else []
    for key, value in node.items():
        if isinstance(value, Mapping):
            sub = [*path, key]
            blocks.append(f"[{'.'.join(_toml_key(k) for k in sub)}]\n{_toml_table(value, sub)}")
    return "\n\n".join(b.rstrip("\n") for b in blocks) + "\n"
