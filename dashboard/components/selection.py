"""Turning a dataframe selection event into the id of the row a user clicked."""

from __future__ import annotations

from typing import Any

import polars as pl


def selected_id(event: Any, frame: pl.DataFrame, column: str = "customer_id") -> str | None:
    """The `column` value of the selected row, or None.

    Streamlit reports selected rows as positions in the frame as it was sent, whatever order the
    user sorted the view into, so the position indexes `frame` itself.
    """
    selection = getattr(event, "selection", None)
    if selection is None and isinstance(event, dict):
        selection = event.get("selection")
    if selection is None:
        return None
    rows = (
        selection.get("rows", []) if isinstance(selection, dict) else getattr(selection, "rows", [])
    )
    if not rows or rows[0] >= frame.height:
        return None
    return frame[column][rows[0]]
