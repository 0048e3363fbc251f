"""The alerts digest as the recipient's mail client shows it (issue 15, item 3): a run of
python -m data alerts over the demo warehouse delivers to a loopback SMTP server, and the HTML part
of the English and the Chinese message is opened in Chromium and kept as
test-artifacts/alerts_digest_en.png / alerts_digest_zh.png (git-ignored: look at them)."""

from __future__ import annotations

import pytest

from commands.cli import main
from tests.alerts_helpers import SmtpSink, free_port, html_part
from tests.browser_helpers import ARTIFACTS


@pytest.fixture
def delivered(demo_db, demo_con, tmp_path):
    """The HTML digests the demo's latest month sends: {lang: html}."""
    latest = demo_con.sql("select max(entered_on) from watchlist_spells").fetchall()[0][0]
    busiest = demo_con.sql(
        "select region from watchlist_spells join customers using (customer_id) "
        "where entered_on = $latest group by region order by count(*) desc, region limit 1",
        params={"latest": latest},
    ).fetchall()[0][0]
    port = free_port()
    smtp = SmtpSink(port).start()
    try:
        secrets = tmp_path / "secrets.toml"
        secrets.write_text(
            '[alerts]\nbase_url = "https://risk.example.com"\n\n[alerts.smtp]\n'
            f'host = "127.0.0.1"\nport = {port}\nstarttls = false\nsender = "risk@example.com"\n',
            encoding="utf-8",
        )
        common = ["--db", str(demo_db), "--store", str(tmp_path / "alerts.sqlite")]
        assert main(["alerts", "subscribe", *common, "--email", "en@example.com",
                     "--region", busiest]) == 0  # fmt: skip
        assert main(["alerts", "subscribe", *common, "--email", "zh@example.com", "--lang",
                     "zh", "--region", busiest]) == 0  # fmt: skip
        assert main(["alerts", *common, "--secrets", str(secrets)]) == 0
        mails = smtp.by_recipient()
    finally:
        smtp.stop()
    return {"en": html_part(mails["en@example.com"]), "zh": html_part(mails["zh@example.com"])}


@pytest.mark.parametrize(("lang", "title"), [("en", "Early-warning alerts"), ("zh", "风险预警")])
def test_the_digest_renders_in_a_browser(delivered, browser, lang, title):
    ARTIFACTS.mkdir(exist_ok=True)
    page_file = ARTIFACTS / f"alerts_digest_{lang}.html"
    page_file.write_text(delivered[lang], encoding="utf-8")
    page = browser.new_page(viewport={"width": 900, "height": 900})
    try:
        page.goto(page_file.as_uri())
        page.get_by_role("heading", name=title).wait_for()
        links = page.get_by_role("link")
        assert links.count() >= 1
        assert links.first.get_attribute("href").startswith(
            "https://risk.example.com/customer?customer="
        )
        page.screenshot(path=str(ARTIFACTS / f"alerts_digest_{lang}.png"), full_page=True)
    finally:
        page.close()
