"""A hand-made warehouse of three alerts, and loopback servers (SMTP via aiosmtpd, an HTTP
webhook) that record what they receive, for the alerts tests.

The warehouse (grid 2026-08-31, 09-30, 10-31; reporting currency CNY):

| customer | name                | region | segment   | owner     | grades (Aug, Sep, Oct) | exposure Oct | spell entered | entry triggers        |
|----------|---------------------|--------|-----------|-----------|------------------------|--------------|---------------|-----------------------|
| C1       | Alpha Manufacturing | North  | corporate | Chen Jing | B, C, D                | 250 000      | 2026-10-31    | downgrade, limit_breach |
| C2       | 贝塔物流             | South  | sme       | Wang Lei  | –, A, C                | 80 000       | 2026-10-31    | overdue               |
| C3       | Gamma Retail        | North  | sme       | Chen Jing | E, E, E                | 43 000       | 2026-08-31    | overdue, legal        |

C3's spell entered in August (exposure 40 000 then, no grade before it).
"""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import threading
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from data import warehouse

D = date.fromisoformat
CUSTOMERS = [
    ("C1", "Alpha Manufacturing", "North", "corporate", "Chen Jing"),
    ("C2", "贝塔物流", "South", "sme", "Wang Lei"),
    ("C3", "Gamma Retail", "North", "sme", "Chen Jing"),
]
# customer_id, as_of, exposure, grade
MONTHS = [
    ("C1", D("2026-08-31"), 100_000.0, "B"),
    ("C1", D("2026-09-30"), 150_000.0, "C"),
    ("C1", D("2026-10-31"), 250_000.0, "D"),
    ("C2", D("2026-09-30"), 5_000.0, "A"),
    ("C2", D("2026-10-31"), 80_000.0, "C"),
    ("C3", D("2026-08-31"), 40_000.0, "E"),
    ("C3", D("2026-09-30"), 42_000.0, "E"),
    ("C3", D("2026-10-31"), 43_000.0, "E"),
]
SPELLS = [
    ("C1", D("2026-10-31"), ["downgrade", "limit_breach"]),
    ("C2", D("2026-10-31"), ["overdue"]),
    ("C3", D("2026-08-31"), ["overdue", "legal"]),
]


def build_alerts_warehouse(path: Path) -> Path:
    """The warehouse above: migrated schema, the three customers, and only the derived tables the
    alerts read (customer_month with the columns used, watchlist_spells, month_grid)."""
    con = warehouse.connect(path)
    try:
        for cid, name, region, segment, owner in CUSTOMERS:
            con.execute(
                "insert into customers values (?, ?, 'manufacturing', ?, ?, date '2025-01-01', "
                "null, null, 100000, ?, 'active')",
                [cid, name, region, segment, owner],
            )
        con.execute(
            "create table customer_month (customer_id varchar, as_of date, name varchar, "
            "region varchar, segment varchar, owner varchar, exposure double, grade varchar)"
        )
        details = {c[0]: c[1:] for c in CUSTOMERS}
        for cid, as_of, exposure, grade in MONTHS:
            con.execute(
                "insert into customer_month values (?, ?, ?, ?, ?, ?, ?, ?)",
                [cid, as_of, *details[cid], exposure, grade],
            )
        con.execute(
            "create table watchlist_spells (customer_id varchar, entered_on date, left_on date, "
            "months_on integer, entry_triggers varchar[], outcome varchar)"
        )
        for cid, entered, triggers in SPELLS:
            con.execute(
                "insert into watchlist_spells values (?, ?, null, 1, ?, 'on_list')",
                [cid, entered, triggers],
            )
        con.execute(
            "create table month_grid as select unnest(?::date[]) as as_of",
            [[D("2026-08-31"), D("2026-09-30"), D("2026-10-31")]],
        )
        con.execute(
            "update warehouse_state set as_of = date '2026-10-31', "
            "built_at = timestamp '2026-11-02 06:05'"
        )
    finally:
        con.close()
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def self_signed_cert(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 made with the openssl command line (.ci/run installs it): the
    delivery tests always speak STARTTLS, so a machine without openssl fails them, never skips."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    try:
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", str(key), "-out", str(cert),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError) as err:
        raise RuntimeError(f"cannot make a test certificate with openssl: {err}") from err
    return cert, key


class SmtpSink:
    """A loopback SMTP server (aiosmtpd) that keeps every message; STARTTLS when given a cert."""

    def __init__(
        self,
        port: int,
        cert: tuple[Path, Path] | None = None,
        credentials: tuple[str, str] | None = None,
    ) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.port = port
        self.cert = cert
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802, ANN001
                parsed = message_from_bytes(envelope.original_content, policy=policy.default)
                sink.messages.append((list(envelope.rcpt_tos), parsed))
                return "250 OK"

        context = None
        if cert:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(str(cert[0]), str(cert[1]))

        def authenticator(server, session, envelope, mechanism, auth_data):  # noqa: ANN001, ANN202
            given = (
                (auth_data.login, auth_data.password)
                if isinstance(auth_data, LoginPassword)
                else None
            )
            return AuthResult(
                success=given == tuple(c.encode() for c in credentials), handled=False
            )

        self.controller = Controller(
            Handler(),
            hostname="127.0.0.1",
            port=port,
            tls_context=context,
            require_starttls=context is not None,
            # with credentials: AUTH only after STARTTLS, and no mail without it
            authenticator=authenticator if credentials else None,
            auth_required=credentials is not None,
            auth_require_tls=True,
        )

    def start(self) -> SmtpSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller._thread is not None:  # stopping twice is harmless
            self.controller.stop()

    def by_recipient(self) -> dict[str, EmailMessage]:
        return {to: message for tos, message in self.messages for to in tos}


class WebhookSink:
    """A loopback HTTP server that keeps every POSTed JSON body; `status` is what it answers."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.status = 200
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                if sink.status == 200:
                    sink.bodies.append(json.loads(body.decode("utf-8")))
                self.send_response(sink.status)
                self.end_headers()

            def log_message(self, *args) -> None:  # noqa: ANN002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/T0KEN-secret"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> WebhookSink:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def text_part(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_part(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()
