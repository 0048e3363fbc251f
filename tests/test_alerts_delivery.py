"""python -m data alerts end to end on loopback (issue 15, item 3): a local SMTP server (aiosmtpd,
with STARTTLS on a certificate the test makes with openssl) and a local HTTP webhook receive the
digests of the hand-made warehouse of tests/alerts_helpers.py. Every address is 127.0.0.1."""

from __future__ import annotations

import sqlite3

import pytest

from commands.cli import main
from tests.alerts_helpers import (
    SmtpSink,
    WebhookSink,
    build_alerts_warehouse,
    free_port,
    html_part,
    self_signed_cert,
    text_part,
)

BASE = "http://risk.test"


@pytest.fixture
def setup(tmp_path):
    """The warehouse, an alerts store with four subscriptions, the servers and a secrets file."""
    db = build_alerts_warehouse(tmp_path / "warehouse.duckdb")
    store = tmp_path / "alerts.sqlite"
    cert = self_signed_cert(tmp_path)
    port = free_port()
    smtp = SmtpSink(port, cert).start()
    hook = WebhookSink().start()
    secrets = tmp_path / "secrets.toml"
    tls = f'starttls = true\nca_file = "{cert[0]}"'
    secrets.write_text(
        f'[alerts]\nbase_url = "{BASE}"\n\n[alerts.smtp]\nhost = "127.0.0.1"\nport = {port}\n'
        f'sender = "risk@bank.test"\n{tls}\n',
        encoding="utf-8",
    )
    common = ["--db", str(db), "--store", str(store)]
    for args in (
        ["--email", "chen@example.com", "--lang", "zh", "--owner", "Chen Jing"],
        ["--webhook", hook.url, "--region", "South"],
        ["--email", "risk@example.com", "--grade", "D"],
        ["--email", "sme@example.com", "--segment", "sme"],
    ):
        assert main(["alerts", "subscribe", *common, *args]) == 0
    run = ["alerts", *common, "--secrets", str(secrets)]
    servers = {"run": run, "smtp": smtp, "hook": hook, "store": store, "port": port}
    yield servers
    servers["smtp"].stop()
    hook.stop()


def _statuses(store) -> dict[tuple[str, str], str]:
    con = sqlite3.connect(store)
    try:
        rows = con.execute("select address, customer_id, status from deliveries").fetchall()
    finally:
        con.close()
    return {(a, c): s for a, c, s in rows}


def test_each_recipient_gets_its_alerts_in_its_language(setup, capsys):
    assert main(setup["run"]) == 0
    out = capsys.readouterr().out
    # the first run looks at the latest month (October): C1 and C2, not C3 (August)
    assert "alerts: 2 entered the watchlist from 2026-10-01 (data through 2026-10-31)" in out
    # C2's owner has no subscription: said, not dropped silently (C2 still reaches two subscribers)
    assert "no address for 1 owner of 1 alert: Wang Lei (1)" in out
    mails = setup["smtp"].by_recipient()
    assert set(mails) == {"chen@example.com", "risk@example.com", "sme@example.com"}

    chen = mails["chen@example.com"]  # the owner of C1 (C3 is hers too, but from August)
    assert chen["Subject"] == "风险预警：Alpha Manufacturing 进入观察名单"
    assert chen["From"] == "risk@bank.test"
    text = text_part(chen)
    assert (
        "- Alpha Manufacturing（C1）：降级、超额度；风险敞口 ¥25.0万；风险等级 C → D；"
        "进入观察名单 2026年10月31日"
    ) in text
    assert f"  {BASE}/customer?customer=C1&lang=zh" in text
    assert "贝塔物流" not in text and "Gamma" not in text
    page = html_part(chen)
    assert '<html lang="zh-CN">' in page
    assert "降级、超额度" in page and "¥25.0万" in page and "C → D" in page
    assert f'href="{BASE}/customer?customer=C1&amp;lang=zh"' in page
    assert "limit_breach" not in page and "downgrade" not in text  # no raw codes

    risk = text_part(mails["risk@example.com"])  # grade D at entry: C1 only
    assert (
        "- Alpha Manufacturing (C1): Downgrade, Limit breach; exposure ¥250K; grade C → D; "
        "since 2026-10-31"
    ) in risk
    assert "C2" not in risk
    sme = mails["sme@example.com"]  # segment sme: C2 (C3 is sme but from August)
    assert sme["Subject"] == "Early-warning alert: 贝塔物流 joined the watchlist"
    assert "- 贝塔物流 (C2): Overdue; exposure ¥80.0K; grade A → C; since 2026-10-31" in (
        text_part(sme)
    )

    [body] = setup["hook"].bodies  # region South: C2
    assert body["language"] == "en"
    [alert] = body["alerts"]
    assert alert["customer_id"] == "C2"
    assert alert["triggers"] == ["Overdue"]
    assert alert["exposure"] == 80_000.0 and alert["exposure_text"] == "¥80.0K"
    assert alert["grade_change"] == "A → C"
    assert alert["url"] == f"{BASE}/customer?customer=C2&lang=en"
    assert "- 贝塔物流 (C2): Overdue" in body["text"]
    # the webhook's secret path is not printed
    assert "T0KEN" not in out and "webhook http://127.0.0.1:" in out
    assert set(_statuses(setup["store"]).values()) == {"sent"}
    assert len(_statuses(setup["store"])) == 4


