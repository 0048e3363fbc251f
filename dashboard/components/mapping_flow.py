"""The Data page's way out for an upload that matches no table: a mapping proposed from the
file's headers (or a saved one whose pattern matches its name), the first rows converted with
it, the rows that fail, then a load through data.ingest with that mapping — the command line's
`ingest FILE --mapping MAPPING.toml` — and the mapping saved for next time.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import polars as pl
import streamlit as st

from dashboard import auth
from dashboard.access import holder, release
from dashboard.components.mapping_form import field_label, mapping_form, table_label
from dashboard.components.plain_text import markdown_text
from dashboard.components.progress import progress_text
from dashboard.components.rule_text import notes_text, rule_text, with_rule_text
from dashboard.i18n import language, t
from data import mapping_store, warehouse
from data.export import neutralise, to_csv
from data.extract_sample import read_sample
from data.ingest import FileReport, Prepared, commit, failures_report, prepare
from data.mapping import Mapping, MappingError, apply, parse_mapping
from data.parsing import FileRejected
from schemas.rules import identify

# Refusals a mapping answers: a name that is no table, headers without a table's columns, a
# workbook with no sheet of a table's columns.
MAPPABLE = ("file_unknown_table", "file_missing_columns", "file_no_sheet")
NEW = "\x00new"
PREVIEW_ROWS = 10
EMPTY_CELL = "—"  # a field the mapping leaves empty, in the preview


def needs_mapping(report: FileReport) -> bool:
    """True when the file was refused for its name or headers, which a mapping can say."""
    found = identify(report.error)
    return found is not None and found[0] in MAPPABLE


def widget_key(name: str, content: bytes, lang: str) -> str:
    """The prefix of the flow's widget keys for one upload in one language: a new file starts
    afresh, and so does a language switch (a selectbox keeps the label of its value as it was
    drawn, so its English "Fixed value…" would stay on the Chinese page)."""
    digest = hashlib.sha256(name.encode() + b"\x00" + content).hexdigest()[:10]
    return f"map_{lang}_{digest}"


def mapping_flow(files: list[tuple[str, bytes]], reports: list[FileReport]) -> None:
    """Offer a mapping for the uploads refused for their name or headers (one at a time)."""
    refused = {r.source for r in reports if needs_mapping(r)}
    candidates = [(name, content) for name, content in files if name in refused]
    if not candidates:
        return
    st.subheader(t("mapping.title"))
    names = [name for name, _ in candidates]
    chosen = names[0]
    if len(names) > 1:
        chosen = st.selectbox(t("mapping.file"), names, key="mapping_file")
    name, content = candidates[names.index(chosen)]
    key = widget_key(name, content, language())
    st.caption(t("mapping.intro", name=markdown_text(name)))
    try:
        sample = read_sample(name, content)
    except FileRejected as err:
        st.error(markdown_text(rule_text(str(err))))
        return

    saved = mapping_store.matching(name)
    source = NEW
    if saved:
        options = [s.name for s in saved] + [NEW]
        presets = {s.name for s in saved if s.preset}

        def label_of(option: str) -> str:
            if option == NEW:
                return t("mapping.new")
            return t(
                "mapping.use_preset" if option in presets else "mapping.use_saved", mapping=option
            )

        source = st.radio(
            t("mapping.source", name=markdown_text(name)),
            options,
            format_func=label_of,
            key=f"{key}_source",
        )
    if source == NEW:
        with holder().connection() as con:
            currency = warehouse.reporting_currency(con)
        document, pattern = mapping_form(key, name, sample, currency)
        if document is None:
            return
        label = mapping_store.safe_name(re.sub(r"[*?\[\]]+", "", Path(pattern).stem).strip("_- "))
    else:
        found = next(s for s in saved if s.name == source)
        document, label = found.document, found.name
        with st.expander(t("mapping.show", mapping=label)):
            st.code(mapping_store.to_toml(document), language="toml")
    try:
        mapping = parse_mapping(document, f"{label}.toml")
    except MappingError as err:
        st.error(t("mapping.invalid", error=markdown_text(err)))
        return
    if mapping.for_file(name) is None:
        st.warning(
            t(
                "mapping.pattern_mismatch",
                pattern=markdown_text(document["file"][0]["pattern"]),
                name=markdown_text(name),
            )
        )
        return
    prepared = _preview(name, content, mapping)
    if prepared is None:
        return
    _load_button(key, name, content, mapping, prepared)
    if source == NEW:
        _save(key, document, label)


def _preview(name: str, content: bytes, mapping: Mapping) -> list[Prepared] | None:
    """The first rows converted by the mapping, per table, and every rule failure of the file
    under it (the same check the load makes); None when the file cannot be read so."""
    file_map = mapping.for_file(name)
    try:
        mapped = apply(file_map, mapping, name, content)
    except FileRejected as err:
        st.error(markdown_text(rule_text(str(err))))
        return None
    st.markdown(f"**{t('mapping.preview')}**")
    tabs = st.tabs([table_label(m.table) for m in mapped])
    for tab, item in zip(tabs, mapped, strict=True):
        with tab:
            st.dataframe(
                neutralise(item.cells.head(PREVIEW_ROWS).fill_null(EMPTY_CELL)),
                hide_index=True,
                column_config={c: field_label(item.table, c) for c in item.cells.columns},
            )
    with holder().connection() as con:
        prepared = prepare(con, [(name, content)], mapping=mapping)
    reports = [p.report for p in prepared]
    st.markdown(f"**{t('mapping.check')}**")
    st.dataframe(
        neutralise(
            pl.DataFrame(
                {
                    t("data.table"): [table_label(r.table) if r.table else "—" for r in reports],
                    t("data.read"): [r.rows_read for r in reports],
                    t("data.accepted"): [r.rows_accepted for r in reports],
                    t("data.rejected"): [r.rows_rejected for r in reports],
                    t("data.notes"): [
                        rule_text(r.error) or rule_text(r.already_loaded) or notes_text(r.notes)
                        for r in reports
                    ],
                }
            )
        ),
        hide_index=True,
    )
    failures = failures_report(reports)
    if failures.height:
        st.caption(
            t(
                "data.failures_caption",
                count=failures.height,
                rows=failures.select("file", "row_number").unique().height,
            )
        )
        st.dataframe(
            neutralise(with_rule_text(failures.drop("file").head(2000))),
            hide_index=True,
            column_config={
                "row_number": st.column_config.NumberColumn(t("data.row")),
                "column": t("data.column"),
                "rule": t("data.rule"),
                "value": t("data.value"),
            },
        )
        st.download_button(
            t("data.download_failures"),
            data=auth.audited("validation failures", "csv", lambda: failures, to_csv),
            file_name="validation_failures.csv",
            mime="text/csv",
            key="mapping_failures_download",
        )
    else:
        st.success(t("mapping.all_valid"))
    return prepared


def _load_button(
    key: str, name: str, content: bytes, mapping: Mapping, prepared: list[Prepared]
) -> None:
    """Load the file with the mapping: validated again on the writable copy (as the page's own
    load does), written in one transaction, derived tables rebuilt; the page then reruns and
    shows the result like any load."""
    valid_rows = sum(
        p.report.rows_accepted for p in prepared if p.report.status in ("loaded", "partial")
    )
    if valid_rows == 0:
        st.warning(t("data.nothing_to_load"))
        return
    if not st.button(t("mapping.load", rows=f"{valid_rows:,}"), type="primary", key=f"{key}_load"):
        return
    bar = st.progress(0.0, text=t("data.loading"))

    def progress(label: str, step: int, total: int) -> None:
        bar.progress(min(step / max(total, 1), 1.0), text=progress_text(label))

    release()  # this process is about to swap in a new warehouse file
    try:
        with warehouse.writing() as con:
            result = commit(
                con, prepare(con, [(name, content)], mapping=mapping), progress=progress
            )
    except Exception as err:  # noqa: BLE001 - shown to the user; the warehouse is unchanged
        st.session_state["data_flash"] = ("error", t("data.load_failed", error=markdown_text(err)))
    else:
        written = [r for r in result.reports if r.status in ("loaded", "partial")]
        accepted = sum(r.rows_accepted for r in written)
        rejected = sum(r.rows_rejected for r in written)
        st.session_state["data_flash"] = (
            ("ok", t("data.loaded", accepted=f"{accepted:,}", rejected=f"{rejected:,}"))
            if result.changed
            else ("error", t("data.nothing_to_load"))
        )
        # the page shows the report of the load just done under the (then empty) uploader
        st.session_state["data_last_load"] = result.reports
        st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1
        auth.record("load", detail=f"upload {name} with mapping {mapping.name}", rows=accepted)
    st.cache_data.clear()
    st.rerun()


def _save(key: str, document: dict, label: str) -> None:
    """Download the mapping as a TOML file, or save it beside the warehouse, where the next
    upload of a matching file finds it."""
    st.markdown(f"**{t('mapping.save_title')}**")
    name_col, save_col, download_col = st.columns([2, 1, 1], vertical_alignment="bottom")
    with name_col:
        name = st.text_input(t("mapping.save_name"), value=label, key=f"{key}_save_name")
    stem = mapping_store.safe_name(name)
    with save_col:
        if st.button(t("mapping.save"), key=f"{key}_save"):
            path = mapping_store.save(document, stem)
            st.session_state[f"{key}_saved"] = str(path)
    with download_col:
        st.download_button(
            t("mapping.download"),
            data=mapping_store.to_toml(document, f"{stem}.toml").encode("utf-8"),
            file_name=f"{stem}.toml",
            mime="application/toml",
            key=f"{key}_download",
        )
    if f"{key}_saved" in st.session_state:
        st.success(
            t(
                "mapping.saved",
                path=markdown_text(st.session_state[f"{key}_saved"]),
                pattern=markdown_text(document["file"][0]["pattern"]),
            )
        )
