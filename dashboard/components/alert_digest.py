"""The early-warning digest one recipient receives, in their language: the e-mail's subject, plain
text and HTML, and the webhook's JSON (python -m data alerts, commands/alerts.py).

No Streamlit here: the command line renders digests under cron. Every text comes from the message
catalogues (dashboard/messages/<lang>/alerts.toml), trigger names from the Watchlist's, money and
dates from dashboard/components/formats.py; every value from the warehouse is HTML-escaped (names
are the users' data). An alert is a dict as the delivery log stores it (queries/alerts.py,
`alert_record`): customer_id, name, alert_on, entered_on, triggers (codes), exposure, grade,
previous_grade, currency.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any
from urllib.parse import quote

from dashboard.components.formats import day, money
from dashboard.i18n import DEFAULT_LANGUAGE, catalogue

Alert = Mapping[str, Any]


def _t(lang: str, key: str, /, **values: object) -> str:
    text = catalogue(lang).get(key)
    if text is None:
        text = catalogue(DEFAULT_LANGUAGE)[key]
    return text.format(**values) if values else text


def customer_url(base_url: str, customer_id: str, lang: str) -> str:
    """The customer page of the dashboard at `base_url`, in the recipient's language."""
    return f"{base_url.rstrip('/')}/customer?customer={quote(customer_id, safe='')}&lang={lang}"


def trigger_labels(codes: Iterable[str], lang: str) -> list[str]:
    """Trigger codes as the Watchlist names them ('limit_breach' -> 'Limit breach' / '超额度')."""
    return [_t(lang, f"watchlist.trigger_name.{code}") for code in codes]


def _separator(lang: str) -> str:
    return "、" if lang == "zh" else ", "


def grade_text(alert: Alert, lang: str) -> str:
    """'B → D'; 'B (unchanged)'; 'D (first grade)' for a customer graded for the first time."""
    before, after = alert.get("previous_grade"), alert["grade"]
    if before is None:
        return _t(lang, "alerts_digest.grade_new", after=after)
    if before == after:
        return _t(lang, "alerts_digest.grade_same", after=after)
    return _t(lang, "alerts_digest.grade_change", before=before, after=after)


def _ordered(alerts: Iterable[Alert]) -> list[Alert]:
    # newest first, then the largest exposure: what the owner should open first
    return sorted(alerts, key=lambda a: (a["alert_on"], a["exposure"]), reverse=True)


def _why(reasons: Iterable[tuple[str, str]], lang: str) -> str:
    """Why the recipient gets this digest: as the owner, as a subscriber of a filter, or both."""
    given = sorted(set(reasons))
    parts = [
        _t(
            lang,
            f"alerts_admin.filter.{kind}",
            # region and segment names as the pages show them ('North' -> '华北')
            value=catalogue(lang).get(f"values.{kind}.{value}", value),
        )
        for kind, value in given
        if kind != "owner"
    ]
    owner = any(kind == "owner" for kind, _ in given)
    if not parts:
        return _t(lang, "alerts_digest.why_owner")
    filters = _separator(lang).join(parts)
    key = "alerts_digest.why_both" if owner else "alerts_digest.why_subscriber"
    return _t(lang, key, filters=filters)


def _header_text(text: str) -> str:
    # one line, hidden characters visible: a name cannot add a header or reverse the subject
    line = " ".join(text.split())
    return "".join(
        f"\\u{ord(c):04x}" if unicodedata.category(c) in {"Cc", "Cf", "Co", "Zl", "Zp"} else c
        for c in line
    )[:200]


def subject(alerts: Sequence[Alert], lang: str) -> str:
    """The e-mail subject (one line): the one customer's name, or how many joined."""
    if len(alerts) == 1:
        name = _header_text(str(alerts[0]["name"]))
        return _t(lang, "alerts_digest.subject_one", name=name)
    return _t(lang, "alerts_digest.subject", count=len(alerts))


def _cells(alert: Alert, lang: str) -> dict[str, str]:
    code = alert.get("currency")
    return {
        "customer": str(alert["name"]),
        "customer_id": str(alert["customer_id"]),
        "triggers": _separator(lang).join(trigger_labels(alert["triggers"], lang)),
        "exposure": money(alert["exposure"], lang=lang, code=code),
        "grade": grade_text(alert, lang),
        "on": day(date.fromisoformat(str(alert["entered_on"])), lang),
    }


def plain_text(
    alerts: Sequence[Alert], lang: str, base_url: str, reasons: Iterable[tuple[str, str]] = ()
) -> str:
    """The digest as plain text (the e-mail's text part and the webhook's `text`)."""
    ordered = _ordered(alerts)
    intro = (
        _t(lang, "alerts_digest.intro_one")
        if len(ordered) == 1
        else _t(lang, "alerts_digest.intro", count=len(ordered))
    )
    lines = [_t(lang, "alerts_digest.title"), "", intro, ""]
    for alert in ordered:
        lines.append(_t(lang, "alerts_digest.text_line", **_cells(alert, lang)))
        url = customer_url(base_url, alert["customer_id"], lang)
        lines.append(_t(lang, "alerts_digest.text_link", url=url))
    currency = ordered[0].get("currency") if ordered else ""
    lines += [
        "",
        _why(reasons, lang),
        _t(lang, "alerts_digest.footer", currency=currency or ""),
    ]
    return "\n".join(lines) + "\n"


