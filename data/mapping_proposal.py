"""A mapping proposed for a file whose names match no table: which header feeds which field, how
its dates and numbers are written, and the mapping document (docs/mapping.md) those choices make.

Everything here is a proposal the Data page offers in its widgets; nothing is applied until the
user confirms, and the document then goes through data.mapping like a mapping file. Headers are
matched to fields by their names (exact after normalising, or close by difflib's ratio) against
the field's own name and a short list of synonyms in English, German and Chinese.

Two ways a file can feed the warehouse: `one_table` (every row is a row of one table) and
`invoice_list` (every row an invoice: payments, with the customers and contracts it implies
derived one per customer and per contract, never replacing rows the warehouse already has).
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from data.mapping import suggest_date_format, suggest_number_format
from data.mapping_synonyms import SYNONYMS
from data.warehouse import KEYS, LOAD_ORDER
from schemas.source import columns

MODES = ("invoice_list", "one_table")
INVOICE_TABLES = ("customers", "contracts", "payments")
CUTOFF = 0.8  # difflib ratio from which a header is proposed for a field
UNASSIGNED = "Unassigned"

# Fixed values offered for fields a file rarely has a column for (the user can change each).
CONSTANTS: dict[tuple[str, str], str] = {
    ("customers", "industry"): UNASSIGNED,
    ("customers", "region"): UNASSIGNED,
    ("customers", "segment"): UNASSIGNED,
    ("customers", "owner"): UNASSIGNED,
    ("customers", "status"): "active",
    # No limit on record: an invoice list says nothing about limits, and a limit made up from the
    # invoices (their sum) would hide every breach. 0 is what the invoice_list preset uses; the
    # user types their standard limit.
    ("customers", "credit_limit"): "0",
    ("contracts", "kind"): "sales",
    ("contracts", "payment_terms_days"): "30",
    ("contracts", "collateral_value"): "0",
    ("contracts", "status"): "active",
    ("payments", "amount_paid"): "0",
}
# A blank cell of these columns reads as this value (an unpaid invoice has no paid amount).
BLANK_AS: dict[tuple[str, str], str] = {
    ("payments", "amount_paid"): "0",
    ("contracts", "collateral_value"): "0",
}
# In an invoice list, the fields of the derived tables read from the invoice's own columns, and
# how the invoices of one customer or contract combine into its value.
DERIVED_FROM: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {
    ("customers", "onboarded_on"): (("issued_on", "due_on"), "min"),
    ("contracts", "signed_on"): (("issued_on", "due_on"), "min"),
    ("contracts", "start_on"): (("issued_on", "due_on"), "min"),
    ("contracts", "end_on"): (("due_on",), "max"),
    ("contracts", "amount"): (("amount_due",), "sum"),
}
# In an invoice list, fields given once and used again: (table, field) -> where it comes from.
LINKED = {
    ("contracts", "customer_id"): ("customers", "customer_id"),
    ("payments", "contract_id"): ("contracts", "contract_id"),
}
# Fields of an invoice list never matched by header: an invoice's status or type says nothing
# about its customer's or contract's, and the derived dates come from the invoice dates.
NOT_MATCHED_IN_INVOICES = {
    ("customers", "status"),
    ("customers", "onboarded_on"),
    ("contracts", "kind"),
    ("contracts", "status"),
    ("contracts", "amount"),
    ("contracts", "signed_on"),
    ("contracts", "start_on"),
    ("contracts", "end_on"),
    ("contracts", "approved_by"),
    ("contracts", "last_reviewed_on"),
    ("contracts", "interest_rate"),
}

DATE_FORMATS = (
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%Y/%m/%d",
    "%Y%m%d",
    "%Y年%m月%d日",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "excel",
)
ISO_DATE = "%Y-%m-%d"
SLASHED = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/")
# (decimal, thousands) pairs, plain numbers first.
NUMBER_FORMATS: tuple[tuple[str, str | None], ...] = (
    (".", None),
    (".", ","),
    (",", "."),
    (",", " "),
    (",", None),
    (".", "'"),
)


@dataclass(frozen=True)
class Choice:
    """Where one field comes from: a header of the file, or a fixed value (a template when it
    names headers in braces, `OA-{CustomerID}`), or neither (an optional field left empty)."""

    column: str | None = None
    value: str | None = None

    @property
    def given(self) -> bool:
        return self.column is not None or bool(self.value and self.value.strip())


def normalised(text: str) -> str:
    """A header or name for comparing: lower case, without spaces, punctuation or underscores
    ('Invoice No.' -> 'invoiceno', 'Beleg-Nr' -> 'belegnr'); Chinese characters are kept."""
    return re.sub(r"[\W_]+", "", text.casefold())


def header_score(header: str, table: str, field: str) -> float:
    """How well `header` names `field` of `table`: 1 for the field's name or a synonym after
    normalising, else difflib's best ratio against them (0-1)."""
    key = normalised(header)
    if not key:
        return 0.0
    names = [normalised(field), *(normalised(s) for s in SYNONYMS.get((table, field), ()))]
    if key in names:
        return 1.0
    return max(difflib.SequenceMatcher(None, key, name).ratio() for name in names)


