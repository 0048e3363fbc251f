"""Alerts (issue 15, item 3) without a network: which alerts, to whom, the digest's text, the
subscriptions and their refusals, the settings. Delivery itself: tests/test_alerts_delivery.py."""

from __future__ import annotations

from datetime import date

import pytest

from commands.cli import main
from data import alert_store
from data.alert_channels import SettingsError, load_settings
from data.alert_input import display_address
from data.alert_store import Subscription
from queries.alerts import Recipient, default_since, owners_without_address, recipients
from tests.alerts_helpers import build_alerts_warehouse


@pytest.fixture
def alerts_db(tmp_path):
    return build_alerts_warehouse(tmp_path / "warehouse.duckdb")


def _sub(n: int, kind: str, value: str, address: str = "a@example.com", lang: str = "en"):
    return Subscription(n, "email", address, lang, kind, value, "2026-11-01T00:00:00+00:00", "t")


ALERT = {"customer_id": "C1", "owner": "Chen Jing", "region": "North", "segment": "corporate",
         "grade": "D"}  # fmt: skip


def test_the_alerts_query_reads_each_spell_at_entry_with_the_grade_before(alerts_db):
    from data import warehouse
    from queries.alerts import alerts_since

    con = warehouse.connect(alerts_db, read_only=True)
    try:
        rows = alerts_since(con, date(2026, 8, 1)).to_dicts()
        october = alerts_since(con, date(2026, 10, 1))["customer_id"].to_list()
    finally:
        con.close()
    assert october == ["C1", "C2"]
    by_id = {r["customer_id"]: r for r in rows}
    assert [r["customer_id"] for r in rows] == ["C3", "C1", "C2"]  # by alert_on, then id
    assert by_id["C1"]["exposure"] == 250_000.0
    assert (by_id["C1"]["previous_grade"], by_id["C1"]["grade"]) == ("C", "D")
    assert (by_id["C2"]["previous_grade"], by_id["C2"]["grade"]) == ("A", "C")
    # C3 entered at its first grid date: exposure then, no grade before
    assert (by_id["C3"]["exposure"], by_id["C3"]["previous_grade"]) == (40_000.0, None)
    assert by_id["C3"]["triggers"] == ["overdue", "legal"]
    assert by_id["C3"]["alert_on"] == date(2026, 8, 31)


@pytest.mark.parametrize(
    ("latest", "last_run", "expected"),
    [
        (date(2026, 10, 31), None, date(2026, 10, 1)),  # first run: the latest month only
        (date(2026, 11, 30), date(2026, 10, 31), date(2026, 10, 1)),  # from the last run's month
        (date(2026, 3, 31), date(2026, 3, 17), date(2026, 3, 1)),  # mid-month as-of replaced
        (None, None, None),
    ],
)
def test_a_run_starts_at_the_month_the_previous_run_reached(latest, last_run, expected):
    assert default_since(latest, last_run) == expected


def test_recipients_by_owner_region_segment_and_grade():
    subs = [
        _sub(1, "owner", "Chen Jing", "chen@example.com", "zh"),
        _sub(2, "region", "North", "north@example.com"),
        _sub(3, "region", "South", "south@example.com"),
        _sub(4, "segment", "corporate", "chen@example.com", "en"),  # same address again
        _sub(5, "grade", "E", "e@example.com"),
    ]
    found = recipients(ALERT, subs)
    assert found == {
        Recipient("email", "chen@example.com", "zh"): {
            ("owner", "Chen Jing"),
            ("segment", "corporate"),
        },
        Recipient("email", "north@example.com", "en"): {("region", "North")},
    }


