"""What a subscription to early-warning alerts may hold (python -m data alerts subscribe): every
value is checked before it is stored, and a refusal names the bad value."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

from data.alert_store import LANGUAGES

GRADES = ("A", "B", "C", "D", "E")
ADDRESS_LIMIT = 254
URL_LIMIT = 2000
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@"
    r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)


class SubscriptionRefused(ValueError):
    """A subscription value that cannot be stored; the message names it."""


def _hidden(text: str) -> bool:
    return any(unicodedata.category(c) in {"Cc", "Cf", "Zl", "Zp"} for c in text)


def _shown(text: str, limit: int = 80) -> str:
    # a refusal quotes the value with its hidden characters visible
    shown = "".join(
        f"\\u{ord(c):04x}" if unicodedata.category(c) in {"Cc", "Cf", "Zl", "Zp"} else c
        for c in text[:limit]
    )
    return "'" + shown + ("…" if len(text) > limit else "") + "'"


def check_email(text: str) -> str:
    """An e-mail address as stored (trimmed); refused unless it is one plain address."""
    address = text.strip()
    if _hidden(address) or len(address) > ADDRESS_LIMIT or not _EMAIL.match(address):
        raise SubscriptionRefused(
            f"e-mail address {_shown(address)} is not one address like name@example.com"
        )
    return address


def check_webhook(text: str) -> str:
    """A webhook URL as stored; refused unless it is an http(s) URL with a host."""
    url = text.strip()
    parts = urlsplit(url) if not _hidden(url) and " " not in url else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise SubscriptionRefused(
            f"webhook URL {_shown(url)} is not an http:// or https:// URL with a host"
        )
    if len(url) > URL_LIMIT:
        raise SubscriptionRefused(f"webhook URL {_shown(url)} is longer than {URL_LIMIT}")
    return url


def check_language(text: str) -> str:
    if text not in LANGUAGES:
        raise SubscriptionRefused(f"language {_shown(text)} is not one of {', '.join(LANGUAGES)}")
    return text


def check_filter(
    chosen: Mapping[str, str | None], known: Mapping[str, Sequence[str]] | None
) -> tuple[str, str]:
    """The one filter given (kind, value): exactly one of owner, region, segment, grade; its value
    one the warehouse knows (`known`: kind -> values; None when there is no warehouse yet, and
    only grades are checked)."""
    given = [(kind, value) for kind, value in chosen.items() if value is not None]
    if len(given) != 1:
        names = ", ".join(f"--{kind}" for kind in chosen)
        raise SubscriptionRefused(f"give exactly one of {names} (got {len(given)})")
    kind, value = given[0]
    value = value.strip()
    if kind == "grade":
        if value.upper() not in GRADES:
            raise SubscriptionRefused(f"grade {_shown(value)} is not one of {', '.join(GRADES)}")
        return kind, value.upper()
    if not value or _hidden(value):
        raise SubscriptionRefused(f"{kind} {_shown(value)} is empty or holds hidden characters")
    if known is not None and value not in known.get(kind, ()):
        values = list(known.get(kind, ()))
        listed = ", ".join(values[:12]) + (" …" if len(values) > 12 else "")
        raise SubscriptionRefused(
            f"{kind} {_shown(value)} is not a {kind} of the warehouse's customers "
            f"(known: {listed or 'none'})"
        )
    return kind, value


def display_address(channel: str, address: str) -> str:
    """An address as printed and shown: a webhook's URL without its path and query, which often
    carry its secret token (https://chat.example.com/…); an e-mail address as it is."""
    if channel != "webhook":
        return address
    parts = urlsplit(address)
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    rest = "/…" if parts.path.strip("/") or parts.query else ""
    return f"{parts.scheme}://{host}{port}{rest}"