def test_a_rerun_sends_nothing_twice(setup, capsys):
    assert main(setup["run"]) == 0
    sent = len(setup["smtp"].messages), len(setup["hook"].bodies)
    capsys.readouterr()
    assert main(setup["run"]) == 2  # nothing to do
    assert "nothing new to send" in capsys.readouterr().out
    # an explicit --since over the same alerts still sends nothing already sent ...
    assert main([*setup["run"], "--since", "2026-10-01"]) == 2
    assert (len(setup["smtp"].messages), len(setup["hook"].bodies)) == sent
    # ... while one reaching back to August adds only C3, to its owner and the sme subscriber
    assert main([*setup["run"], "--since", "2026-08-01"]) == 0
    new = setup["smtp"].messages[sent[0] :]
    assert sorted(to for tos, _ in new for to in tos) == ["chen@example.com", "sme@example.com"]
    for _, message in new:
        text = text_part(message)
        assert "C3" in text and "C1" not in text and "C2" not in text
    latest = setup["smtp"].by_recipient()  # the last message to each address
    assert (
        "- Gamma Retail（C3）：逾期、法律；风险敞口 ¥4.0万；风险等级 E（首次评级）；"
        "进入观察名单 2026年8月31日"
    ) in text_part(latest["chen@example.com"])
    assert len(setup["hook"].bodies) == sent[1]


def test_a_failed_delivery_is_reported_and_retried_by_the_next_run(setup, capsys):
    setup["hook"].status = 500  # the chat tool fails
    setup["smtp"].stop()  # and the mail server is down
    assert main(setup["run"]) == 1
    out = capsys.readouterr().out
    assert out.count("FAILED") == 4
    assert "webhook answered HTTP 500" in out and "retried by the next run" in out
    assert set(_statuses(setup["store"]).values()) == {"failed"}
    assert setup["hook"].bodies == []

    # still down: failed again, still kept
    assert main(setup["run"]) == 1
    capsys.readouterr()
    # both back: every kept delivery goes out once, marked as a retry
    setup["hook"].status = 200
    setup["smtp"] = SmtpSink(setup["port"], setup["smtp"].cert).start()
    assert main(setup["run"]) == 0
    out = capsys.readouterr().out
    assert out.count("retried") >= 4
    assert set(setup["smtp"].by_recipient()) == {
        "chen@example.com",
        "risk@example.com",
        "sme@example.com",
    }
    assert [a["customer_id"] for a in setup["hook"].bodies[0]["alerts"]] == ["C2"]
    con = sqlite3.connect(setup["store"])
    attempts = {row[0] for row in con.execute("select attempts from deliveries")}
    con.close()
    assert attempts == {3}
    assert main(setup["run"]) == 2  # and never again
    assert len(setup["smtp"].messages) == 3


