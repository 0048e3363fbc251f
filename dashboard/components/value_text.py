"""Stored codes of a table in the reader's language, a column at a time (dashboard.i18n.value_label:
the catalogue's [values.<dimension>]; a value it does not know, a user's own data, as stored)."""

from __future__ import annotations

import polars as pl

from dashboard.components.formats import MISSING
from dashboard.i18n import value_labels

__all__ = ["MISSING", "labelled"]  # MISSING for st.dataframe(placeholder=...): a dash, not "None"


def labelled(frame: pl.DataFrame, **dimensions: str) -> pl.DataFrame:
    """`frame` with each column named in `dimensions` (column=dimension) relabelled, each
    distinct value looked up once: labelled(events, kind="event_kind", source="event_source")."""
    return frame.with_columns(
        pl.col(column).replace(value_labels(frame[column].unique().to_list(), dimension))
        for column, dimension in dimensions.items()
        if column in frame.columns and not frame.is_empty()
    )
