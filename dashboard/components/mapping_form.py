"""The widgets of a proposed mapping: which tables a file feeds, which header feeds each field (or
a fixed value), how its dates and numbers are written, which file names it reads. Returns the
mapping document the widgets describe (data.mapping_proposal.mapping_document); the proposal
only preselects, every choice is the user's.
"""

from __future__ import annotations

import zlib
from datetime import date

import polars as pl
import streamlit as st

from dashboard.i18n import t
from data.extract_sample import Sample
from data.mapping_proposal import (
    DATE_FORMATS,
    INVOICE_TABLES,
    ISO_DATE,
    LINKED,
    MODES,
    NUMBER_FORMATS,
    Choice,
    mapping_document,
    missing_required,
    propose_choices,
    propose_date_format,
    propose_number_format,
    propose_pattern,
    propose_target,
    required,
    table_fields,
)
from data.warehouse import KEYS, LOAD_ORDER
from schemas.source import columns

# Options of a field's selectbox besides the file's headers (\x00 keeps them apart from any header).
EMPTY, FIXED = "\x00empty", "\x00fixed"
FIELDS_PER_ROW = 3
SAMPLE_DAY = date(2024, 3, 31)


def _digest(parts: list[str]) -> str:
    """A short stable tag of some choices, for a widget key that changes with them."""
    return f"{zlib.crc32(chr(0).join(parts).encode()):08x}"


def table_label(table: str) -> str:
    return t(f"mapping_tables.{table}")


def field_label(table: str, field: str) -> str:
    return t(f"mapping_fields.{table}.{field}")


def _date_label(fmt: str) -> str:
    if fmt == "excel":
        return t("mapping.excel_dates")
    return f"{SAMPLE_DAY.strftime(fmt)}  ({fmt})"


def _number_label(pair: tuple[str, str | None]) -> str:
    decimal, thousands = pair
    grouped = {None: "1234", " ": "1 234"}.get(thousands, f"1{thousands}234")
    return f"{grouped}{decimal}50"


def mapping_form(key: str, name: str, sample: Sample, currency: str) -> tuple[dict | None, str]:
    """Draw the widgets for file `name`; returns (mapping document, or None while a required
    field has no source, and the mapping's file-name pattern). `key` prefixes every widget key."""
    first_mode, first_table = propose_target(name, sample.headers)
    mode = st.radio(
        t("mapping.mode"),
        MODES,
        index=MODES.index(first_mode),
        format_func=lambda m: t(f"mapping.mode_{m}"),
        horizontal=True,
        key=f"{key}_mode",
    )
    if mode == "one_table":
        table = st.selectbox(
            t("mapping.table"),
            LOAD_ORDER,
            index=LOAD_ORDER.index(first_table),
            format_func=table_label,
            key=f"{key}_table",
        )
        tables: tuple[str, ...] = (table,)
    else:
        table, tables = "payments", INVOICE_TABLES
    proposed = propose_choices(mode, table, sample.headers, currency)
    choices: dict[str, dict[str, Choice]] = {}
    for target in tables:
        choices[target] = _table_widgets(f"{key}_{mode}", target, mode, sample, proposed, choices)

    date_columns, number_columns = [], []
    for target, fields in choices.items():
        for field, choice in fields.items():
            dtype = columns(target)[field][0]
            if choice.column and dtype == pl.Date:
                date_columns.append(choice.column)
            elif choice.column and dtype in (pl.Float64, pl.Int64):
                number_columns.append(choice.column)
    left, right = st.columns(2)
    suggested_date = propose_date_format(sample.first_values(date_columns)) or ISO_DATE
    suggested_number = propose_number_format(sample.first_values(number_columns))
    with left:
        # keyed by the date columns: choosing other columns proposes their format afresh
        date_format = st.selectbox(
            t("mapping.dates"),
            DATE_FORMATS,
            index=DATE_FORMATS.index(suggested_date) if suggested_date in DATE_FORMATS else 0,
            format_func=_date_label,
            help=t("mapping.dates_help"),
            key=f"{key}_dates_{_digest(date_columns)}",
        )
    with right:
        number_format = st.selectbox(
            t("mapping.numbers"),
            NUMBER_FORMATS,
            index=NUMBER_FORMATS.index(suggested_number)
            if suggested_number in NUMBER_FORMATS
            else 0,
            format_func=_number_label,
            key=f"{key}_numbers_{_digest(number_columns)}",
        )
    pattern = st.text_input(
        t("mapping.pattern"), value=propose_pattern(name), key=f"{key}_pattern"
    ).strip()
    missing = missing_required(mode, choices)
    if missing:
        st.warning(
            t(
                "mapping.missing",
                fields=t("data.note_separator").join(
                    f"{table_label(tb)} · {field_label(tb, f)}" for tb, f in missing
                ),
            )
        )
        return None, pattern
    document = mapping_document(
        pattern or propose_pattern(name),
        mode,
        choices,
        date_format=date_format,
        decimal=number_format[0],
        thousands=number_format[1],
    )
    return document, pattern


