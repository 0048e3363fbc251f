"""The pandas peer: the page figures computed from the source tables as an analyst without this
product would — load the tables into pandas once, then compute per page, straightforwardly.

Every page needs each customer's exposure, overdue amount and days past due at the as-of date,
so every peer starts from `snapshot`; the page-specific part follows the page's figures.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import duckdb
import numpy as np
import pandas as pd

BUCKETS = [-1, 0, 30, 60, 90, np.inf]
BUCKET_NAMES = ["current", "1-30", "31-60", "61-90", "90+"]


def load_sources(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """The four source tables as pandas frames (not timed: the peer gets its data for free)."""
    return {
        name: con.sql(f"select * from {name}").df()  # noqa: S608 - fixed table names
        for name in ("customers", "contracts", "payments", "risk_events")
    }


def snapshot(src: dict[str, pd.DataFrame], as_of: date) -> pd.DataFrame:
    """Per customer at `as_of`: exposure, overdue amount, max days past due, limit and utilisation."""
    t = pd.Timestamp(as_of)
    contracts = src["contracts"]
    counted = contracts[
        (pd.to_datetime(contracts["start_on"]) <= t)
        & ~(
            contracts["status"].isin(["terminated", "completed"])
            & (pd.to_datetime(contracts["end_on"]) < t)
        )
    ]
    pay = src["payments"].merge(counted[["contract_id", "customer_id"]], on="contract_id")
    paid = pd.to_datetime(pay["paid_on"]) <= t
    pay["outstanding"] = (pay["amount_due"] - pay["amount_paid"].where(paid, 0.0)).clip(lower=0)
    due = pd.to_datetime(pay["due_on"])
    overdue = (due < t) & (pay["outstanding"] > 0)
    pay["overdue"] = pay["outstanding"].where(overdue, 0.0)
    pay["dpd"] = ((t - due).dt.days).where(overdue, 0)
    per = pay.groupby("customer_id").agg(
        exposure=("outstanding", "sum"), overdue_amount=("overdue", "sum"), max_dpd=("dpd", "max")
    )
    out = (
        src["customers"]
        .set_index("customer_id")
        .join(per, how="left")
        .fillna({"exposure": 0.0, "overdue_amount": 0.0, "max_dpd": 0})
    )
    out["utilisation"] = out["exposure"] / out["credit_limit"].replace(0, np.nan)
    out["aging_bucket"] = pd.cut(out["max_dpd"], BUCKETS, labels=BUCKET_NAMES)
    return out.reset_index()


def overview(src, as_of):
    snap = snapshot(src, as_of)
    total = snap["exposure"].sum()
    shares = snap["exposure"] / total
    return {
        "exposure": total,
        "overdue_90_ratio": snap.loc[snap["max_dpd"] > 90, "overdue_amount"].sum() / total,
        "by_bucket": snap.groupby("aging_bucket", observed=False)["exposure"].agg(["count", "sum"]),
        "watchlist": int(((snap["max_dpd"] > 30) | (snap["utilisation"] > 1)).sum()),
        "top10": shares.nlargest(10).sum(),
        "hhi": float(((shares * 100) ** 2).sum()),
    }


def concentration(src, as_of):
    snap = snapshot(src, as_of)
    out = {}
    for dim in ("customer_id", "industry", "region"):
        s = snap.groupby(dim)["exposure"].sum()
        s = s[s > 0] / s.sum()
        s = s.sort_values(ascending=False)
        out[dim] = (s.head(20).cumsum(), float(((s * 100) ** 2).sum()))
    return out


def watchlist(src, as_of):
    snap = snapshot(src, as_of)
    flagged = snap[(snap["max_dpd"] > 30) | (snap["utilisation"] > 1)]
    return flagged.sort_values("exposure", ascending=False).head(500)


def credit_control(src, as_of):
    snap = snapshot(src, as_of)
    near = snap[snap["utilisation"] >= 0.8].sort_values("utilisation", ascending=False)
    return near.head(500), np.histogram(snap["utilisation"].dropna().clip(upper=2), bins=40)


def collections(src, as_of):
    snap = snapshot(src, as_of)
    return snap.groupby("aging_bucket", observed=False)["overdue_amount"].sum()


def customer(src, as_of):
    # One customer's exposure history: the analyst recomputes the snapshot month by month.
    biggest = snapshot(src, as_of).nlargest(1, "exposure")["customer_id"].iloc[0]
    months = pd.date_range(end=pd.Timestamp(as_of), periods=12, freq="ME")
    one = {k: v for k, v in src.items()}
    one["contracts"] = src["contracts"][src["contracts"]["customer_id"] == biggest]
    return [
        snapshot(one, m.date()).loc[lambda f: f["customer_id"] == biggest, "exposure"].sum()
        for m in months
    ]


def grades(src, as_of):
    snap = snapshot(src, as_of)
    # The analyst's own scoring: days past due and utilisation only.
    score = 0.6 * (snap["max_dpd"].clip(upper=90) / 90 * 100) + 0.4 * (
        snap["utilisation"].fillna(0).clip(upper=1.25) / 1.25 * 100
    )
    grade = pd.cut(score, [-1, 20, 40, 60, 80, 101], labels=list("ABCDE"))
    return snap.groupby(grade, observed=False)["exposure"].agg(["count", "sum"])


PEERS: dict[str, Callable] = {
    "overview": overview,
    "concentration": concentration,
    "watchlist": watchlist,
    "credit_control": credit_control,
    "collections_page": collections,
    "customer": customer,
    "grades": grades,
}
