"""KPI cards: a value with its change since the previous month, coloured by whether that is good."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class Kpi:
    """One card. `higher_is_worse` decides the delta colour (risk up is red)."""

    label: str
    value: float | None
    previous: float | None
    fmt: Callable[[float | None], str]
    higher_is_worse: bool = True
    delta_fmt: Callable[[float], str] | None = None
    help: str | None = None

    def delta_text(self) -> str | None:
        """The change since the previous month as text, or None when there is no previous value."""
        if self.value is None or self.previous is None:
            return None
        change = self.value - self.previous
        if self.delta_fmt is not None:
            return self.delta_fmt(change)
        text = self.fmt(abs(change))
        # An ASCII minus: Streamlit reads the sign of the delta text to choose the arrow.
        return ("+" if change >= 0 else "-") + text


def kpi_row(cards: list[Kpi]) -> None:
    """Draw the cards side by side with bordered metrics."""
    for column, card in zip(st.columns(len(cards)), cards, strict=True):
        with column:
            st.metric(
                card.label,
                card.fmt(card.value),
                delta=card.delta_text(),
                delta_color="inverse" if card.higher_is_worse else "normal",
                help=card.help,
                border=True,
            )
