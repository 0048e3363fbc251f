"""Credit-control queries on hand-made data: limit status, the band's controls, credit reviews
overdue by the band's frequency, contracts due for review / expiring / in dispute, utilisation bins."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from data import warehouse
from queries import credit_control
from queries.filters import Filters

D = date(2026, 6, 30)

# customer_id, name, owner, grade, band, exposure, credit_limit
CUSTOMERS = [
    ("h", "High One", "li", "D", "High", 120.0, 100.0),  # over its limit
    ("m", "Mid One", "li", "C", "Medium", 85.0, 100.0),  # near (85 %)
    ("q", "Mid Two", "wu", "C", "Medium", 50.0, 100.0),
    ("l", "Low One", "wu", "A", "Low", 10.0, 100.0),
    ("x", "Idle", "wu", "A", "Low", 0.0, 50.0),  # no exposure: not in the customer figures
]
# Reviews: h 05-15 + 1 month = 06-15 < 06-30 → overdue. m latest 06-01 + 3 months → fine.
# q: k4 reviewed 03-15, but its completed k5 was reviewed 06-20 → the customer's last review is
# 06-20 → fine, while the contract k4 itself is due (03-15 + 3 months = 06-15).
# l: never reviewed by the as-of date (k7 is signed and reviewed after it) → overdue.
CONTRACTS = [
    ("k1", "h", "2026-01-01", "2026-08-31", 100.0, "active", "2026-05-15"),  # 62 days left
    ("k2", "m", "2026-01-01", "2027-12-31", 100.0, "in_dispute", "2026-04-30"),
    ("k3", "l", "2026-01-01", "2027-12-31", 100.0, "active", None),
    ("k4", "q", "2026-01-01", "2026-06-30", 200.0, "active", "2026-03-15"),  # ends on the as-of
    ("k5", "q", "2025-01-01", "2025-12-31", 50.0, "completed", "2026-06-20"),
    ("k6", "m", "2026-01-01", "2026-09-28", 300.0, "active", "2026-06-01"),  # exactly 90 days
    ("k7", "l", "2026-07-15", "2027-07-31", 400.0, "active", "2026-07-20"),  # signed after as-of
]
POLICY = {
    "High": ("1", "cut 25 %", "true", "true"),
    "Medium": ("3", "hold", "true", "false"),
    "Low": ("12", "maintain", "false", "false"),
}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    con = warehouse.connect(tmp_path_factory.mktemp("cc") / "c.duckdb")  # real source types
    con.execute(
        "create table customer_month (customer_id varchar, as_of date, name varchar, "
        "industry varchar, region varchar, segment varchar, owner varchar, grade varchar, "
        "band varchar, exposure double, credit_limit double, utilisation double, last_review date)"
    )
    # last_review as the build carries it: the latest contract review on or before the as-of date
    # (h: k1 05-15; m: k6 06-01; l: never, k7's review is after the as-of; q: k4 03-15, k5 06-20)
    last_review = {"h": "2026-05-15", "m": "2026-06-01", "q": "2026-06-20"}
    con.executemany(
        "insert into customer_month values (?, date '2026-06-30', ?, 'Retail', 'East', 'S', ?, ?, ?, ?, ?, ? / ?, ?)",
        [(*c, c[5], c[6], last_review.get(c[0])) for c in CUSTOMERS],
    )
    con.executemany(
        "insert into contracts (contract_id, customer_id, kind, signed_on, start_on, end_on, "
        "amount, currency, payment_terms_days, collateral_value, status, approved_by, "
        "last_reviewed_on) values (?, ?, 'sales', ?, ?, ?, ?, 'CNY', 30, 0, ?, 'cfo', ?)",
        [
            (k, c, start, start, end, amount, status, rev)
            for k, c, start, end, amount, status, rev in CONTRACTS
        ],
    )
    keys = ("review_frequency_months", "limit_action", "collateral_required", "prepayment_required")
    con.execute("create table policy_in_force (key varchar, value varchar)")
    con.executemany(
        "insert into policy_in_force values (?, ?)",
        [
            (f"controls.{band}.{k}", v)
            for band, values in POLICY.items()
            for k, v in zip(keys, values, strict=True)
        ],
    )
    yield con
    con.close()


def _by_id(frame: pl.DataFrame) -> dict[str, dict]:
    return {r["customer_id"]: r for r in frame.iter_rows(named=True)}


def test_all_customers_largest_first_with_band_controls(tiny):
    rows = credit_control.customers(tiny, Filters(as_of=D), which="all")
    assert rows["customer_id"].to_list() == ["h", "m", "q", "l"]
    assert rows["matching"][0] == 4
    h = _by_id(rows)["h"]
    assert (h["limit_action"], h["collateral_required"], h["prepayment_required"]) == (
        "cut 25 %",
        True,
        True,
    )
    assert [r["limit_status"] for r in rows.iter_rows(named=True)] == [
        "over",
        "near",
        "within",
        "within",
    ]


def test_review_due_follows_the_band_frequency_and_the_latest_review(tiny):
    rows = _by_id(credit_control.customers(tiny, Filters(as_of=D), which="all"))
    assert (rows["h"]["review_due"], rows["h"]["review_overdue"]) == (date(2026, 6, 15), True)
    assert (rows["m"]["review_due"], rows["m"]["review_overdue"]) == (date(2026, 9, 1), False)
    assert (rows["q"]["last_review"], rows["q"]["review_overdue"]) == (date(2026, 6, 20), False)
    assert (rows["l"]["last_review"], rows["l"]["review_overdue"]) == (None, True)


@pytest.mark.parametrize(
    ("which", "limit", "expected", "matching"),
    [
        ("attention", 200, ["h", "m"], 2),
        ("overdue", 200, ["h", "l"], 2),
        ("all", 2, ["h", "m"], 4),
    ],
)
def test_customer_lists_are_limited_with_the_full_count(tiny, which, limit, expected, matching):
    rows = credit_control.customers(tiny, Filters(as_of=D), which=which, limit=limit)
    assert rows["customer_id"].to_list() == expected
    assert rows["matching"][0] == matching


def test_all_customer_lists_in_one_query_each_with_its_own_limit_and_count(tiny):
    lists = credit_control.customer_lists(tiny, Filters(as_of=D), limit=1, all_limit=3)
    by_list = {
        name: (group["customer_id"].to_list(), group["matching"][0])
        for (name,), group in lists.group_by("list", maintain_order=True)
    }
    # 'all' keeps its own larger limit (exposures h 120, m 85, q 50 of 4); each count is the whole
    # list's, not the rows kept
    assert by_list == {"all": (["h", "m", "q"], 4), "attention": (["h"], 2), "overdue": (["h"], 2)}


def test_all_contract_lists_in_one_query(tiny):
    lists = credit_control.contract_lists(tiny, Filters(as_of=D), limit=2)
    assert lists.filter(pl.col("list") == "review")["contract_id"].to_list() == ["k4", "k1"]
    assert lists.filter(pl.col("list") == "review")["matching"][0] == 3
    assert sorted(lists["list"].unique()) == ["dispute", "expiring", "review"]


def test_bands_count_customers_and_carry_the_policy(tiny):
    bands = credit_control.bands(tiny, Filters(as_of=D))
    assert bands["band"].to_list() == ["Low", "Medium", "High"]
    assert bands.select(
        "review_months", "customers", "exposure", "over_limit", "near_limit", "reviews_overdue"
    ).rows() == [(12, 1, 10.0, 0, 0, 1), (3, 2, 135.0, 0, 1, 0), (1, 1, 120.0, 1, 0, 1)]
    assert credit_control.totals(bands) == {
        "customers": 4,
        "over_limit": 1,
        "near_limit": 1,
        "reviews_overdue": 2,
    }


@pytest.mark.parametrize(
    ("which", "expected"),
    [
        ("review", ["k4", "k1", "k3"]),  # k4 200 first; k2 and k6 (Medium, recent) not due
        ("expiring", ["k6", "k1"]),  # k6 ends on day 90, k1 on day 62; k4 ends on the as-of
        ("dispute", ["k2"]),
    ],
)
def test_contract_lists(tiny, which, expected):
    rows = credit_control.contracts(tiny, Filters(as_of=D), which=which)
    assert rows["contract_id"].to_list() == expected
    assert rows["matching"][0] == len(expected)


def test_contract_days_left_and_review_due(tiny):
    rows = {
        r["contract_id"]: r
        for r in credit_control.contracts(tiny, Filters(as_of=D), which="expiring").iter_rows(
            named=True
        )
    }
    assert (rows["k1"]["days_left"], rows["k6"]["days_left"]) == (62, 90)
    review = {
        r["contract_id"]: r
        for r in credit_control.contracts(tiny, Filters(as_of=D), which="review").iter_rows(
            named=True
        )
    }
    assert review["k4"]["review_due"] == date(2026, 6, 15)
    assert review["k3"]["review_due"] is None
    with pytest.raises(ValueError, match="which must be one of"):
        credit_control.contracts(tiny, Filters(as_of=D), which="all; drop table contracts")


def test_utilisation_bins(tiny):
    bins = credit_control.utilisation(tiny, Filters(as_of=D))
    # 120 % → 120, 85 % → 80, 50 % → 50, 10 % → 10; the idle customer has no exposure.
    assert bins.select("bin", "customers").rows() == [(10, 1), (50, 1), (80, 1), (120, 1)]


def test_empty_filter_gives_zero_totals(tiny):
    bands = credit_control.bands(tiny, Filters(as_of=D, industries=("Nothing",)))
    assert credit_control.totals(bands)["customers"] == 0
    assert bands.height == 3
