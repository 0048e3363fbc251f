"""Customer Risk Dashboard — the script app.py serves: page setup, first-start demo build, filters,
navigation."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard.i18n import LANGUAGES, SESSION_KEY, language, t

# An emoji, not a :material/…: icon: Streamlit fetches a material favicon from fonts.gstatic.com
# on every page view, and the app makes no request to another host.
st.set_page_config(page_title=t("app.title"), page_icon="🛡️", layout="wide")

# On a server's first run these imports (Polars, DuckDB, Pandera, Plotly) take seconds: a spinner
# is on screen meanwhile instead of a blank page. Later runs find them loaded and show nothing.
with st.spinner(t("app.loading")):
    from dashboard import auth, warm
    from dashboard.access import fetch
    from dashboard.components.formats import set_currency
    from dashboard.components.freshness import freshness_line
    from dashboard.components.progress import progress_text
    from dashboard.filters import sidebar
    from data import warehouse
    from queries.settings import reporting_currency, warehouse_settings

ROOT = Path(__file__).resolve().parent
# (section, message key, file, url path, icon). A page is listed only once its file exists.
# Page files never share a name with a module (`data`, `collections`): a page run on its own puts
# dashboard/pages on sys.path, where such a file would shadow the real module.
PAGES = [
    ("portfolio", "overview", "dashboard/pages/overview.py", "overview", ":material/dashboard:"),
    ("portfolio", "grades", "dashboard/pages/grades.py", "grades", ":material/stacked_bar_chart:"),
    (
        "portfolio",
        "concentration",
        "dashboard/pages/concentration.py",
        "concentration",
        ":material/donut_large:",
    ),
    ("analysis", "watchlist", "dashboard/pages/watchlist.py", "watchlist", ":material/visibility:"),
    ("analysis", "customer", "dashboard/pages/customer.py", "customer", ":material/person_search:"),
    ("analysis", "cases", "dashboard/pages/cases.py", "cases", ":material/cases:"),
    ("analysis", "whatif", "dashboard/pages/whatif.py", "what-if", ":material/tune:"),
    ("analysis", "model", "dashboard/pages/model.py", "model", ":material/model_training:"),
    (
        "operations",
        "credit_control",
        "dashboard/pages/credit_control.py",
        "credit-control",
        ":material/rule:",
    ),
    (
        "operations",
        "collections",
        "dashboard/pages/collections_page.py",
        "collections",
        ":material/payments:",
    ),
    (
        "operations",
        "provisions",
        "dashboard/pages/provisions.py",
        "provisions",
        ":material/account_balance:",
    ),
    ("operations", "work", "dashboard/pages/work.py", "work", ":material/task_alt:"),
    ("data", "data_page", "dashboard/pages/data_sources.py", "data", ":material/database:"),
    ("data", "audit", "dashboard/pages/audit.py", "audit", ":material/policy:"),
]

# ?lang= wins, then the session's choice, then the browser's language; written back to the URL on
# every run so a link keeps it and a page change (which clears query params) does not lose it.
lang = language()
st.session_state[SESSION_KEY] = lang
if st.query_params.get("lang") != lang:
    st.query_params["lang"] = lang


def _language_chosen() -> None:
    st.query_params["lang"] = st.session_state[SESSION_KEY]


@st.cache_resource(show_spinner=False)
def _checked_current(path: str, version: tuple[int, int] | None) -> bool:
    # once per warehouse file version: is it built by this release's definitions?
    from data.build import is_current

    try:
        with warehouse.connect(path, read_only=True) as con:
            return is_current(con)
    except Exception:  # noqa: BLE001 - anything unreadable as current is upgraded (or reported)
        return False


def upgrade_warehouse() -> bool:
    """Rebuild a warehouse built by an earlier release from its own rows, showing progress."""
    path = str(warehouse.db_path())
    if _checked_current(path, warehouse.file_version(path)):
        return True
    with st.status(t("app.upgrading"), expanded=True) as status:
        bar = st.progress(0.0, text=t("app.preparing"))
        from data.build import upgrade

        def progress(label: str, step: int, total: int) -> None:
            bar.progress(min(step / max(total, 1), 1.0), text=progress_text(label))

        try:
            upgrade(path, progress=progress)
        except Exception as err:  # noqa: BLE001 - shown in the app instead of a stack trace
            status.update(label=t("app.upgrade_failed", error=err), state="error")
            return False
        status.update(label=t("app.upgraded"), state="complete", expanded=False)
    return True


def ensure_warehouse() -> bool:
    """Build the demo warehouse on first start (or bring one of an earlier release up to date),
    showing progress; True when one is ready."""
    if warehouse.db_path().exists():
        return upgrade_warehouse()
    with st.status(t("app.building"), expanded=True) as status:
        bar = st.progress(0.0, text=t("app.preparing"))
        from data.demo import build_demo  # heavy: only when a demo is built

        def progress(label: str, step: int, total: int) -> None:
            bar.progress(min(step / max(total, 1), 1.0), text=progress_text(label))

        try:
            result = build_demo(progress=progress, lang=lang)
        except Exception as err:  # noqa: BLE001 - shown in the app instead of a stack trace
            status.update(label=t("app.build_failed", error=err), state="error")
            return False
        status.update(
            label=t(
                "app.built",
                customers=f"{result.rows['customers']:,}",
                payments=f"{result.rows['payments']:,}",
            ),
            state="complete",
            expanded=False,
        )
    return True


def refusal(key: str):
    def refused() -> None:
        auth.refuse_page(key)

    return refused


if auth.enabled():
    # Exception details (paths, SQL, values) go to the server log only, never to a browser.
    st.set_option("client.showErrorDetails", "none")
# With access control on, nothing below runs before a user with a role has signed in.
user = auth.sign_in()

if ensure_warehouse():
    # amounts read in the warehouse's reporting currency (cached per warehouse file version)
    set_currency(reporting_currency(fetch(warehouse_settings)))
    pages: dict[str, list] = {}
    refused: list = []
    for section, key, file, url, icon in PAGES:
        if not (ROOT / file).exists():
            continue
        if auth.allowed(user, key):
            page = st.Page(file, title=t(f"nav.{key}"), url_path=url, icon=icon)
        elif auth.enabled():
            # Only permitted page files are registered; a typed URL of another page gets a refusal.
            refused.append(
                st.Page(refusal(key), title=t(f"nav.{key}"), url_path=url, visibility="hidden")
            )
            continue
        else:
            continue
        pages.setdefault(t(f"nav.{section}"), []).append(page)
    if refused:  # hidden, in a section that has visible pages, so no empty header shows
        pages[next(iter(pages))].extend(refused)
    # every page listed: with the Work page an admin has 14, past the sidebar's "View more" cut
    current = st.navigation(pages, expanded=True)
    # every page: when the data was loaded, how far it reaches (above the filters, in view)
    freshness_line()
    sidebar()
    auth.sign_out_button()
    with st.sidebar:
        st.selectbox(
            t("app.language"),
            list(LANGUAGES),
            format_func=LANGUAGES.get,
            key=SESSION_KEY,
            on_change=_language_chosen,
        )
    current.run()
    # Once per process, after the first page is drawn: a background thread imports what every other
    # page imports (and scipy.stats), so a page's first visit does not wait for them.
    warm.start()
