"""Every page in both languages, read the way a person reads it: no raw codes, nulls or English on
Chinese pages (issue 17).

One server on the session's demo warehouse, one Chromium of its own (see tests/test_browser_zh.py
for why a thread of its own), every page in the sidebar navigation opened in English and in
Chinese (`?lang=`). Each page is read three ways, because `innerText` alone misses two of them:

- the visible text of the main area and the sidebar (`innerText`: collapsed expanders and other
  tabs are not visible, so they are not read);
- the table cells: st.dataframe draws on a canvas (glide-data-grid), and its text is not in
  `innerText`. Two readings: glide's accessible `<table role="grid">` inside the canvas (the header
  and the rows in view, as a screen reader gets them; a number column holds its value, not the
  formatted text, and a missing value is an empty cell), and the data itself as the page was sent
  it (each dataframe's Arrow payload in the websocket's messages, every row): a missing value in a
  shown column is drawn as "None" unless the dataframe has a placeholder, and a text column's
  values are checked like any text;
- the SVG text of the Plotly charts (axes, legends, titles, annotations; hover labels are not on
  screen and are not read).

A full-page screenshot per page and language goes to test-artifacts/screenshots/walk-<page>-<lang>.png:
look at them. Run on demand: `uv run --no-sync pytest tests/test_browser_walk.py -q -x`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from dashboard.i18n import catalogue
from tests.browser_helpers import (
    ARTIFACTS,
    VIEWPORT,
    dashboard_server,
    exception_text,
    nav_paths,
    settle,
)
from tests.test_browser_zh import in_own_browser

SHOTS = ARTIFACTS / "screenshots"

# What a page shows, by where it is drawn (see the module docstring).
_READ_JS = """
() => {
  // Material icons are ligature text ("arrow_forward" drawn as an arrow), and code spans are what
  // a user types as it is (a command, a file's table name): neither is read as words.
  const hide = document.createElement('style');
  hide.textContent = '[data-testid="stIconMaterial"], [aria-hidden="true"][translate="no"], ' +
    'code, pre {display: none !important}';
  document.head.appendChild(hide);
  const text = sel => { const el = document.querySelector(sel); return el ? el.innerText : ''; };
  const cells = [];
  document.querySelectorAll('[data-testid="stDataFrame"] table[role="grid"] tr').forEach(tr => {
    cells.push(Array.from(tr.children).map(c => c.textContent.trim()).join(' | '));
  });
  const charts = [];
  document.querySelectorAll('[data-testid="stPlotlyChart"] .main-svg text').forEach(el => {
    if (el.textContent.trim()) charts.push(el.textContent.trim());
  });
  const seen = {main: text('[data-testid="stMain"]'), sidebar: text('[data-testid="stSidebar"]'),
                cells, charts};
  hide.remove();
  return seen;
}
"""

NULLISH = re.compile(r"(?<![\w.])(None|nan|NaN|null|NaT|undefined|<NA>)(?![\w.])")
# lower_snake tokens: a code (`production_halt`, `account_manager`) shown as it is stored.
SNAKE = re.compile(r"(?<![\w.@/:=-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w@/:=-])")
# Python list or tuple reprs: "['AAA', 'AA', ...]".
LIST_REPR = re.compile(r"[\[(]\s*'[^']*'\s*,")
# A float as Python prints it: "-200000.0", "0.12345678" (formatted numbers have separators and
# a few decimals; "1.0" is left alone, a version or a plain ratio reads like that).
RAW_FLOAT = re.compile(r"(?<![\w.,])-?\d{5,}\.\d+(?![\w.,])|(?<![\w.,])-?\d+\.\d{6,}(?![\w,])")
# Four or more ASCII letters: an English word on a Chinese page.
ENGLISH_WORD = re.compile(r"(?<![\w.@/:=-])[A-Za-z]{4,}(?![\w@/:=-])")
# An axis tick in SI units ("200M", "1.5k"): a Chinese reader counts in 万 and 亿.
SI_TICK = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?[kMGTB](?![\w])")
# A link's target as a table cell holds it (the grid shows its display text instead).
URL = re.compile(r"\S*\?\S*=\S*")
# ASCII words that are right on a Chinese page, kept small: names of things that have no Chinese
# name (the product's file formats and the libraries a page names as sources) and the
# statistics' own abbreviations that Chinese credit texts also write in Latin letters.
ZH_ALLOWED_WORDS = frozenset(
    {
        # file formats an upload names (they have no Chinese name)
        "Excel", "TOML", "XLSX", "PARQUET", "DuckDB",
        # proper names of methods, which Chinese credit-risk texts write in Latin letters
        "Gini", "Clopper", "Pearson", "IFRS",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Finding:
    page: str
    lang: str
    where: str
    what: str
    context: str

    def __str__(self) -> str:
        return (
            f"{self.page or 'overview'} [{self.lang}] {self.where}: {self.what} in …{self.context}…"
        )


def catalogue_key_pattern() -> re.Pattern:
    """A catalogue key shown as it is ("watchlist.title"): its section names followed by a dot
    and a lower-case name, which no message text contains."""
    sections = sorted({key.split(".", 1)[0] for key in catalogue("en")}, key=len, reverse=True)
    return re.compile(r"(?<![\w.])(?:" + "|".join(map(re.escape, sections)) + r")\.[a-z_]+\b")


def _context(text: str, start: int, end: int, width: int = 40) -> str:
    return " ".join(text[max(0, start - width) : end + width].split())


def offences(
    text: str, lang: str, data_words: frozenset[str] = frozenset(), where: str = "text"
) -> list[tuple[str, str]]:
    """(what, context) for each thing in `text` no reader should see: nulls, codes, catalogue
    keys, list reprs, raw floats and, in Chinese, English words and SI-unit ticks.

    `data_words` are the user's own data a page shows as it is stored (see data_words); a word
    is theirs when it is one of them or the start of one (a long name cut to fit a chart label).
    Table cells ("table", "data") hold a number column's value rather than its formatted text,
    so raw floats are not looked for there, and a link column's target is not read.
    """
    cells = where in ("table", "data")
    if cells:
        text = URL.sub(" ", text)
    found = []
    checks = [
        ("null", NULLISH),
        ("code", SNAKE),
        ("catalogue key", catalogue_key_pattern()),
        ("list repr", LIST_REPR),
    ]
    if not cells:
        checks.append(("raw float", RAW_FLOAT))
    if lang == "zh" and where == "chart":
        checks.append(("SI-unit tick", SI_TICK))
    for what, pattern in checks:
        for match in pattern.finditer(text):
            if what == "code" and match.group(0) in data_words:
                continue
            found.append((f"{what} {match.group(0)!r}", _context(text, match.start(), match.end())))
    if lang == "zh":
        for match in ENGLISH_WORD.finditer(text):
            word = match.group(0)
            if word in ZH_ALLOWED_WORDS or _is_data(word, data_words):
                continue
            found.append((f"English {word!r}", _context(text, match.start(), match.end())))
    return found


def _is_data(word: str, data_words: frozenset[str]) -> bool:
    return word in data_words or any(w.startswith(word) for w in data_words if len(w) > len(word))


def data_words(db: Path) -> frozenset[str]:
    """The user's own data that pages show as stored: the words of customer names, owners, ids,
    risk events' notes and who approved a contract, and the warehouse's table and column names (the names a loaded file
    must carry)."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.sql("select name, owner, customer_id from customers").fetchall()
        rows += con.sql("select note from risk_events where note is not null").fetchall()
        rows += con.sql(
            "select approved_by from contracts where approved_by is not null"
        ).fetchall()
        names = con.sql("select table_name, column_name from information_schema.columns").fetchall()
    words = {word for row in rows for value in row for word in re.findall(r"\w+", value)}
    return frozenset(words | {name for row in names for name in row})


