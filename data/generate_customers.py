"""Customer draws of the demo generator: size, industry, latent credit quality, onboarding.

Arrays here are indexed by position in the block; `index` holds each customer's global number, the
key of every random draw, so a customer is the same whatever block it falls in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from data.generate_config import (
    ANALYSTS,
    CHINESE_NAME_SHARE,
    INDUSTRIES,
    INDUSTRY_LOADING,
    INDUSTRY_WEIGHTS,
    LARGE_REVENUE,
    MID_REVENUE,
    NAME_BRANDS,
    NAME_FORMS,
    NAME_NOUNS,
    RATING_CUTS,
    REGION_WEIGHTS,
    REGIONS,
    REVENUE_ALPHA,
    REVENUE_CAP,
    REVENUE_FLOOR,
    SIZE_LOADING,
    WARMUP_MONTHS,
    WEAK_QUALITY,
    ZH_BRANDS,
    ZH_FORMS,
    ZH_PLACES,
    ZH_TRADES,
    Scenario,
    day_number,
    month_index,
)
from data.generate_random import KeyedRandom
from data.generate_zh import ZH_CITIES, ZH_INDUSTRY_WORDS, ZH_LEGAL_FORMS, ZH_TRADE_NAMES

SEGMENTS = ("Large", "Mid", "Small")
NAME_CITIES = ("Suzhou", "Ningbo", "Wuxi", "Xiamen", "Qingdao", "Dalian", "Foshan", "Hefei")


@dataclass
class CustomerDraws:
    """Per-customer arrays of one block (position i is customer `index[i]`)."""

    index: np.ndarray  # global customer number, 0-based
    industry: np.ndarray  # index into INDUSTRIES
    region: np.ndarray  # index into REGIONS
    revenue: np.ndarray  # annual revenue, CNY
    segment: np.ndarray  # index into SEGMENTS
    quality: np.ndarray  # latent credit quality, about N(0, 1), higher = better
    weak: np.ndarray  # bottom third of quality: the target of the credit policy
    onboarded: np.ndarray  # day number of onboarding
    first_month: np.ndarray  # month index (0 = history start) of the first contract, >= -WARMUP
    churn_month: np.ndarray  # last month index in which the customer may sign
    sign_rate: np.ndarray  # monthly chance of signing another contract


def draw_customers(rng: KeyedRandom, scenario: Scenario, first: int, n: int) -> CustomerDraws:
    """Size, industry, region, quality and onboarding of customers first .. first + n - 1."""
    index = np.arange(first, first + n, dtype=np.int64)
    industry = rng.choice("industry", index, INDUSTRY_WEIGHTS)
    region = rng.choice("region", index, REGION_WEIGHTS)

    # Pareto tail with a little lognormal noise: a handful of names carry much of the exposure.
    tail = rng.uniform("revenue", index) ** (-1.0 / REVENUE_ALPHA)
    revenue = np.minimum(
        REVENUE_FLOOR * tail * np.exp(0.25 * rng.normal("revenue/noise", index)), REVENUE_CAP
    )
    segment = np.where(revenue >= LARGE_REVENUE, 0, np.where(revenue >= MID_REVENUE, 1, 2))

    # One shared shock per industry (keyed by industry, not by customer) correlates quality within it.
    industry_factor = rng.normal("industry-factor", np.arange(len(INDUSTRIES)))
    size_score = np.clip(REVENUE_ALPHA * np.log(tail) - 1.0, -1.0, 3.0)
    own = np.sqrt(1.0 - INDUSTRY_LOADING**2 - SIZE_LOADING**2)
    quality = (
        INDUSTRY_LOADING * industry_factor[industry]
        + SIZE_LOADING * size_score
        + own * rng.normal("quality", index)
    )
    weak = quality < WEAK_QUALITY

    onboarded = _onboarding(rng, index, weak)
    onboard_month = month_index(onboarded)
    # Long-standing customers: their first contract in the extract falls somewhere in the warm-up.
    lag = np.where(
        onboard_month < -WARMUP_MONTHS,
        rng.integers("first-lag/old", index, 0, 12),
        rng.choice("first-lag/new", index, (0.6, 0.3, 0.1)),
    )
    first_month = np.minimum(np.maximum(onboard_month, -WARMUP_MONTHS) + lag, 35)
    churn_month = first_month + np.ceil(rng.exponential("churn", index) * 60).astype(np.int64)
    size_factor = np.array([1.8, 1.0, 0.7])[segment]
    return CustomerDraws(
        index=index,
        industry=industry,
        region=region,
        revenue=revenue,
        segment=segment,
        quality=quality,
        weak=weak,
        onboarded=onboarded,
        first_month=first_month,
        churn_month=churn_month,
        sign_rate=scenario.sign_rate * size_factor,
    )


def _onboarding(rng: KeyedRandom, index: np.ndarray, weak: np.ndarray) -> np.ndarray:
    """Onboarding day numbers: half long-standing, half spread over the warm-up and history.

    After the policy change most weak applicants are declined, so weak customers onboarded after
    it are mostly moved back before it.
    """
    old_lo, warm_lo = day_number(date(2012, 1, 1)), day_number(date(2022, 11, 1))
    last, policy = day_number(date(2026, 9, 30)), day_number(date(2025, 11, 1))
    u = rng.uniform("onboard/day", index)
    onboarded = np.where(
        rng.bernoulli("onboard/old", index, 0.5),
        old_lo + np.floor(u * (warm_lo - old_lo)),
        warm_lo + np.floor(u * (last - warm_lo + 1)),
    ).astype(np.int64)
    declined = weak & (onboarded >= policy) & rng.bernoulli("onboard/declined", index, 0.7)
    return np.where(
        declined,
        warm_lo
        + np.floor(rng.uniform("onboard/redraw", index) * (policy - warm_lo)).astype(np.int64),
        onboarded,
    )


def rating_grades(
    rng: KeyedRandom, draws: CustomerDraws, defaulted: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Agency grade codes (index into RATINGS) per customer: the performing grade (from quality with
    noise), today's grade (D-range if defaulted, else the performing one), and whether unrated."""
    score = 0.85 * draws.quality + 0.55 * rng.normal("rating", draws.index)
    performing = 8 - np.searchsorted(np.asarray(RATING_CUTS), score)  # 0 = AAA ... 8 = C
    fallen = rng.choice("rating/defaulted", draws.index, (0.7, 0.15, 0.15))  # D, C, CC
    today = np.where(defaulted, np.array([9, 8, 7])[fallen], performing)
    unrated_share = np.array([0.1, 0.18, 0.3])[draws.segment]
    unrated = rng.bernoulli("rating/unrated", draws.index, unrated_share)
    return performing, today, unrated


