"""How alert digests leave the machine: e-mail over SMTP with STARTTLS, and a JSON webhook.

Settings come from `.streamlit/secrets.toml` (the dashboard's secrets file; $RISK_SECRETS_FILE
names another) and environment variables, which win over the file so a cron job can carry its own:

    [alerts]
    base_url = "https://risk.example.com"   # RISK_ALERTS_BASE_URL; links go to <base_url>/customer
    webhook_timeout = 10                     # seconds

    [alerts.smtp]
    host = "smtp.example.com"        # RISK_ALERTS_SMTP_HOST
    port = 587                       # RISK_ALERTS_SMTP_PORT
    username = "risk-alerts"         # RISK_ALERTS_SMTP_USERNAME
    password = "..."                 # RISK_ALERTS_SMTP_PASSWORD
    sender = "risk@example.com"      # RISK_ALERTS_SMTP_SENDER
    starttls = true                  # RISK_ALERTS_SMTP_STARTTLS; false only for a local relay
    ca_file = "/etc/ssl/corp-ca.pem" # RISK_ALERTS_SMTP_CA_FILE; the server's CA if not a public one

With STARTTLS on (the default) a server that does not offer it is refused before anything is
sent, and its certificate is verified: a password never crosses the network in clear. Every
failure is raised as DeliveryFailed with a one-line reason the run prints and logs.
"""

from __future__ import annotations

import json
import os
import smtplib
import ssl
import tomllib
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRETS = ROOT / ".streamlit" / "secrets.toml"
DEFAULT_BASE_URL = "http://localhost:8501"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class DeliveryFailed(Exception):
    """A digest the server did not accept (or could not be reached); the message says why."""


class SettingsError(ValueError):
    """Alert settings that cannot be used; the message names the key."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    sender: str = "risk-alerts@localhost"
    username: str | None = None
    password: str | None = None
    starttls: bool = True
    ca_file: str | None = None
    timeout: float = 30.0


@dataclass(frozen=True)
class AlertSettings:
    base_url: str = DEFAULT_BASE_URL
    smtp: SmtpSettings | None = None  # None: no SMTP server configured
    webhook_timeout: float = 10.0


def _flag(value: Any, key: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise SettingsError(f"{key} must be true or false, not {value!r}")


def _number(value: Any, key: str, integer: bool = False) -> float:
    try:
        number = int(value) if integer else float(value)
    except (TypeError, ValueError):
        raise SettingsError(f"{key} must be a number, not {value!r}") from None
    if number <= 0:
        raise SettingsError(f"{key} must be above 0, not {value!r}")
    return number


def load_settings(
    secrets: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None
) -> AlertSettings:
    """The alert settings: the secrets file's [alerts] table, overridden by RISK_ALERTS_*."""
    env = os.environ if env is None else env
    file = Path(secrets or env.get("RISK_SECRETS_FILE") or DEFAULT_SECRETS)
    try:
        document = tomllib.loads(file.read_text(encoding="utf-8")) if file.exists() else {}
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise SettingsError(f"cannot read {file}: {err}") from err
    alerts = document.get("alerts", {})
    smtp = alerts.get("smtp", {}) if isinstance(alerts, dict) else {}
    if not isinstance(alerts, dict) or not isinstance(smtp, dict):
        raise SettingsError(f"{file}: [alerts] and [alerts.smtp] must be tables")

    def pick(table: Mapping[str, Any], key: str, variable: str) -> Any:
        return env.get(variable) or table.get(key)

    base_url = str(pick(alerts, "base_url", "RISK_ALERTS_BASE_URL") or DEFAULT_BASE_URL)
    if not base_url.startswith(("http://", "https://")):
        raise SettingsError(
            f"alerts.base_url must start with http:// or https://, not {base_url!r}"
        )
    host = pick(smtp, "host", "RISK_ALERTS_SMTP_HOST")
    smtp_settings = None
    if host:
        port = pick(smtp, "port", "RISK_ALERTS_SMTP_PORT") or 587
        starttls = pick(smtp, "starttls", "RISK_ALERTS_SMTP_STARTTLS")
        smtp_settings = SmtpSettings(
            host=str(host),
            port=int(_number(port, "alerts.smtp.port", integer=True)),
            sender=str(pick(smtp, "sender", "RISK_ALERTS_SMTP_SENDER") or SmtpSettings.sender),
            username=pick(smtp, "username", "RISK_ALERTS_SMTP_USERNAME"),
            password=pick(smtp, "password", "RISK_ALERTS_SMTP_PASSWORD"),
            starttls=True if starttls is None else _flag(starttls, "alerts.smtp.starttls"),
            ca_file=pick(smtp, "ca_file", "RISK_ALERTS_SMTP_CA_FILE"),
            timeout=_number(smtp.get("timeout", 30), "alerts.smtp.timeout"),
        )
    timeout = _number(alerts.get("webhook_timeout", 10), "alerts.webhook_timeout")
    return AlertSettings(base_url=base_url.rstrip("/"), smtp=smtp_settings, webhook_timeout=timeout)


def send_email(settings: SmtpSettings, to: str, subject: str, text: str, html: str) -> None:
    """Send one digest as a multipart/alternative message (plain text, then HTML)."""
    message = EmailMessage()
    try:
        message["Subject"] = subject
    except ValueError as err:  # a line break in a header
        raise DeliveryFailed(f"the subject cannot be sent: {err}") from err
    message["From"] = settings.sender
    message["To"] = to
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
    message.set_content(text, charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
            smtp.ehlo()
            if settings.starttls:
                if not smtp.has_extn("starttls"):
                    raise DeliveryFailed(
                        f"{settings.host}:{settings.port} does not offer STARTTLS (nothing sent; "
                        "set alerts.smtp.starttls = false only for a local relay)"
                    )
                context = ssl.create_default_context(cafile=settings.ca_file)
                smtp.starttls(context=context)
                smtp.ehlo()
            if settings.username:
                smtp.login(settings.username, settings.password or "")
            refused = smtp.send_message(message)
        if refused:
            raise DeliveryFailed(f"the server refused {', '.join(refused)}")
    except DeliveryFailed:
        raise
    except (smtplib.SMTPException, OSError, ssl.SSLError) as err:
        raise DeliveryFailed(f"SMTP {settings.host}:{settings.port}: {_reason(err)}") from err


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirected POST would become a GET elsewhere: a webhook that moved is a failure to fix.
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, PLR0913
        return None


def post_webhook(url: str, payload: Mapping[str, Any], timeout: float = 10.0) -> int:
    """POST the digest as JSON; returns the HTTP status (2xx), raises DeliveryFailed otherwise."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "customer-risk-dashboard-alerts",
        },
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as err:
        raise DeliveryFailed(f"webhook answered HTTP {err.code} {err.reason}") from err
    except (urllib.error.URLError, OSError) as err:
        raise DeliveryFailed(f"webhook unreachable: {_reason(err)}") from err
    if not 200 <= status < 300:
        raise DeliveryFailed(f"webhook answered HTTP {status}")
    return status


def _reason(err: BaseException) -> str:
    reason = getattr(err, "reason", None) or err
    text = " ".join(str(reason).split()) or type(err).__name__
    return text[:300]
