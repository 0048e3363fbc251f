"""A load's report on the Data page, for the validation preview and for the load just done.

Per file: status, rows read / accepted / rejected and notes. Then the failures grouped by rule
and column with a count and the first three rows of each — data.ingest.grouped_failures, the
grouping the command line prints — instead of one line per failing cell, and the download of
every failure.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import auth
from dashboard.components.rule_text import notes_text, rule_text, with_rule_text
from dashboard.i18n import t
from data.export import neutralise, to_csv
from data.ingest import FileReport, failures_report, grouped_failures
from schemas.rules import cut_value

STATUS_ICONS = {
    "loaded": "✅",
    "partial": "⚠️",
    "nothing_loaded": "🚫",
    "rejected": "⛔",
    "duplicate": "↺",
}


def files_table(reports: list[FileReport]) -> pl.DataFrame:
    """One row per file: file, table, status, read, accepted, rejected, notes (in the reader's
    language, headers included)."""
    return pl.DataFrame(
        {
            t("data.file"): [r.source for r in reports],
            t("data.table"): [r.table or "—" for r in reports],
            t("data.status"): [
                f"{STATUS_ICONS[r.status]} {t('data.status_' + r.status)}" for r in reports
            ],
            t("data.read"): [r.rows_read for r in reports],
            t("data.accepted"): [r.rows_accepted for r in reports],
            t("data.rejected"): [r.rows_rejected for r in reports],
            t("data.notes"): [
                rule_text(r.error) or rule_text(r.already_loaded) or notes_text(r.notes)
                for r in reports
            ],
        },
        schema_overrides={
            t("data.read"): pl.Int64,
            t("data.accepted"): pl.Int64,
            t("data.rejected"): pl.Int64,
        },
    )


def groups_table(reports: list[FileReport]) -> pl.DataFrame:
    """The failures grouped by file, column and rule: file, table, column, rule (in the reader's
    language), count and examples as one text ("row 5: '2024/05/01'; row 9: …", values cut to 40
    characters)."""
    groups = grouped_failures(reports)
    separator = t("data.note_separator")
    examples = [
        separator.join(_example(e["row_number"], e["value"]) for e in row)
        for row in groups["examples"].to_list()
    ]
    return with_rule_text(groups.with_columns(pl.Series("examples", examples, dtype=pl.String)))


def _example(row: int, value: str | None) -> str:
    if value is None:
        return t("data.example_empty", row=row)
    return t("data.example", row=row, value=cut_value(value))


def show(reports: list[FileReport], key: str) -> None:
    """The per-file table, the grouped failures and the download of every failure; `key` tells
    two reports on one page apart (the preview and the last load)."""
    st.dataframe(neutralise(files_table(reports)), hide_index=True, key=f"{key}_files")
    failures = failures_report(reports)
    if not failures.height:
        return
    st.markdown(f"**{t('data.failures')}**")
    st.caption(
        t(
            "data.failures_caption",
            count=f"{failures.height:,}",
            rows=f"{failures.select('file', 'row_number').unique().height:,}",
        )
    )
    st.dataframe(
        neutralise(groups_table(reports)),
        hide_index=True,
        key=f"{key}_groups",
        column_config={
            "file": st.column_config.TextColumn(t("data.file")),
            "table": st.column_config.TextColumn(t("data.table")),
            "column": st.column_config.TextColumn(t("data.column")),
            "rule": st.column_config.TextColumn(t("data.rule"), width="large"),
            "count": st.column_config.NumberColumn(t("data.failing_rows"), format="localized"),
            "examples": st.column_config.TextColumn(t("data.examples"), width="large"),
        },
    )
    st.download_button(
        t("data.download_failures"),
        data=auth.audited("validation failures", "csv", lambda: failures, to_csv),
        file_name="validation_failures.csv",
        mime="text/csv",
        key=f"{key}_download",
    )