def _assign(headers: list[str], targets: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Each target its best header at or above CUTOFF, each header used once: the best pairs
    first, ties in the order of the targets and headers."""
    pairs = []
    for t_rank, (table, field) in enumerate(targets):
        for h_rank, header in enumerate(headers):
            score = header_score(header, table, field)
            if score >= CUTOFF:
                pairs.append((-score, t_rank, h_rank))
    chosen: dict[tuple[str, str], str] = {}
    used: set[int] = set()
    for _, t_rank, h_rank in sorted(pairs):
        target = targets[t_rank]
        if target in chosen or h_rank in used:
            continue
        chosen[target] = headers[h_rank]
        used.add(h_rank)
    return chosen


def propose_columns(headers: list[str], table: str) -> dict[str, str | None]:
    """Field of `table` -> the header proposed for it (None: no header is close enough)."""
    targets = [(table, f) for f in columns(table)]
    chosen = _assign(headers, targets)
    return {field: chosen.get((table, field)) for field in columns(table)}


def table_fields(mode: str, table: str) -> list[str]:
    """The fields the user chooses a source for: every field, less those given once elsewhere
    (LINKED) in an invoice list."""
    return [
        field
        for field in columns(table)
        if not (mode == "invoice_list" and (table, field) in LINKED)
    ]


def required(table: str, field: str) -> bool:
    return not columns(table)[field][1]


def propose_target(name: str, headers: list[str]) -> tuple[str, str]:
    """(mode, table) to offer first: the table the file is named after; else an invoice list
    when the headers name an invoice, its due date, amount and customer; else the table whose
    required fields the headers cover best."""
    stem = Path(name).name.split(".", 1)[0].strip().lower().replace("-", "_").replace(" ", "_")
    if stem in LOAD_ORDER:
        return "one_table", stem
    invoice = _assign(
        headers,
        [
            ("payments", "payment_id"),
            ("payments", "due_on"),
            ("payments", "amount_due"),
            ("customers", "customer_id"),
        ],
    )
    if len(invoice) == 4:
        return "invoice_list", "payments"

    def covered(table: str) -> float:
        proposed = propose_columns(headers, table)
        needed = [f for f in columns(table) if required(table, f)]
        return sum(proposed[f] is not None for f in needed) / len(needed)

    best = max(LOAD_ORDER, key=lambda table: (covered(table), -LOAD_ORDER.index(table)))
    return "one_table", best


def propose_choices(
    mode: str, table: str, headers: list[str], currency: str
) -> dict[str, dict[str, Choice]]:
    """Table -> field -> proposed Choice, for the tables the mode feeds (`table` in one_table
    mode; customers, contracts and payments in an invoice list). `currency` is the constant
    offered for a contract's currency (the warehouse's reporting currency)."""
    constants = {**CONSTANTS, ("contracts", "currency"): currency}
    if mode == "one_table":
        proposed = propose_columns(headers, table)
        return {
            table: {
                field: Choice(column=proposed[field])
                if proposed[field]
                else Choice(value=constants.get((table, field)))
                for field in columns(table)
            }
        }
    targets = [
        (t, f)
        for t in ("payments", "customers", "contracts")
        for f in table_fields(mode, t)
        if (t, f) not in NOT_MATCHED_IN_INVOICES
    ]
    found = _assign(headers, targets)
    choices: dict[str, dict[str, Choice]] = {}
    for t in INVOICE_TABLES:
        choices[t] = {}
        for field in table_fields(mode, t):
            header = found.get((t, field))
            if header is None and (t, field) in DERIVED_FROM:
                sources, _ = DERIVED_FROM[(t, field)]
                header = next(
                    (found[("payments", s)] for s in sources if ("payments", s) in found), None
                )
            if header is None and (t, field) == ("customers", "name"):
                header = found.get(("customers", "customer_id"))
            if header is not None:
                choices[t][field] = Choice(column=header)
            elif (t, field) == ("contracts", "contract_id"):
                customer = found.get(("customers", "customer_id"))
                choices[t][field] = Choice(value=f"OA-{{{customer}}}" if customer else None)
            else:
                choices[t][field] = Choice(value=constants.get((t, field)))
    return choices


def missing_required(mode: str, choices: dict[str, dict[str, Choice]]) -> list[tuple[str, str]]:
    """(table, field) of every required field with neither a column nor a value."""
    return [
        (table, field)
        for table, fields in choices.items()
        for field in table_fields(mode, table)
        if required(table, field) and not fields.get(field, Choice()).given
    ]


def propose_date_format(values: list[str]) -> str | None:
    """The date format most of `values` are written in (suggest_date_format per value), or None
    when none looks like a date. Month-first slashes become day-first when a first number is
    above 12 (31/01/2024 cannot be month 31)."""
    found = Counter(s for v in values if v and (s := suggest_date_format(v)))
    if not found:
        return None
    fmt = found.most_common(1)[0][0]
    if fmt.startswith("%m/%d/%Y"):
        parts = [m.groups() for v in values if v and (m := SLASHED.match(v))]
        if any(int(a) > 12 for a, _ in parts) and all(int(b) <= 12 for _, b in parts):
            fmt = "%d/%m/%Y" + fmt[len("%m/%d/%Y") :]
    return fmt


def propose_number_format(values: list[str]) -> tuple[str, str | None]:
    """(decimal, thousands) most of `values` are written with (suggest_number_format per value);
    ('.', None) when they are plain numbers."""
    found: Counter[tuple[str, str | None]] = Counter()
    for value in values:
        suggestion = suggest_number_format(value) if value else None
        # the sign conventions (trailing minus, parentheses) are not separators: left to the user
        if suggestion and ("decimal" in suggestion or "thousands" in suggestion):
            found[_separators(suggestion)] += 1
    return found.most_common(1)[0][0] if found else (".", None)


def _separators(suggestion: str) -> tuple[str, str | None]:
    """('decimal = ",", thousands = "."') -> (',', '.')."""
    decimal = re.search(r'decimal = "(.)"', suggestion)
    thousands = re.search(r'thousands = "(.)"', suggestion)
    return (decimal[1] if decimal else "."), (thousands[1] if thousands else None)


def propose_pattern(name: str) -> str:
    """A file-name glob for files like `name` next time: digit runs become * (a date or number
    in the name changes from one extract to the next): 'AR_2024-06.csv' -> 'ar_*-*.csv'."""
    base = Path(name).name.lower()
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    pattern = re.sub(r"\d+", "*", stem)
    pattern = re.sub(r"[\[\]?*]+", "*", pattern)
    return f"{pattern}.{suffix}" if dot else pattern


def _field(
    table: str,
    field: str,
    choice: Choice,
    aggregate: str | None = None,
    date_format: str | None = None,
    decimal: str = ".",
) -> object:
    """The TOML value of one field (docs/mapping.md): a header, { column, … }, a template or a
    constant in the warehouse's own form (ISO dates, plain numbers)."""
    dtype = columns(table)[field][0]
    if choice.column is not None:
        spec: dict[str, object] = {"column": choice.column}
        if aggregate and aggregate != "first":
            spec["aggregate"] = aggregate
        if (table, field) in BLANK_AS:
            spec["default"] = BLANK_AS[(table, field)]
        return spec if len(spec) > 1 else choice.column
    text = (choice.value or "").strip()
    if re.search(r"\{[^{}]+\}", text):
        return {"template": text}
    spec = {"value": _constant(text, dtype)}
    if dtype == pl.Date and date_format:
        spec["format"] = ISO_DATE  # a constant is written as the warehouse writes dates
    if dtype in (pl.Float64, pl.Int64) and decimal != ".":
        spec["decimal"] = "."
    return spec


