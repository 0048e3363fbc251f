"""Calendar, scenario parameters and word lists of the demo-portfolio generator.

Every number that shapes the synthetic portfolio lives here, so the generator modules hold only
mechanics. Money is CNY; rates are per month unless a name says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

AS_OF_END = date(2026, 10, 31)
HISTORY_MONTHS = 36
HISTORY_START = date(2023, 11, 1)
POLICY_MONTH = date(2025, 11, 1)
# Contracts are also signed in the year before HISTORY_START so the book is seasoned when history
# opens (no ramp-up in the first snapshots); events and defaults happen only inside history.
WARMUP_MONTHS = 12
SIGNING_MONTHS = WARMUP_MONTHS + HISTORY_MONTHS
POLICY_INDEX = 24  # month index of POLICY_MONTH counted from HISTORY_START
SCENARIOS = ("manufacturer", "lender")
CURRENCY = "CNY"

INDUSTRIES = (
    "Manufacturing",
    "Retail",
    "Construction",
    "Logistics",
    "Technology",
    "Energy",
    "Agriculture",
    "Healthcare",
)
INDUSTRY_WEIGHTS = (0.22, 0.14, 0.12, 0.12, 0.12, 0.08, 0.09, 0.11)
REGIONS = ("North", "South", "East", "West", "Central")
REGION_WEIGHTS = (0.20, 0.22, 0.30, 0.12, 0.16)
RATINGS = ("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C", "D")
# Upper cut-offs of rating noise score for C, CC, CCC, B, BB, BBB, A, AA (AAA above the last).
RATING_CUTS = (-2.5, -2.0, -1.45, -0.75, 0.0, 0.8, 1.55, 2.1)

# Revenue in CNY: Pareto tail above a lognormal body gives a few very large names.
REVENUE_FLOOR = 1e7
REVENUE_ALPHA = 1.6
REVENUE_CAP = 1e10
LARGE_REVENUE, MID_REVENUE = 8e7, 2e7

# Latent quality = industry factor + idiosyncratic part, unit variance overall.
INDUSTRY_LOADING = 0.4
SIZE_LOADING = 0.15  # larger firms are a little stronger
WEAK_QUALITY = -0.43  # bottom third of a standard normal: the credit policy's "weak" customers

ANALYSTS = (
    "Chen Jing",
    "Wang Lei",
    "Li Na",
    "Zhang Wei",
    "Liu Yang",
    "Huang Min",
    "Zhao Qiang",
    "Wu Xiaoling",
    "Sun Hao",
    "Zhou Ting",
    "Anna Berg",
    "David Okafor",
)
OFFICERS = ("Xu Feng", "Gao Lin", "Ma Rui", "Hu Jun", "Maria Lopez")
COMMITTEE = "Credit Committee"

# Monthly default hazard = DEFAULT_BASE * exp(-DEFAULT_SLOPE * quality), times DOWNTURN_HAZARD in
# the downturn industry during the downturn: about 3 % a year overall, steeply rising as quality falls.
DEFAULT_BASE = 0.0025
DEFAULT_SLOPE = 1.1
DOWNTURN_HAZARD = 2.5
# Lateness: P(late) = logistic(LATE_LOGIT - LATE_SLOPE * quality + shifts); days late for late
# payers = LATE_SCALE * exp(-LATE_SCALE_SLOPE * quality) * multipliers * Exp(1), squashed below
# LATE_CAP so ordinary late payers never reach 90 days past due (that is reserved for defaulters).
LATE_LOGIT = -1.1
LATE_SLOPE = 0.9
LATE_SCALE = 12.0
LATE_SCALE_SLOPE = 0.45
LATE_CAP = 88.0
# Invoices due in the last PARTIAL_DAYS before the as-of date may be part-paid, the rest still open
# then (within 30 days past due); older part-payments have been settled.
PARTIAL_DAYS = 25
DOWNTURN_LATE = 1.7  # lateness scale multiplier in the downturn
POLICY_LATE = 0.62  # lateness scale multiplier after the policy change (faster collection)
STRESS_DAYS = 120  # payments due this close before a default are paid much later
STRESS_LATE = 2.5

# Cures: a share of the defaulters that file no bankruptcy pay their arrears late and then on time.
# The share rises a little with quality: CURE_SHARE * exp(CURE_QUALITY_SLOPE * quality), at most 0.9.
# Arrears are settled on one day, CURE_LAG_DAYS after the oldest unpaid row fell due (past 90 days
# at the month-end before, ahead of a write-off), by LONG_CURE_SHARE of the curers only after
# LONG_CURE_LAG_DAYS (their oldest rows were written off first, and the late payment of those is a
# recovery). Rows due after that are paid on time.
CURE_SHARE = 0.4
CURE_QUALITY_SLOPE = 0.3
CURE_LAG_DAYS = (125, 176)  # [low, high) days after the oldest unpaid due date
LONG_CURE_SHARE = 0.15
LONG_CURE_LAG_DAYS = (190, 261)

# Credit hold: no invoice is billed to a defaulter (that does not cure) more than this many days
# after it stopped paying; loan and lease instalments keep falling due.
CREDIT_HOLD_DAYS = 60

# Write-offs: the lender's / manufacturer's practice, not the risk policy. A row still unpaid this
# many days after its due date is written off (the unpaid remainder, dated due + WRITE_OFF_DAYS); a
# payment that arrives later is recorded as a recovery of the written-off row instead.
WRITE_OFF_DAYS = 180
# Recoveries on written-off rows: the share of rows with any (higher when the contract is secured),
# one or two payments RECOVERY_DELAY_DAYS after the write-off (the second that many days after the
# first), together a fraction of the written-off amount.
RECOVERY_SHARE = 0.3
SECURED_RECOVERY_SHARE = 0.55
RECOVERY_FRACTION = (0.1, 0.6)
SECURED_RECOVERY_FRACTION = (0.3, 0.8)
SECOND_RECOVERY_SHARE = 0.4
RECOVERY_DELAY_DAYS = (30, 366)
SECOND_RECOVERY_DELAY_DAYS = (30, 181)
# Contract disputes: one can begin at any time of a contract's life (from its 30th day, within the
# history, until 10 days before the as-of date or its end), at DISPUTE_RATE a year for an average
# customer (falling with quality), and is settled DISPUTE_DAYS after it began, when the instalments
# that fell due meanwhile are paid: so a withheld instalment is never 90 days past due, and a dispute
# still open at the as-of date leaves them owed and the contract in dispute.
DISPUTE_RATE = 0.12
DISPUTE_DAYS = (20, 81)
# Credit notes (disputes) on invoices of sales and service contracts: a share of the invoices, part
# of the amount, dated between issue and due date (and before payment).
CREDIT_NOTE_SHARE = 0.015
CREDIT_NOTE_FRACTION = (0.05, 0.4)
# Billing dates: invoices of sales and service contracts carry issued_on (= due - payment terms) on
# this share of the contracts; the rest, and every loan and lease, leave it empty.
ISSUED_ON_SHARE = 0.7

# Credit reviews: a share of customers has a review history (the rest keep one limit throughout).
# Reviews fall on the anniversaries of onboarding (the latest one before history opens is the first;
# a customer onboarded later is first reviewed at onboarding), some missed; each sets the limit from
# the peak exposure of the REVIEW_HORIZON_MONTHS from the review month on (the business planned with
# the customer) at the customer's utilisation target, keeping the old limit within
# REVIEW_CONFIRM_BAND and not raising it after a cut. A rating downgrade is followed by a cut (and
# the lowered rating) REVIEW_LAG_DAYS later; a default (without cure) by a deeper cut and the
# agency's default-range rating.
REVIEWED_SHARE = 0.9
REVIEW_MISSED_SHARE = 0.1
REVIEW_CONFIRM_BAND = 0.1
REVIEW_HORIZON_MONTHS = 12
DOWNGRADE_CUT = (0.25, 0.5)
DEFAULT_CUT = (0.5, 0.9)
REVIEW_LAG_DAYS = (3, 31)
DEFAULT_REVIEW_LAG_DAYS = (5, 46)
LIMIT_FLOOR = 10_000.0


@dataclass(frozen=True)
class Scenario:
    """The knobs that distinguish the two case studies."""

    name: str
    kinds: tuple[str, ...]
    kind_weights: tuple[float, ...]
    terms_months: tuple[int, ...]
    terms_weights: tuple[float, ...]
    payment_terms: tuple[int, ...]
    payment_terms_weights: tuple[float, ...]
    amount_share: float  # contract amount / customer annual revenue (median)
    interest_rate: float  # yearly flat rate added to instalments (0 for sales)
    collateral_share: float  # share of contracts with collateral
    collateral_max: float  # collateral up to this multiple of the amount
    sign_rate: float  # monthly chance of a new contract for a mid-size customer
    downturn_industry: str
    downturn_start: date
    downturn_end: date
    event_rates: tuple[float, float, float]  # monthly rate of credit, operational, legal events
    event_kinds: dict[str, tuple[tuple[str, ...], tuple[float, ...]]]
    committee_amount: float  # contracts above this are approved by the committee
    bill_in_arrears: bool  # instalments fall one month after each period (loans), else at its start
    start_lag_days: int  # start_on falls 0 .. this - 1 days after signed_on


MANUFACTURER = Scenario(
    name="manufacturer",
    kinds=("sales", "service"),
    kind_weights=(0.82, 0.18),
    terms_months=(12, 18, 24),
    terms_weights=(0.25, 0.25, 0.50),
    payment_terms=(30, 60, 90),
    payment_terms_weights=(0.5, 0.35, 0.15),
    amount_share=0.05,
    interest_rate=0.0,
    collateral_share=0.08,
    collateral_max=0.3,
    sign_rate=0.145,
    downturn_industry="Construction",
    downturn_start=date(2025, 1, 1),
    downturn_end=date(2025, 9, 30),
    event_rates=(0.0012, 0.007, 0.0022),
    event_kinds={
        "credit": (("rating_downgrade",), (1.0,)),
        "operational": (
            ("supply_chain_disruption", "production_halt", "demand_drop", "management_change"),
            (0.35, 0.2, 0.3, 0.15),
        ),
        "legal": (("litigation", "contract_dispute", "regulatory_action"), (0.55, 0.3, 0.15)),
    },
    committee_amount=5e7,
    bill_in_arrears=False,
    start_lag_days=21,
)

LENDER = Scenario(
    name="lender",
    kinds=("loan", "lease"),
    kind_weights=(0.78, 0.22),
    terms_months=(12, 24, 36, 48),
    terms_weights=(0.25, 0.35, 0.25, 0.15),
    payment_terms=(0, 5, 10, 15),
    payment_terms_weights=(0.4, 0.3, 0.2, 0.1),
    amount_share=0.12,
    interest_rate=0.065,
    collateral_share=0.7,
    collateral_max=1.2,
    sign_rate=0.12,
    downturn_industry="Construction",
    downturn_start=date(2025, 1, 1),
    downturn_end=date(2025, 9, 30),
    event_rates=(0.0035, 0.0025, 0.004),
    event_kinds={
        "credit": (("rating_downgrade",), (1.0,)),
        "operational": (
            ("management_change", "demand_drop", "supply_chain_disruption"),
            (0.45, 0.35, 0.2),
        ),
        "legal": (("litigation", "regulatory_action", "contract_dispute"), (0.5, 0.35, 0.15)),
    },
    committee_amount=1e8,
    bill_in_arrears=True,
    start_lag_days=11,
)

SCENARIO_CONFIG = {"manufacturer": MANUFACTURER, "lender": LENDER}

# Where news of each event kind comes from, with weights.
EVENT_SOURCES: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    "rating_downgrade": (("agency",), (1.0,)),
    "bankruptcy_filing": (("court_records", "news"), (0.8, 0.2)),
    "litigation": (("court_records", "news"), (0.7, 0.3)),
    "regulatory_action": (("agency", "news"), (0.6, 0.4)),
    "contract_dispute": (("account_manager", "court_records"), (0.7, 0.3)),
    "supply_chain_disruption": (("account_manager", "news"), (0.6, 0.4)),
    "production_halt": (("news", "account_manager"), (0.5, 0.5)),
    "demand_drop": (("account_manager", "news"), (0.7, 0.3)),
    "management_change": (("news", "account_manager"), (0.6, 0.4)),
}

EVENT_NOTES: dict[str, tuple[str, ...]] = {
    "rating_downgrade": ("Agency lowered the rating", "Outlook cut to negative, grade lowered"),
    "bankruptcy_filing": ("Filed for bankruptcy protection", "Creditor petition for liquidation"),
    "litigation": ("Sued by a supplier over unpaid invoices", "Lawsuit from a former partner"),
    "regulatory_action": ("Fined by the regulator", "Licence under regulatory review"),
    "contract_dispute": ("Disputes delivered quantities", "Withholds payment over quality claim"),
    "supply_chain_disruption": ("Key supplier failed to deliver", "Port congestion delays inputs"),
    "production_halt": ("Plant stopped after an accident", "Production paused for maintenance"),
    "demand_drop": ("Orders down sharply this quarter", "Lost its largest end customer"),
    "management_change": ("CFO resigned", "New CEO appointed after board dispute"),
}

# Company names: English brand + industry noun + legal form, or Chinese place + brand + trade + form.
NAME_BRANDS = (
    "Apex", "Golden", "Northern", "Blue River", "Summit", "Harbor", "Pioneer", "Evergreen",
    "Silverline", "Red Maple", "Jade", "Orient", "Crescent", "Unity", "Falcon", "Everbright",
    "Nova", "Grand", "Pacific", "Sterling", "Lotus", "Phoenix", "Granite", "Meridian",
)  # fmt: skip
NAME_NOUNS = {
    "Manufacturing": ("Machinery", "Precision Parts", "Metalworks", "Components"),
    "Retail": ("Stores", "Trading", "Retail", "Consumer Goods"),
    "Construction": ("Construction", "Building Materials", "Engineering", "Builders"),
    "Logistics": ("Logistics", "Freight", "Shipping", "Transport"),
    "Technology": ("Technology", "Software", "Electronics", "Digital"),
    "Energy": ("Energy", "Power", "Solar", "Petrochemical"),
    "Agriculture": ("Agriculture", "Farms", "Foods", "Agritech"),
    "Healthcare": ("Healthcare", "Pharma", "Medical", "Biotech"),
}
NAME_FORMS = ("Co., Ltd.", "Group", "Holdings", "Industries", "Inc.", "Limited")
ZH_PLACES = (
    "华东", "华南", "华北", "江苏", "浙江", "广东", "上海", "深圳", "山东", "四川", "湖北", "天津",
)  # fmt: skip
ZH_BRANDS = (
    "恒通", "宏达", "鑫源", "精诚", "盛世", "远航", "金泰", "华信", "永昌", "天成", "瑞丰", "博远",
)  # fmt: skip
ZH_TRADES = {
    "Manufacturing": ("精密机械", "机电", "五金制造"),
    "Retail": ("商贸", "百货", "零售"),
    "Construction": ("建设工程", "建材", "路桥"),
    "Logistics": ("物流", "货运", "供应链"),
    "Technology": ("科技", "电子", "信息技术"),
    "Energy": ("能源", "电力", "新能源"),
    "Agriculture": ("农业", "食品", "农产品"),
    "Healthcare": ("医疗器械", "医药", "健康科技"),
}
ZH_FORMS = ("有限公司", "股份有限公司", "集团有限公司")
CHINESE_NAME_SHARE = 0.15


def month_start(index: np.ndarray | int) -> np.ndarray:
    """Day number (days since 1970-01-01) of the first day of month `index` after HISTORY_START."""
    base = np.datetime64(HISTORY_START, "M")
    return (base + np.asarray(index, dtype=np.int64)).astype("datetime64[D]").astype(np.int64)


def day_number(day: date) -> int:
    """Days since 1970-01-01 of a calendar date."""
    return int(np.datetime64(day, "D").astype(np.int64))


def month_index(days: np.ndarray) -> np.ndarray:
    """Month index (0 = HISTORY_START's month) of day numbers."""
    months = np.asarray(days, dtype="datetime64[D]").astype("datetime64[M]")
    return (months - np.datetime64(HISTORY_START, "M")).astype(np.int64)


def add_months(days: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Day numbers moved by whole months, keeping the day of month (clipped to the month's end)."""
    days = np.asarray(days, dtype=np.int64)
    first = days.astype("datetime64[D]").astype("datetime64[M]")
    day_of_month = days - first.astype("datetime64[D]").astype(np.int64)
    target = first + np.asarray(months, dtype=np.int64)
    start = target.astype("datetime64[D]").astype(np.int64)
    length = (target + 1).astype("datetime64[D]").astype(np.int64) - start
    return start + np.minimum(day_of_month, length - 1)


def downturn_months(scenario: Scenario) -> tuple[int, int]:
    """First and last month index (0 = HISTORY_START's month) of the scenario's downturn."""
    days = np.array([day_number(scenario.downturn_start), day_number(scenario.downturn_end)])
    first, last = month_index(days)
    return int(first), int(last)