def test_an_owner_without_subscription_gets_the_access_file_address():
    found = recipients(ALERT, [], {"Chen Jing": "chen@corp.test"})
    assert found == {Recipient("email", "chen@corp.test", "en"): {("owner", "Chen Jing")}}
    # an owner subscription wins over the access file
    subs = [_sub(1, "owner", "Chen Jing", "chen@example.com", "zh")]
    assert list(recipients(ALERT, subs, {"Chen Jing": "chen@corp.test"})) == [
        Recipient("email", "chen@example.com", "zh")
    ]
    alerts = [ALERT, {**ALERT, "customer_id": "C2", "owner": "Wang Lei"}, {**ALERT, "owner": None}]
    assert owners_without_address(alerts, [], {"Chen Jing": "chen@corp.test"}) == {"Wang Lei": 1}


def test_webhook_urls_are_shown_without_their_secret_path():
    assert display_address("webhook", "https://chat.example.com/hooks/T0KEN?x=1") == (
        "https://chat.example.com/…"
    )
    assert display_address("webhook", "http://127.0.0.1:8080") == "http://127.0.0.1:8080"
    assert display_address("email", "a@example.com") == "a@example.com"


# --- subscriptions on the command line ----------------------------------------------------------


def test_subscribe_list_and_unsubscribe(alerts_db, tmp_path, capsys):
    common = ["--db", str(alerts_db), "--store", str(tmp_path / "alerts.sqlite")]
    assert main(["alerts", "subscribe", *common, "--email", " ana@example.com ",
                 "--lang", "zh", "--region", "North"]) == 0  # fmt: skip
    assert main(["alerts", "subscribe", *common, "--webhook", "https://chat.example.com/h/T0K",
                 "--grade", "e"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert (
        "subscription #1: email ana@example.com (zh) receives the alerts of region 'North'" in out
    )
    assert (
        "subscription #2: webhook https://chat.example.com/… (en) receives the alerts of grade 'E'"
        in out
    )
    assert main(["alerts", "list", *common]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split(" since ")[0] for line in listed] == [
        "#1 email ana@example.com (zh) region 'North'",
        "#2 webhook https://chat.example.com/… (en) grade 'E'",
    ]
    # the same subscription twice is refused
    assert main(["alerts", "subscribe", *common, "--email", "ana@example.com",
                 "--region", "North"]) == 2  # fmt: skip
    assert "already subscribed to region 'North'" in capsys.readouterr().err
    assert main(["alerts", "unsubscribe", *common, "--id", "1"]) == 0
    assert "removed #1 email ana@example.com" in capsys.readouterr().out
    assert main(["alerts", "unsubscribe", *common, "--id", "1"]) == 2
    assert "no active subscription #1" in capsys.readouterr().err
    con = alert_store.connect(tmp_path / "alerts.sqlite")
    assert [s.subscription_id for s in alert_store.subscriptions(con)] == [2]
    # removed, not deleted: who was subscribed stays on record
    assert con.execute("select removed_by from subscriptions where subscription_id = 1").fetchone()[
        0
    ]
    con.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "ana(at)example.com", "--region", "North"],
         "e-mail address 'ana(at)example.com' is not one address like name@example.com"),
        (["--email", "a@b.com, c@d.com", "--region", "North"], "e-mail address 'a@b.com, c@d.com'"),
        (["--email", "a@example.com\u202e", "--region", "North"], "'a@example.com\\u202e'"),
        (["--webhook", "ftp://chat.example.com/x", "--region", "North"],
         "webhook URL 'ftp://chat.example.com/x' is not an http:// or https:// URL with a host"),
        (["--webhook", "https:///nohost", "--region", "North"], "webhook URL 'https:///nohost'"),
        (["--region", "North"], "give exactly one of --email, --webhook (got 0)"),
        (["--email", "a@example.com", "--webhook", "https://x.test/", "--region", "North"],
         "give exactly one of --email, --webhook (got 2)"),
        (["--email", "a@example.com", "--lang", "fr", "--region", "North"],
         "language 'fr' is not one of en, zh"),
        (["--email", "a@example.com", "--region", "Nrth"],
         "region 'Nrth' is not a region of the warehouse's customers (known: North, South)"),
        (["--email", "a@example.com", "--segment", "retail"],
         "segment 'retail' is not a segment of the warehouse's customers (known: corporate, sme)"),
        (["--email", "a@example.com", "--owner", "Li Na"],
         "owner 'Li Na' is not a owner of the warehouse's customers (known: Chen Jing, Wang Lei)"),
        (["--email", "a@example.com", "--grade", "F"], "grade 'F' is not one of A, B, C, D, E"),
        (["--email", "a@example.com"], "give exactly one of --owner, --region, --segment, --grade (got 0)"),
        (["--email", "a@example.com", "--grade", "A", "--region", "North"],
         "give exactly one of --owner, --region, --segment, --grade (got 2)"),
    ],
)  # fmt: skip
def test_a_bad_subscription_is_refused_naming_the_value(alerts_db, tmp_path, capsys, args, message):
    store = tmp_path / "alerts.sqlite"
    code = main(["alerts", "subscribe", "--db", str(alerts_db), "--store", str(store), *args])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("refused: ")
    assert message in err
    assert not store.exists()  # nothing was created for a refused value