_STYLE = {
    "body": "margin:0;padding:24px;background:#f4f6f8;font-family:-apple-system,'Segoe UI',"
    "Roboto,'Noto Sans CJK SC','Microsoft YaHei',sans-serif;color:#1f2933",
    "card": "max-width:760px;margin:0 auto;background:#ffffff;border-radius:8px;"
    "border-top:4px solid #c0392b;padding:24px",
    "th": "text-align:left;font-size:12px;color:#52606d;padding:8px;border-bottom:1px solid #d9e2ec",
    "td": "padding:10px 8px;border-bottom:1px solid #eef2f6;font-size:14px;vertical-align:top",
    "num": "padding:10px 8px;border-bottom:1px solid #eef2f6;font-size:14px;text-align:right;"
    "white-space:nowrap;vertical-align:top",
    "link": "display:inline-block;margin-top:4px;font-size:13px;color:#1f6feb",
    "note": "font-size:12px;color:#7b8794;margin-top:16px;line-height:1.5",
}


def html_digest(
    alerts: Sequence[Alert], lang: str, base_url: str, reasons: Iterable[tuple[str, str]] = ()
) -> str:
    """The digest as a self-contained HTML e-mail (inline styles, no images or scripts)."""
    e = html.escape
    ordered = _ordered(alerts)
    intro = (
        _t(lang, "alerts_digest.intro_one")
        if len(ordered) == 1
        else _t(lang, "alerts_digest.intro", count=len(ordered))
    )
    heads = "".join(
        f'<th style="{_STYLE["th"]}">{e(_t(lang, f"alerts_digest.col_{k}"))}</th>'
        for k in ("customer", "triggers", "exposure", "grade", "on")
    )
    rows = []
    for alert in ordered:
        cells = _cells(alert, lang)
        url = customer_url(base_url, alert["customer_id"], lang)
        rows.append(
            "<tr>"
            f'<td style="{_STYLE["td"]}"><strong>{e(cells["customer"])}</strong> '
            f'<span style="color:#7b8794">{e(cells["customer_id"])}</span><br>'
            f'<a style="{_STYLE["link"]}" href="{e(url)}">{e(_t(lang, "alerts_digest.open"))}</a>'
            "</td>"
            f'<td style="{_STYLE["td"]}">{e(cells["triggers"])}</td>'
            f'<td style="{_STYLE["num"]}">{e(cells["exposure"])}</td>'
            f'<td style="{_STYLE["num"]}">{e(cells["grade"])}</td>'
            f'<td style="{_STYLE["num"]}">{e(cells["on"])}</td>'
            "</tr>"
        )
    currency = (ordered[0].get("currency") if ordered else "") or ""
    title = _t(lang, "alerts_digest.title")
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (
        f'<!DOCTYPE html><html lang="{html_lang}"><head><meta charset="utf-8">'
        f"<title>{e(title)}</title></head>"
        f'<body style="{_STYLE["body"]}"><div style="{_STYLE["card"]}">'
        f'<h1 style="font-size:20px;margin:0 0 8px">{e(title)}</h1>'
        f'<p style="margin:0 0 16px;font-size:14px">{e(intro)}</p>'
        f'<table style="width:100%;border-collapse:collapse"><thead><tr>{heads}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
        f'<p style="{_STYLE["note"]}">'
        f"{e(_why(reasons, lang))}<br>"
        f"{e(_t(lang, 'alerts_digest.footer', currency=currency))}</p>"
        "</div></body></html>"
    )


def webhook_payload(
    alerts: Sequence[Alert], lang: str, base_url: str, reasons: Iterable[tuple[str, str]] = ()
) -> dict[str, Any]:
    """The webhook's JSON: `text` for chat tools that show one message, and one entry per alert
    with its values in the recipient's language (trigger names, formatted money) and raw numbers
    for tools that compute."""
    ordered = _ordered(alerts)
    return {
        "text": plain_text(ordered, lang, base_url, reasons),
        "title": subject(ordered, lang),
        "language": lang,
        "alerts": [
            {
                "customer_id": alert["customer_id"],
                "customer": alert["name"],
                "alert_on": str(alert["alert_on"]),
                "entered_on": str(alert["entered_on"]),
                "triggers": trigger_labels(alert["triggers"], lang),
                "exposure": alert["exposure"],
                "exposure_text": _cells(alert, lang)["exposure"],
                "currency": alert.get("currency"),
                "grade": alert["grade"],
                "previous_grade": alert.get("previous_grade"),
                "grade_change": grade_text(alert, lang),
                "url": customer_url(base_url, alert["customer_id"], lang),
            }
            for alert in ordered
        ],
    }
