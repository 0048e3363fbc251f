"""The warehouse of a case study in the reader's language, built on first use with progress."""

from __future__ import annotations

import streamlit as st

from dashboard.components.progress import progress_text
from dashboard.i18n import language, t
from data import cases, warehouse


@st.cache_resource(show_spinner=False)
def _ready(scenario: str, lang: str, version: tuple[int, int] | None) -> bool:
    # once per file version: exists and built by this release's definitions
    return cases.is_ready(scenario, lang)


def case_warehouse(scenario: str) -> str:
    """Path of `scenario`'s case warehouse in the current language (Chinese company names in
    Chinese); when it does not exist yet, or an earlier release built it, it is built here inside a status box with a progress bar,
    and a failed build stops the page with the reason."""
    lang = language()
    path = cases.case_path(scenario, lang)
    if not _ready(scenario, lang, warehouse.file_version(path)):
        name = t(f"cases.case_{scenario}")
        with st.status(t("cases.building", case=name), expanded=True) as status:
            bar = st.progress(0.0, text=t("cases.preparing"))

            def progress(label: str, step: int, total: int) -> None:
                bar.progress(min(step / max(total, 1), 1.0), text=progress_text(label))

            try:
                # through the module, so a test can stand in a smaller build
                cases.ensure_case(scenario, progress, lang=lang)
            except Exception as err:  # noqa: BLE001 - shown on the page instead of a stack trace
                status.update(label=t("cases.build_failed", error=err), state="error")
                st.stop()
            status.update(label=t("cases.built"), state="complete", expanded=False)
    return str(cases.case_path(scenario, lang))