def sample_customers(db: Path) -> list[str]:
    """Customers whose own page shows the most kinds of things: the one with the most kinds of
    risk events, the one with the most contract kinds and statuses, and one that has left the
    watchlist and one still on it (the spells table's "left" column)."""
    with duckdb.connect(str(db), read_only=True) as con:
        ids = [
            con.sql(
                "select customer_id from risk_events group by 1"
                " order by count(distinct kind) desc, count(*) desc, 1 limit 1"
            ).fetchall()[0][0],
            con.sql(
                "select customer_id from contracts group by 1"
                " order by count(distinct kind || status) desc, count(*) desc, 1 limit 1"
            ).fetchall()[0][0],
        ]
        for on_list in ("is null", "is not null"):  # still on the watchlist, and left it
            spell = con.sql(
                f"select customer_id from watchlist_spells where left_on {on_list}"
                " order by months_on desc, 1 limit 1"
            ).fetchall()
            ids += [spell[0][0]] if spell else []
    return list(dict.fromkeys(ids))


def sent_tables(frames: list[bytes]) -> list[tuple[str, pa.Table]]:
    """Every dataframe in the websocket messages a page run sent: (its column labels, the shown
    columns as an Arrow table), and whether it has a placeholder for missing values."""
    tables = []
    for raw in frames:
        message = ForwardMsg()
        try:
            message.ParseFromString(raw)
        except Exception:  # noqa: BLE001 - a frame that is no ForwardMsg is no table
            continue
        if message.WhichOneof("type") != "delta":
            continue
        if message.delta.WhichOneof("type") != "new_element":
            continue
        element = message.delta.new_element
        if element.WhichOneof("type") != "dataframe":
            continue
        frame = element.dataframe
        data = frame.arrow_data.data or frame.lazy_data.initial_chunk
        if not data:
            continue
        table = pa.ipc.open_stream(data).read_all()
        config = json.loads(frame.columns) if frame.columns else {}
        order = list(frame.column_order)
        shown = [
            name
            for name in table.column_names
            if not name.startswith("__index_level")
            and not (config.get(name) or {}).get("hidden")
            and (not order or name in order)
        ]
        labels = {n: (config.get(n) or {}).get("label") or n for n in shown}
        tables.append((labels, table.select(shown), frame.HasField("placeholder")))
    return tables


