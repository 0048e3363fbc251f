"""The watchlist as exported: every matching row, headed from the catalogue.

English headers are the stable column names (other tools and scripts read them); Chinese headers
are Chinese ([watchlist_export] in dashboard/messages/<lang>/watchlist.toml).
"""

from __future__ import annotations

import polars as pl

from dashboard.i18n import catalogue, t


def export_frame(members: pl.DataFrame) -> pl.DataFrame:
    """watchlist.members rows without the bookkeeping count, headers in the current language."""
    rows = members.drop("matching", strict=False)
    known = catalogue("en")
    return rows.rename(
        {c: t(f"watchlist_export.{c}") for c in rows.columns if f"watchlist_export.{c}" in known}
    )
