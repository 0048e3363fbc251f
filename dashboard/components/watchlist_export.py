"""The watchlist as exported: every matching row, headed in the reader's language."""

from __future__ import annotations

import polars as pl

from dashboard.i18n import t

# Column of watchlist.members -> its message in [watchlist]; the same labels as the table on screen.
HEADERS = {
    "customer_id": "col_id",
    "name": "col_name",
    "grade": "col_grade",
    "score": "col_score",
    "exposure": "col_exposure",
    "overdue_amount": "col_overdue",
    "max_dpd": "col_dpd",
    "utilisation": "col_utilisation",
    "triggers": "col_triggers",
    "months_on_list": "col_months",
    "entered_on": "col_entered_on",
    "owner": "col_owner",
    "segment": "col_segment",
    "region": "col_region",
    "industry": "col_industry",
}


def export_frame(members: pl.DataFrame) -> pl.DataFrame:
    """watchlist.members rows without the bookkeeping count, with headers from the catalogue."""
    rows = members.drop("matching", strict=False)
    return rows.rename({c: t(f"watchlist.{HEADERS[c]}") for c in rows.columns if c in HEADERS})
