"""Data page: what the warehouse holds, upload with a validation preview, quarantine, data quality."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import auth
from dashboard.access import fetch, holder, release
from dashboard.components import load_report
from dashboard.components.alerts_admin import alerts_section
from dashboard.components.formats import MISSING
from dashboard.components.mapping_flow import mapping_flow
from dashboard.components.plain_text import markdown_text
from dashboard.components.progress import progress_text
from dashboard.components.rule_text import with_rule_text
from dashboard.components.uploads import refusal, uploader_in_language
from dashboard.i18n import t
from data import warehouse
from data.export import neutralise, to_csv
from data.ingest import WRITTEN, commit, prepare
from queries import data_page

st.title(t("data.title"))
st.caption(t("data.intro"))

if "data_flash" in st.session_state:
    kind, text = st.session_state.pop("data_flash")
    (st.success if kind == "ok" else st.error)(text)

# --- what the warehouse holds -------------------------------------------------------------
st.subheader(t("data.summary"))
left, right = st.columns([3, 2])
with left:
    st.markdown(f"**{t('data.source_tables')}**")
    st.dataframe(
        neutralise(fetch(data_page.source_summary)),
        hide_index=True,
        placeholder=MISSING,  # an empty table has no first or last date
        column_config={
            "table_name": t("data.table"),
            "rows": st.column_config.NumberColumn(t("data.rows"), format="localized"),
            "first_date": st.column_config.DateColumn(t("data.first_date")),
            "last_date": st.column_config.DateColumn(t("data.last_date")),
        },
    )
with right:
    st.markdown(f"**{t('data.derived_tables')}**")
    st.dataframe(
        neutralise(fetch(data_page.derived_summary)),
        hide_index=True,
        height=210,
        column_config={
            "table_name": t("data.table"),
            "rows": st.column_config.NumberColumn(t("data.rows"), format="localized"),
        },
    )

st.markdown(f"**{t('data.recent_loads')}**")
loads = fetch(data_page.recent_loads, limit=20)
if loads.is_empty():
    st.info(t("data.no_loads"))
else:
    st.dataframe(
        neutralise(loads),
        hide_index=True,
        placeholder=MISSING,  # a load without notes
        column_config={
            "load_id": "#",
            "loaded_at": st.column_config.DatetimeColumn(
                t("data.loaded_at"), format="YYYY-MM-DD HH:mm"
            ),
            "source_file": t("data.file"),
            "table_name": t("data.table"),
            "rows_read": st.column_config.NumberColumn(t("data.read"), format="localized"),
            "rows_accepted": st.column_config.NumberColumn(t("data.accepted"), format="localized"),
            "rows_rejected": st.column_config.NumberColumn(t("data.rejected"), format="localized"),
            "note": t("data.notes"),
        },
    )

# --- upload with a validation preview -----------------------------------------------------
st.subheader(t("data.upload"))
st.caption(t("data.upload_help"))
limit_mb = int(st.get_option("server.maxUploadSize"))
uploader_in_language(["csv", "parquet", "xlsx"])
uploads = st.file_uploader(
    t("data.uploader"),
    type=["csv", "parquet", "xlsx"],
    accept_multiple_files=True,
    key=f"uploads_{st.session_state.get('upload_round', 0)}",
)
files: list[tuple[str, bytes]] = []
for upload in uploads or []:
    refused = refusal(upload.name, upload.size, limit_mb)
    if refused:
        st.error(refused)
    else:
        files.append((upload.name, upload.getvalue()))

if files:
    with holder().connection() as con:
        prepared = prepare(con, files)
    reports = [p.report for p in prepared]
    st.markdown(f"**{t('data.preview')}**")
    load_report.show(reports, key="preview")
    valid_rows = sum(r.rows_accepted for r in reports if r.status in ("loaded", "partial"))
    if valid_rows == 0:
        st.warning(t("data.nothing_to_load"))
    elif st.button(t("data.load_button", rows=f"{valid_rows:,}"), type="primary"):
        bar = st.progress(0.0, text=t("data.loading"))

        def progress(label: str, step: int, total: int) -> None:
            bar.progress(min(step / max(total, 1), 1.0), text=progress_text(label))

        release()  # this process is about to swap in a new warehouse file
        try:
            # Validate again on the writable copy: the warehouse may have changed since the preview.
            with warehouse.writing() as con:
                result = commit(con, prepare(con, files), progress=progress)
        except Exception as err:  # noqa: BLE001 - shown to the user; the warehouse is unchanged
            st.session_state["data_flash"] = (
                "error",
                t("data.load_failed", error=markdown_text(err)),
            )
        else:
            accepted = sum(r.rows_accepted for r in result.reports if r.status in WRITTEN)
            rejected = sum(r.rows_rejected for r in result.reports if r.status in WRITTEN)
            st.session_state["data_flash"] = (
                ("ok", t("data.loaded", accepted=f"{accepted:,}", rejected=f"{rejected:,}"))
                if result.changed
                else ("error", t("data.nothing_changed"))
            )
            # shown below the uploader (now empty) until the next upload: what this load did
            st.session_state["data_last_load"] = result.reports
            st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1
            auth.record(
                "load",
                detail="upload " + ", ".join(r.source for r in result.reports),
                rows=accepted,
            )
        st.cache_data.clear()
        st.rerun()
    # a file refused for its name or headers: a mapping proposed from its headers, then loaded
    mapping_flow(files, reports)
elif st.session_state.get("data_last_load"):
    st.markdown(f"**{t('data.last_load')}**")
    load_report.show(st.session_state["data_last_load"], key="last_load")

# --- quarantine ---------------------------------------------------------------------------
st.subheader(t("data.quarantine"))
table_choice = st.selectbox(
    t("data.quarantine_table"),
    ["", *warehouse.SOURCE_TABLES],
    format_func=lambda name: name or t("filters.all"),
    key="quarantine_table",
)
rejected_rows = fetch(data_page.quarantine, table_name=table_choice, limit=5000)
if rejected_rows.is_empty():
    st.info(t("data.quarantine_empty"))
else:
    st.dataframe(
        neutralise(with_rule_text(rejected_rows)),
        hide_index=True,
        column_config={
            "load_id": "#",
            "loaded_at": st.column_config.DatetimeColumn(
                t("data.loaded_at"), format="YYYY-MM-DD HH:mm"
            ),
            "table_name": t("data.table"),
            "source_file": t("data.file"),
            "row_number": t("data.row"),
            "column_name": t("data.column"),
            "rule": t("data.rule"),
            "value": t("data.value"),
        },
    )
    st.download_button(
        t("data.download_quarantine"),
        data=auth.audited("quarantine", "csv", lambda: rejected_rows, to_csv),
        file_name="quarantine.csv",
        mime="text/csv",
    )

# --- data quality -------------------------------------------------------------------------
st.subheader(t("data.quality"))
quality = fetch(data_page.data_quality)
st.dataframe(
    neutralise(
        quality.with_columns(
            pl.col("check_name").replace(
                {
                    name: t(f"data_quality.{name.replace(' ', '_')}")
                    for name in quality["check_name"].unique().to_list()
                }
            )
        )
    ),
    hide_index=True,
    column_config={
        "table_name": t("data.table"),
        "check_name": t("data.check"),
        "offending": st.column_config.NumberColumn(t("data.offending"), format="localized"),
        "total": st.column_config.NumberColumn(t("data.total"), format="localized"),
        "share": st.column_config.ProgressColumn(
            t("data.share"), min_value=0.0, max_value=1.0, format="percent"
        ),
    },
)

# --- alerts: subscriptions and deliveries (python -m data alerts) --------------------------
alerts_section()
