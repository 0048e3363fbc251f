"""The mapping flow in a real headless Chromium: an admin uploads an invoice list with German
headers on the Data page, confirms the proposed mapping, loads it, and the Overview's figures
change. The server runs with access control on, on a copy of the demo warehouse (the load writes);
screenshots go to test-artifacts/screenshots/data-mapping*.png, the log to
test-artifacts/streamlit-mapping.log.
"""

from __future__ import annotations

import contextlib
import re
import shutil

import pytest

from tests.auth_helpers import PASSWORD
from tests.browser_helpers import ARTIFACTS, VIEWPORT, dashboard_server, exception_text, settle

SHOTS = ARTIFACTS / "screenshots"
NAME = "Belege_2026-09.csv"
# An ERP's open items: German headers, ';' separated, dates d.m.Y, amounts 1.234,50; the two
# customers are new to the demo warehouse and owe ¥80 M at its last month-end (2026-10-31).
INVOICES = (
    "Kundennummer;Kundenname;Belegnummer;Belegdatum;Nettofälligkeit;Betrag\n"
    "K-901;Müller Maschinenbau GmbH;B-9001;01.09.2026;01.10.2026;30.000.000,00\n"
    "K-901;Müller Maschinenbau GmbH;B-9002;15.09.2026;15.10.2026;20.000.000,00\n"
    "K-902;Schmidt Logistik AG;B-9003;20.09.2026;20.11.2026;30.000.000,00\n"
).encode()


@pytest.fixture(scope="module")
def mapping_server(demo_db, access_file, tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser_mapping")
    db = folder / "warehouse.duckdb"
    shutil.copyfile(demo_db, db)
    with contextlib.ExitStack() as stack:
        # The server takes its environment when it starts; this process keeps auth off.
        with pytest.MonkeyPatch.context() as env:
            env.setenv("RISK_ACCESS_FILE", str(access_file))
            env.setenv("RISK_AUDIT_DB", str(folder / "audit.sqlite"))
            url = stack.enter_context(dashboard_server(db, ARTIFACTS / "streamlit-mapping.log"))
        yield url


def _metrics(tab) -> list[str]:
    return [m.inner_text().strip() for m in tab.locator('[data-testid="stMetricValue"]').all()]


def _open(tab, name: str) -> None:
    # through the navigation: the session (and its sign-in) stays
    tab.locator(f'[data-testid="stSidebarNav"] a[href$="/{name}"]').click()
    tab.wait_for_url(re.compile(f"/{name}"))
    settle(tab)
    assert exception_text(tab) is None, name


def test_an_admin_maps_a_foreign_invoice_list_loads_it_and_the_overview_changes(
    mapping_server, browser
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    try:
        tab.goto(mapping_server)
        settle(tab)
        tab.get_by_role("textbox", name="User name").fill("admin")
        tab.get_by_role("textbox", name="Password").fill(PASSWORD)
        tab.get_by_role("button", name="Sign in").click()
        tab.wait_for_selector('[data-testid="stMetricValue"]', timeout=90_000)
        settle(tab)
        before = _metrics(tab)
        assert before, "the Overview shows no figures"

        _open(tab, "data")
        tab.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
            files=[{"name": NAME, "mimeType": "text/csv", "buffer": INVOICES}]
        )
        load = tab.get_by_role("button", name=re.compile(r"^Load [\d,]+ valid row\(s\) with this"))
        load.wait_for(timeout=90_000)
        settle(tab)
        assert exception_text(tab) is None
        # the proposal as offered: German headers on their fields, German dates and numbers
        assert tab.get_by_role("heading", name="Map a file with other column names").count() == 1
        # a selectbox shows its choice as the value of its combobox
        due = tab.get_by_role("combobox", name="Due on (required)")
        assert due.input_value() == "Nettofälligkeit"
        dates = tab.get_by_role("combobox", name="Dates are written as")
        assert dates.input_value().startswith("31.03.2024")  # the proposed format, by example
        numbers = tab.get_by_role("combobox", name="Numbers are written as")
        assert numbers.input_value() == "1.234,50"
        assert load.inner_text().startswith("Load 7 valid row(s)")
        heading = tab.get_by_role("heading", name="Map a file with other column names")
        heading.scroll_into_view_if_needed()
        tab.mouse.move(0, 0)
        tab.screenshot(path=str(SHOTS / "data-mapping.png"))
        load.scroll_into_view_if_needed()  # the formats, the converted rows, load and save
        tab.screenshot(path=str(SHOTS / "data-mapping-preview.png"))

        load.click()
        loaded = tab.get_by_text(re.compile(r"^Loaded 7 row\(s\); 0 row\(s\) went to"))
        loaded.wait_for(timeout=180_000)  # the derived tables are rebuilt first
        settle(tab)
        assert exception_text(tab) is None
        tab.screenshot(path=str(SHOTS / "data-mapping-loaded.png"))

        tab.locator('[data-testid="stSidebarNav"] a').first.click()
        tab.wait_for_url(re.compile(r"/$|/\?"))
        settle(tab)
        after = _metrics(tab)
        assert after[0] != before[0], (before, after)  # exposure: ¥80 M more
        tab.screenshot(path=str(SHOTS / "overview-after-mapping.png"))
    finally:
        context.close()