def company_names(rng: KeyedRandom, draws: CustomerDraws) -> pl.Series:
    """Company-like names; about 15 % Chinese (place + brand + trade + legal form)."""
    idx = draws.index
    ind = draws.industry
    nouns = [noun for name in INDUSTRIES for noun in NAME_NOUNS[name]]
    trades = [trade for name in INDUSTRIES for trade in ZH_TRADES[name]]
    per_noun, per_trade = len(NAME_NOUNS[INDUSTRIES[0]]), len(ZH_TRADES[INDUSTRIES[0]])
    city = rng.integers("name/city", idx, 0, 2 * len(NAME_CITIES))  # half the names carry no city
    cities = [f" ({c})" for c in NAME_CITIES] + [""] * len(NAME_CITIES)
    frame = pl.DataFrame(
        {
            "brand": pl.Series(NAME_BRANDS).gather(
                rng.integers("name/brand", idx, 0, len(NAME_BRANDS))
            ),
            "noun": pl.Series(nouns).gather(
                ind * per_noun + rng.integers("name/noun", idx, 0, per_noun)
            ),
            "city": pl.Series(cities).gather(city),
            "form": pl.Series(NAME_FORMS).gather(
                rng.integers("name/form", idx, 0, len(NAME_FORMS))
            ),
            "place": pl.Series(ZH_PLACES).gather(
                rng.integers("name/place", idx, 0, len(ZH_PLACES))
            ),
            "zh_brand": pl.Series(ZH_BRANDS).gather(
                rng.integers("name/zh", idx, 0, len(ZH_BRANDS))
            ),
            "trade": pl.Series(trades).gather(
                ind * per_trade + rng.integers("name/trade", idx, 0, per_trade)
            ),
            "zh_form": pl.Series(ZH_FORMS).gather(
                rng.integers("name/zh_form", idx, 0, len(ZH_FORMS))
            ),
            "chinese": rng.bernoulli("name/chinese", idx, CHINESE_NAME_SHARE),
        }
    )
    english = pl.concat_str("brand", pl.lit(" "), "noun", "city", pl.lit(" "), "form")
    chinese = pl.concat_str("place", "zh_brand", "trade", "zh_form")
    return frame.select(
        pl.when("chinese").then(chinese).otherwise(english).alias("name")
    ).to_series()


def chinese_company_names(rng: KeyedRandom, draws: CustomerDraws) -> pl.Series:
    """Names of a warehouse built in Chinese: city of the region + 字号 + industry word + form."""
    idx = draws.index
    per_city = len(ZH_CITIES[REGIONS[0]])
    per_word = len(ZH_INDUSTRY_WORDS[INDUSTRIES[0]])
    cities = [city for region in REGIONS for city in ZH_CITIES[region]]
    words = [word for industry in INDUSTRIES for word in ZH_INDUSTRY_WORDS[industry]]
    forms = [form for form, _ in ZH_LEGAL_FORMS]
    city = draws.region * per_city + rng.integers("name/zh/city", idx, 0, per_city)
    word = draws.industry * per_word + rng.integers("name/zh/word", idx, 0, per_word)
    trade = rng.integers("name/zh/trade", idx, 0, len(ZH_TRADE_NAMES))
    form = rng.choice("name/zh/form", idx, tuple(weight for _, weight in ZH_LEGAL_FORMS))
    return pl.DataFrame(
        {
            "city": pl.Series(cities).gather(city),
            "trade": pl.Series(ZH_TRADE_NAMES).gather(trade),
            "word": pl.Series(words).gather(word),
            "form": pl.Series(forms).gather(form),
        }
    ).select(pl.concat_str("city", "trade", "word", "form").alias("name"))["name"]


def owners(rng: KeyedRandom, draws: CustomerDraws) -> pl.Series:
    """The analyst who owns each customer."""
    return pl.Series(ANALYSTS).gather(rng.integers("owner", draws.index, 0, len(ANALYSTS)))


def labels(values: tuple[str, ...], codes: np.ndarray) -> pl.Series:
    """Text labels for integer codes."""
    return pl.Series(values).gather(codes)