def read_tables(frames: list[bytes]) -> tuple[list[tuple[str, str]], str]:
    """(column label, "None" drawn for a missing value) per shown column with nulls and no
    placeholder, and the text of every text cell sent, one row a line."""
    nulls, lines = [], []
    for labels, table, has_placeholder in sent_tables(frames):
        for name in table.column_names:
            column = table[name]
            if column.null_count and not has_placeholder:
                nulls.append((labels[name], f"{column.null_count} of {len(column)} rows"))
        texts = [
            n
            for n in table.column_names
            if pa.types.is_string(table[n].type) or pa.types.is_large_string(table[n].type)
        ]
        for row in table.select(texts).to_pylist():
            lines.append(" | ".join(v for v in row.values() if v))
    return nulls, "\n".join(lines)


def read_page(tab) -> dict[str, str]:
    seen = tab.evaluate(_READ_JS)
    return {
        "text": seen["main"] + "\n" + seen["sidebar"],
        "table": "\n".join(seen["cells"]),
        "chart": "\n".join(seen["charts"]),
    }


def walk(
    browser,
    server: str,
    words: frozenset[str],
    customers: list[str],
    findings: list[Finding],
    seen: dict,
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for lang in ("en", "zh"):
        context = browser.new_context(viewport=VIEWPORT, locale="en-US")
        tab = context.new_page()
        frames: list[bytes] = []

        def keep(payload, frames=frames) -> None:
            if isinstance(payload, bytes):
                frames.append(payload)

        tab.on("websocket", lambda ws, keep=keep: ws.on("framereceived", keep))
        try:
            tab.goto(f"{server}/?lang={lang}")
            settle(tab)
            paths = nav_paths(tab, server)
            assert len(paths) >= 10, f"the navigation lists only {paths}"
            visits = [(path, f"{path}?lang={lang}") for path in paths]
            visits += [(f"customer-{c}", f"customer?customer={c}&lang={lang}") for c in customers]
            for path, address in visits:
                frames.clear()
                tab.goto(f"{server}/{address}")
                settle(tab)
                tab.mouse.move(0, 0)  # no hover label over a chart in the screenshot
                tab.screenshot(
                    path=str(SHOTS / f"walk-{path or 'overview'}-{lang}.png"), full_page=True
                )
                error = exception_text(tab)
                if error:  # its traceback is English and codes: the exception is the finding
                    findings.append(Finding(path, lang, "page", "an exception", error[:300]))
                    continue
                parts = read_page(tab)
                nulls, parts["data"] = read_tables(frames)
                seen[(path, lang)] = parts
                for label, count in nulls:
                    findings.append(
                        Finding(
                            path, lang, "table", "'None' for missing values", f"{label}: {count}"
                        )
                    )
                for where, text in parts.items():
                    for what, ctx in offences(text, lang, words, where):
                        findings.append(Finding(path, lang, where, what, ctx))
        finally:
            context.close()


@pytest.fixture(scope="module")
def server(demo_db):
    with dashboard_server(demo_db, ARTIFACTS / "streamlit-walk.log") as url:
        yield url


def test_every_page_in_both_languages_shows_no_codes_nulls_or_english_on_chinese(server, demo_db):
    findings: list[Finding] = []
    seen: dict = {}
    in_own_browser(walk, server, data_words(demo_db), sample_customers(demo_db), findings, seen)
    # The three readings really read something: table cells (the Watchlist's grid) and chart
    # text (the Overview's axes) in both languages, so an empty reading cannot pass as clean.
    for lang in ("en", "zh"):
        assert seen[("watchlist", lang)]["table"].count("\n") >= 3, seen[("watchlist", lang)]
        assert seen[("", lang)]["chart"], f"no chart text read on the Overview [{lang}]"
    assert not findings, f"{len(findings)} things no reader should see:\n" + "\n".join(
        map(str, findings)
    )


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Event: production_halt", "en", "code 'production_halt'"),
        ("Left: None", "en", "null 'None'"),
        ("Notes | nan | 3", "en", "null 'nan'"),
        ("Rule: ['AAA', 'AA', 'A']", "en", "list repr"),
        ("Limit change -200000.0", "en", "raw float '-200000.0'"),
        ("shown as watchlist.title here", "en", "catalogue key 'watchlist.title'"),
        ("额度建议 maintain", "zh", "English 'maintain'"),
        ("来源 observed", "zh", "English 'observed'"),
    ],
)
def test_the_reading_finds_what_the_issue_lists(text, lang, expected):
    assert any(what.startswith(expected) for what, _ in offences(text, lang)), offences(text, lang)


@pytest.mark.parametrize(
    "text",
    [
        "Exposure ¥1.2 bn, 25.0 % of limit, 3 customers, PD 1.0",
        "contact anna.berg@example.com on 2026-11-30",
        "风险敞口 ¥3.2 亿，客户 Meridian Shipping",
    ],
)
def test_the_reading_passes_ordinary_text(text):
    assert (
        offences(text, "zh" if "风险" in text else "en", frozenset({"Meridian", "Shipping"})) == []
    )