def _constant(text: str, dtype: type[pl.DataType]) -> object:
    if dtype in (pl.Float64, pl.Int64):
        try:
            number = float(text)
        except ValueError:
            return text  # the field then fails with the rule's own message
        return int(number) if number.is_integer() else number
    return text


def mapping_document(
    pattern: str,
    mode: str,
    choices: dict[str, dict[str, Choice]],
    date_format: str | None = None,
    decimal: str = ".",
    thousands: str | None = None,
    description: str | None = None,
) -> dict:
    """The mapping document (as tomllib reads a mapping file) of one [[file]] block: the
    `choices` per table, fields without a source left out. In an invoice list the customers and
    contracts are derived one per key, only for keys the warehouse does not have yet, and the
    linked fields (LINKED) repeat the choice they link to. ISO dates declare no date_format."""
    block: dict[str, object] = {"pattern": pattern}
    if description:
        block["description"] = description
    if date_format and date_format != ISO_DATE:
        block["date_format"] = date_format
    if decimal != ".":
        block["decimal"] = decimal
    if thousands:
        block["thousands"] = thousands
    invoices = mode == "invoice_list"
    amount_column = choices.get("payments", {}).get("amount_due", Choice()).column
    for table in LOAD_ORDER:
        if table not in choices:
            continue
        fields = dict(choices[table])
        if invoices:
            for (t, field), (source_table, source_field) in LINKED.items():
                if t == table:
                    fields[field] = choices[source_table][source_field]
        spec: dict[str, object] = {}
        derived = invoices and table != "payments"
        if derived:
            spec["unique_by"] = KEYS[table][0]
            spec["if_missing"] = True
        for field in columns(table):
            choice = fields.get(field, Choice())
            if not choice.given:
                continue
            aggregate = None
            if derived and (table, field) in DERIVED_FROM:
                aggregate = DERIVED_FROM[(table, field)][1]
                if aggregate == "sum" and choice.column != amount_column:
                    aggregate = "max"  # a limit column is the limit, not a sum of limits
            spec[field] = _field(table, field, choice, aggregate, date_format, decimal)
        block[table] = spec
    return {"file": [block]}