def test_a_dry_run_prints_the_digests_and_records_nothing(setup, capsys):
    store = setup["store"]
    before = store.read_bytes()
    assert main([*setup["run"], "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would send email chen@example.com (zh): 1 alert" in out
    assert "would send webhook http://127.0.0.1:" in out
    assert "- Alpha Manufacturing（C1）：降级、超额度" in out
    assert "nothing was sent or recorded" in out
    assert setup["smtp"].messages == [] and setup["hook"].bodies == []
    assert store.read_bytes() == before
    con = sqlite3.connect(store)
    assert con.execute("select count(*) from deliveries").fetchone()[0] == 0
    assert con.execute("select count(*) from runs").fetchone()[0] == 0
    con.close()
    # the real run afterwards still sends everything
    assert main(setup["run"]) == 0
    assert len(setup["smtp"].messages) == 3


def test_a_server_without_starttls_is_refused_before_anything_is_sent(tmp_path, capsys):
    db = build_alerts_warehouse(tmp_path / "warehouse.duckdb")
    store = tmp_path / "alerts.sqlite"
    port = free_port()
    plain = SmtpSink(port, None).start()  # offers no STARTTLS
    try:
        common = ["--db", str(db), "--store", str(store)]
        assert (
            main(["alerts", "subscribe", *common, "--email", "a@example.com", "--grade", "D"]) == 0
        )
        secrets = tmp_path / "secrets.toml"
        secrets.write_text(f'[alerts.smtp]\nhost = "127.0.0.1"\nport = {port}\n', encoding="utf-8")
        assert main(["alerts", *common, "--secrets", str(secrets)]) == 1
        assert "does not offer STARTTLS (nothing sent" in capsys.readouterr().out
        assert plain.messages == []
        # a local relay without TLS, chosen explicitly (here through the environment)
        import os

        os.environ["RISK_ALERTS_SMTP_STARTTLS"] = "false"
        try:
            assert main(["alerts", *common, "--secrets", str(secrets)]) == 0
        finally:
            del os.environ["RISK_ALERTS_SMTP_STARTTLS"]
        assert [tos for tos, _ in plain.messages] == [["a@example.com"]]
    finally:
        plain.stop()


def test_no_smtp_server_configured_is_a_failure_kept_for_the_next_run(tmp_path, capsys):
    db = build_alerts_warehouse(tmp_path / "warehouse.duckdb")
    common = ["--db", str(db), "--store", str(tmp_path / "alerts.sqlite")]
    assert main(["alerts", "subscribe", *common, "--email", "a@example.com", "--grade", "C"]) == 0
    empty = tmp_path / "none.toml"
    assert main(["alerts", *common, "--secrets", str(empty)]) == 1
    out = capsys.readouterr().out
    assert "FAILED email a@example.com (en): 1 alert: no SMTP server configured" in out
    assert main(["alerts", "list", *common]) == 0
    assert "deliveries to retry: 1 failed, 0 pending" in capsys.readouterr().out
    # unsubscribed: the failed delivery is no longer retried (and stays in the log)
    assert main(["alerts", "unsubscribe", *common, "--email", "a@example.com"]) == 0
    assert main(["alerts", *common, "--secrets", str(empty)]) == 2
    out = capsys.readouterr().out
    assert "1 earlier delivery to recipients no longer subscribed not retried" in out
    assert "FAILED" not in out


def test_credentials_are_sent_only_inside_starttls(tmp_path, capsys):
    db = build_alerts_warehouse(tmp_path / "warehouse.duckdb")
    cert = self_signed_cert(tmp_path)
    port = free_port()
    smtp = SmtpSink(port, cert, credentials=("alerts", "s3cret")).start()
    try:
        common = ["--db", str(db), "--store", str(tmp_path / "alerts.sqlite")]
        assert (
            main(["alerts", "subscribe", *common, "--email", "a@example.com", "--grade", "D"]) == 0
        )
        secrets = tmp_path / "secrets.toml"
        secrets.write_text(
            f'[alerts.smtp]\nhost = "127.0.0.1"\nport = {port}\nusername = "alerts"\n'
            f'password = "wrong"\nca_file = "{cert[0]}"\n',
            encoding="utf-8",
        )
        assert main(["alerts", *common, "--secrets", str(secrets)]) == 1
        assert "Authentication credentials invalid" in capsys.readouterr().out
        # the right password from the environment, which wins over the file
        import os

        os.environ["RISK_ALERTS_SMTP_PASSWORD"] = "s3cret"
        try:
            assert main(["alerts", *common, "--secrets", str(secrets)]) == 0
        finally:
            del os.environ["RISK_ALERTS_SMTP_PASSWORD"]
        assert [tos for tos, _ in smtp.messages] == [["a@example.com"]]
    finally:
        smtp.stop()


def test_the_hostile_book_is_delivered_as_text(hostile_db, tmp_path, capsys):
    """Names that are HTML, Markdown, formulas and bidirectional controls (tests/hostile_book.py)
    reach the mail and the terminal as text: escaped in the HTML, one line in the subject."""
    port = free_port()
    smtp = SmtpSink(port).start()
    hook = WebhookSink().start()
    try:
        common = ["--db", str(hostile_db), "--store", str(tmp_path / "alerts.sqlite")]
        for grade in "ABCDE":
            assert main(["alerts", "subscribe", *common, "--email", "a@example.com",
                         "--grade", grade]) == 0  # fmt: skip
            assert main(["alerts", "subscribe", *common, "--webhook", hook.url,
                         "--grade", grade]) == 0  # fmt: skip
        secrets = tmp_path / "secrets.toml"
        secrets.write_text(
            f'[alerts.smtp]\nhost = "127.0.0.1"\nport = {port}\nstarttls = false\n',
            encoding="utf-8",
        )
        capsys.readouterr()
        assert main(["alerts", *common, "--secrets", str(secrets), "--since", "2000-01-01"]) == 0
        out = capsys.readouterr().out
    finally:
        smtp.stop()
        hook.stop()
    assert "\u202e" not in out and "\\u202e" in out  # the owners' bidi control, made visible
    [(_, message)] = smtp.messages
    page = html_part(message)
    assert "<b>Bold</b>" not in page and "&lt;b&gt;Bold&lt;/b&gt;" in page
    assert "<img src=http://evil.example" not in page
    assert "\u202e" not in message["Subject"]
    [body] = hook.bodies
    names = {a["customer"] for a in body["alerts"]}
    assert any("<b>Bold</b>" in n for n in names)  # JSON carries the data as it is, as text