def test_runs_without_a_warehouse_are_refused(tmp_path, capsys):
    code = main(
        ["alerts", "--db", str(tmp_path / "none.duckdb"), "--store", str(tmp_path / "a.db")]
    )
    assert code == 2
    assert "no warehouse at" in capsys.readouterr().err
    assert not (tmp_path / "a.db").exists()  # nothing created beside a missing warehouse


def test_a_second_run_while_one_sends_is_refused(alerts_db, tmp_path, capsys):
    store = tmp_path / "alerts.sqlite"
    common = ["--db", str(alerts_db), "--store", str(store)]
    assert main(["alerts", "subscribe", *common, "--email", "a@example.com", "--grade", "D"]) == 0
    with alert_store.run_lock(store):  # another run, in the middle of sending
        assert main(["alerts", *common, "--secrets", str(tmp_path / "none.toml")]) == 2
        assert "another alerts run holds" in capsys.readouterr().err
        con = alert_store.connect(store)
        assert alert_store.unsent(con) == []  # this one queued nothing
        con.close()
        # a dry run only reads: it runs beside the other
        assert main(["alerts", *common, "--dry-run"]) == 0


# --- settings ---------------------------------------------------------------------------------


def test_settings_from_the_secrets_file_and_the_environment(tmp_path):
    file = tmp_path / "secrets.toml"
    file.write_text(
        '[auth]\nredirect_uri = "x"\n\n[alerts]\nbase_url = "https://risk.example.com/"\n\n'
        '[alerts.smtp]\nhost = "smtp.example.com"\nusername = "alerts"\npassword = "pw"\n'
        'sender = "risk@example.com"\n',
        encoding="utf-8",
    )
    settings = load_settings(file, env={})
    assert settings.base_url == "https://risk.example.com"
    assert (settings.smtp.host, settings.smtp.port, settings.smtp.starttls) == (
        "smtp.example.com",
        587,
        True,
    )
    assert (settings.smtp.username, settings.smtp.password) == ("alerts", "pw")
    env = {"RISK_ALERTS_SMTP_HOST": "relay.test", "RISK_ALERTS_SMTP_PORT": "2525",
           "RISK_ALERTS_SMTP_PASSWORD": "from-env", "RISK_ALERTS_BASE_URL": "http://h:8501"}  # fmt: skip
    settings = load_settings(file, env=env)
    assert (settings.smtp.host, settings.smtp.port, settings.smtp.password) == (
        "relay.test",
        2525,
        "from-env",
    )
    assert settings.base_url == "http://h:8501"
    assert load_settings(tmp_path / "missing.toml", env={}).smtp is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"RISK_ALERTS_SMTP_HOST": "h", "RISK_ALERTS_SMTP_PORT": "x"}, "alerts.smtp.port"),
        ({"RISK_ALERTS_SMTP_HOST": "h", "RISK_ALERTS_SMTP_STARTTLS": "maybe"}, "alerts.smtp.starttls"),
        ({"RISK_ALERTS_BASE_URL": "risk.example.com"}, "alerts.base_url"),
    ],
)  # fmt: skip
def test_bad_settings_are_refused_naming_the_key(tmp_path, env, message):
    with pytest.raises(SettingsError, match=message.replace(".", r"\.")):
        load_settings(tmp_path / "missing.toml", env=env)