def _table_widgets(
    key: str,
    table: str,
    mode: str,
    sample: Sample,
    proposed: dict[str, dict[str, Choice]],
    chosen: dict[str, dict[str, Choice]],
) -> dict[str, Choice]:
    """One table's fields, FIELDS_PER_ROW to a row: a selectbox of the file's headers (the
    proposal preselected) and, for a fixed value, a text box under it."""
    st.markdown(f"**{table_label(table)}**")
    derived = mode == "invoice_list" and table != "payments"
    notes = []
    if derived:
        notes.append(t("mapping.derived", key=field_label(table, KEYS[table][0])))
    if mode == "invoice_list":
        for (t_name, field), (source_table, _) in LINKED.items():
            if t_name == table:
                notes.append(
                    t(
                        "mapping.linked",
                        field=field_label(table, field),
                        table=table_label(source_table),
                    )
                )
    for note in notes:
        st.caption(note)
    result: dict[str, Choice] = {}
    fields = table_fields(mode, table)
    for start in range(0, len(fields), FIELDS_PER_ROW):
        for slot, field in zip(
            st.columns(FIELDS_PER_ROW), fields[start : start + FIELDS_PER_ROW], strict=False
        ):
            with slot:
                result[field] = _field_widget(
                    f"{key}_{table}_{field}", table, field, sample, proposed[table][field], chosen
                )
    return result


def _field_widget(
    key: str,
    table: str,
    field: str,
    sample: Sample,
    proposal: Choice,
    chosen: dict[str, dict[str, Choice]],
) -> Choice:
    options = [FIXED, *sample.headers]
    if not required(table, field):
        options.insert(0, EMPTY)
    if proposal.column in sample.headers:
        first = proposal.column
    elif proposal.value is not None or required(table, field):
        first = FIXED
    else:
        first = EMPTY
    label = field_label(table, field)
    picked = st.selectbox(
        t("mapping.required", field=label) if required(table, field) else label,
        options,
        index=options.index(first),
        format_func=lambda o: {EMPTY: t("mapping.empty"), FIXED: t("mapping.fixed")}.get(o, o),
        key=key,
    )
    if picked == EMPTY:
        return Choice()
    if picked != FIXED:
        return Choice(column=picked)
    default = proposal.value or ""
    if (table, field) == ("contracts", "contract_id"):
        # an open account per customer: follows the customer column chosen above
        customer = chosen.get("customers", {}).get("customer_id", Choice()).column
        default = f"OA-{{{customer}}}" if customer else default
        key = f"{key}_{_digest([customer or ''])}"
    value = st.text_input(
        t("mapping.value", field=label),
        value=default,
        help=t("mapping.value_help"),
        key=f"{key}_value",
        label_visibility="collapsed",
    )
    return Choice(value=value)