# --- the digest --------------------------------------------------------------------------------


def test_names_from_the_data_are_escaped_in_the_html_digest():
    from dashboard.components.alert_digest import html_digest, plain_text

    alert = {"customer_id": "C<9>", "name": "<script>alert(1)</script> & Co", "region": "North",
             "segment": "sme", "owner": "x", "alert_on": "2026-10-31", "entered_on": "2026-10-31",
             "triggers": ["overdue"], "exposure": 950.0, "grade": "C", "previous_grade": "C",
             "currency": "CNY"}  # fmt: skip
    page = html_digest([alert], "en", "http://risk.test")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in page
    assert 'href="http://risk.test/customer?customer=C%3C9%3E&amp;lang=en"' in page
    text = plain_text([alert], "en", "http://risk.test", {("region", "North")})
    assert "exposure ¥950; grade C (unchanged)" in text
    assert "You receive this as a subscriber of Region North. Alerts are sent once" in text


@pytest.mark.parametrize(
    ("reasons", "lang", "why"),
    [
        ({("owner", "Chen Jing")}, "en", "You receive this as the owner of these customers."),
        ({("owner", "Chen Jing"), ("grade", "D"), ("region", "North")}, "en",
         "You receive this as the owner of these customers and as a subscriber of Grade D, "
         "Region North."),
        ({("segment", "Large"), ("region", "North")}, "zh", "您作为地区：华北、客户分层：大型客户的订阅者"),
    ],
)  # fmt: skip
def test_the_digest_says_why_the_recipient_gets_it(reasons, lang, why):
    from dashboard.components.alert_digest import plain_text
    from dashboard.i18n import catalogue

    assert catalogue("zh")["values.segment.Large"] == "大型客户"  # the name the pages show
    alert = {"customer_id": "C1", "name": "A", "alert_on": "2026-10-31", "entered_on": "2026-10-31",
             "triggers": ["overdue"], "exposure": 1.0, "grade": "D", "previous_grade": "B",
             "currency": "CNY"}  # fmt: skip
    assert why in plain_text([alert], lang, "http://risk.test", reasons)


def test_the_subject_is_one_line_with_hidden_characters_visible():
    from dashboard.components.alert_digest import subject

    alert = {"name": "Evil\r\nBcc: x@example.com\u202e Co"}
    assert subject([alert], "en") == (
        "Early-warning alert: Evil Bcc: x@example.com\\u202e Co joined the watchlist"
    )


def test_subscription_changes_are_audited_while_access_control_is_on(
    alerts_db, tmp_path, monkeypatch
):
    from data import audit

    log = tmp_path / "audit.sqlite"
    monkeypatch.setenv("RISK_AUDIT_DB", str(log))
    monkeypatch.setattr(audit, "enabled", lambda: True)
    common = ["--db", str(alerts_db), "--store", str(tmp_path / "alerts.sqlite")]
    assert main(["alerts", "subscribe", *common, "--webhook", "https://chat.example.com/h/T0K",
                 "--grade", "E"]) == 0  # fmt: skip
    assert main(["alerts", "unsubscribe", *common, "--id", "1"]) == 0
    events = audit.recent(path=log)
    details = sorted(events.filter(events["action"] == "alert_subscription")["detail"].to_list())
    assert details == [
        "subscribe #1 webhook https://chat.example.com/… (en) grade E",
        "unsubscribe #1 webhook https://chat.example.com/… grade E",
    ]
