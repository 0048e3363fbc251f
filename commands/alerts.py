"""python -m data alerts: deliver the new early-warning alerts, and manage who receives them.

    python -m data alerts [--since YYYY-MM-DD] [--dry-run] [--db PATH] [--store PATH] [--secrets PATH]
    python -m data alerts subscribe (--email ADDRESS | --webhook URL) [--lang en|zh]
                                    (--owner NAME | --region R | --segment S | --grade G)
    python -m data alerts unsubscribe (--id N | --email ADDRESS | --webhook URL) [filter]
    python -m data alerts list

A run finds the alerts new since the previous run (queries/alerts.py), works out each
recipient's digest, records every delivery as pending in the delivery log (data/alert_store.py)
before sending, sends one digest per recipient and channel (data/alert_channels.py; rendered by
dashboard/components/alert_digest.py in the recipient's language), and marks each delivery sent or
failed. Deliveries left pending or failed by an earlier run are sent with the next one. Built for
cron: no terminal needed, one line per digest and a summary on stdout, refusals on stderr.

Exit status: 0 every due digest was sent; 1 at least one failed (retried by the next run);
2 nothing to send, or refused (no warehouse, bad settings, a subscription value refused).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from datetime import UTC, date, datetime

from commands.users import _who
from data import alert_input, alert_store, audit, users, warehouse
from data.alert_channels import (
    DeliveryFailed,
    SettingsError,
    load_settings,
    post_webhook,
    send_email,
)
from schemas.rules import escape_unsafe

EXIT_OK, EXIT_FAILED, EXIT_REFUSED = 0, 1, 2


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"not a date in YYYY-MM-DD format: {text!r}") from err


def _refuse(message: str) -> int:
    print(f"refused: {escape_unsafe(message)}", file=sys.stderr)
    return EXIT_REFUSED


def _owner_emails() -> dict[str, str]:
    """Owner name -> e-mail of the access-file user of that name (none while access is off)."""
    file = users.access_file()
    if file is None:
        return {}
    try:
        found = users.load_users(file)
    except users.AccessFileError:
        return {}
    return {name: u.email for name, u in found.items() if u.email and not u.problems}


def _plan(args: argparse.Namespace, store):  # noqa: ANN001, ANN202 - sqlite3 or None
    """(since, through, alerts, new deliveries, owners without an address) of this run, read
    from the warehouse; raises LookupError with the reason when there is nothing to read."""
    from queries.alerts import (  # late: the query layer reads the warehouse
        alert_record,
        alerts_since,
        default_since,
        owners_without_address,
        recipients,
    )
    from queries.freshness import warehouse_freshness
    from queries.settings import reporting_currency, warehouse_settings

    path = warehouse.db_path(args.db)
    if not path.exists():
        raise LookupError(f"no warehouse at {path} (build one with: python -m data demo)")
    warehouse.check_file(path)
    con = warehouse.connect(path, read_only=True)
    try:
        through = warehouse_freshness(con)["data_through"][0]
        since = args.since or default_since(through, alert_store.last_through(store))
        if since is None:
            raise LookupError(f"the warehouse {path} holds no month-end yet")
        frame = alerts_since(con, since)
        currency = reporting_currency(warehouse_settings(con))
    finally:
        con.close()
    alerts = [alert_record(row, currency) for row in frame.iter_rows(named=True)]
    subscriptions = alert_store.subscriptions(store)
    emails = _owner_emails()
    logged = alert_store.logged_keys(store)
    new: list[tuple[str, str, str, dict]] = []
    for alert in alerts:
        for recipient in recipients(alert, subscriptions, emails):
            key = (
                recipient.channel,
                recipient.address,
                alert["customer_id"],
                date.fromisoformat(alert["alert_on"]),
            )
            if key not in logged:
                new.append((recipient.channel, recipient.address, recipient.language, alert))
    return since, through, alerts, new, owners_without_address(alerts, subscriptions, emails)


def _reasons(store, channel: str, address: str, alerts) -> set[tuple[str, str]]:  # noqa: ANN001
    """The subscriptions (kind, value) that brought these alerts to this recipient."""
    from queries.alerts import recipients

    subscriptions = alert_store.subscriptions(store)
    found: set[tuple[str, str]] = set()
    for alert in alerts:
        for recipient, why in recipients(alert, subscriptions, _owner_emails()).items():
            if (recipient.channel, recipient.address) == (channel, address):
                found |= why
    return found


def cmd_run(args: argparse.Namespace) -> int:
    """Send the new alerts (or, with --dry-run, print what would be sent and record nothing)."""
    started = datetime.now(UTC).isoformat(timespec="milliseconds")
    try:
        settings = load_settings(args.secrets)
    except SettingsError as err:
        return _refuse(str(err))
    path = warehouse.db_path(args.db)
    if not path.exists():  # refused before the store (or its lock) is created beside it
        return _refuse(f"no warehouse at {path} (build one with: python -m data demo)")
    store_file = alert_store.store_path(args.store, args.db)
    if args.dry_run:
        return _run(args, settings, alert_store.read_only(store_file), started)
    try:
        with alert_store.run_lock(store_file):
            return _run(args, settings, alert_store.connect(store_file), started)
    except alert_store.RunInProgress as err:
        return _refuse(str(err))


def _run(args: argparse.Namespace, settings, store, started: str) -> int:  # noqa: ANN001
    """The run itself, on an open store (None: a dry run without a store file yet)."""
    from dashboard.components import alert_digest  # late: the dashboard's texts, no Streamlit

    try:
        try:
            since, through, alerts, new, unaddressed = _plan(args, store)
        except LookupError as err:
            return _refuse(str(err))
        print(
            f"alerts: {len(alerts):,} entered the watchlist from {since.isoformat()} "
            f"(data through {through.isoformat() if through else '—'})"
        )
        if unaddressed:
            listed = ", ".join(f"{o} ({n:,})" for o, n in sorted(unaddressed.items()))
            total = sum(unaddressed.values())
            print(
                escape_unsafe(
                    f"  no address for {len(unaddressed):,} owner"
                    f"{'' if len(unaddressed) == 1 else 's'} of {total:,} alert"
                    f"{'' if total == 1 else 's'}: {listed}; add one with: python -m "
                    "data alerts subscribe --owner NAME --email ADDRESS"
                )
            )
        if args.dry_run:
            return _dry_run(store, new, settings.base_url, alert_digest)
        alert_store.queue(store, new)
        due, dropped = _still_wanted(store, alert_store.unsent(store))
        if dropped:
            print(
                f"  {dropped:,} earlier deliver{'y' if dropped == 1 else 'ies'} to recipients "
                "no longer subscribed not retried (kept in the log)"
            )
        groups: dict[tuple[str, str, str], list] = defaultdict(list)
        for delivery in due:
            groups[(delivery.channel, delivery.address, delivery.language)].append(delivery)
        sent = failed = 0
        for (channel, address, language), deliveries in groups.items():
            batch = [d.alert for d in deliveries]
            shown = escape_unsafe(alert_input.display_address(channel, address))
            retried = sum(1 for d in deliveries if d.attempts)
            again = f", {retried:,} retried" if retried else ""
            try:
                _send(settings, channel, address, language, batch, store, alert_digest)
            except DeliveryFailed as err:
                alert_store.mark(store, [d.delivery_id for d in deliveries], str(err))
                failed += 1
                print(
                    f"  FAILED {channel} {shown} ({language}): {len(batch):,} alert"
                    f"{'' if len(batch) == 1 else 's'}{again}: {escape_unsafe(str(err))} "
                    "— kept, retried by the next run"
                )
                continue
            alert_store.mark(store, [d.delivery_id for d in deliveries], None)
            sent += 1
            print(
                f"  sent {channel} {shown} ({language}): {len(batch):,} alert"
                f"{'' if len(batch) == 1 else 's'}{again}"
            )
        alert_store.record_run(store, started, since, through, len(alerts), sent, failed)
    finally:
        if store is not None:
            store.close()
    print(
        f"alerts: {sent:,} digest{'' if sent == 1 else 's'} sent, {failed:,} failed"
        + (" (retried by the next run)" if failed else "")
        + ("" if groups else "; nothing new to send")
    )
    if failed:
        return EXIT_FAILED
    return EXIT_OK if sent else EXIT_REFUSED


def _send(settings, channel, address, language, batch, store, digest) -> None:  # noqa: ANN001, PLR0913
    reasons = _reasons(store, channel, address, batch)
    if channel == "webhook":
        payload = digest.webhook_payload(batch, language, settings.base_url, reasons)
        post_webhook(address, payload, timeout=settings.webhook_timeout)
        return
    if settings.smtp is None:
        raise DeliveryFailed(
            "no SMTP server configured ([alerts.smtp] host in .streamlit/secrets.toml or "
            "RISK_ALERTS_SMTP_HOST)"
        )
    send_email(
        settings.smtp,
        address,
        digest.subject(batch, language),
        digest.plain_text(batch, language, settings.base_url, reasons),
        digest.html_digest(batch, language, settings.base_url, reasons),
    )


def _still_wanted(store, unsent: list) -> tuple[list, int]:  # noqa: ANN001
    """The unsent deliveries whose recipient still has a subscription (or is an owner's
    access-file address), and how many were left out: an unsubscribed address is not retried."""
    active = {(s.channel, s.address) for s in alert_store.subscriptions(store)}
    active |= {("email", address) for address in _owner_emails().values()}
    kept = [d for d in unsent if (d.channel, d.address) in active]
    return kept, len(unsent) - len(kept)


def _dry_run(store, new, base_url: str, digest) -> int:  # noqa: ANN001
    """Print each digest that would be sent (new alerts and retries) as its plain text."""
    groups: dict[tuple[str, str, str], list] = defaultdict(list)
    for delivery in _still_wanted(store, alert_store.unsent(store))[0]:
        groups[(delivery.channel, delivery.address, delivery.language)].append(delivery.alert)
    for channel, address, language, alert in new:
        groups[(channel, address, language)].append(alert)
    for (channel, address, language), batch in groups.items():
        shown = alert_input.display_address(channel, address)
        print(
            escape_unsafe(
                f"  would send {channel} {shown} ({language}): {len(batch):,} alert"
                f"{'' if len(batch) == 1 else 's'}"
            )
        )
        text = digest.plain_text(
            batch, language, base_url, _reasons(store, channel, address, batch)
        )
        for line in text.splitlines():
            print(escape_unsafe(f"    {line}"))
    print(
        f"alerts (dry run): {len(groups):,} digest{'' if len(groups) == 1 else 's'} would be "
        "sent; nothing was sent or recorded"
    )
    return EXIT_OK if groups else EXIT_REFUSED


def _known_values(args: argparse.Namespace) -> dict[str, list[str]] | None:
    from queries.alerts import filter_values  # late: the query layer reads the warehouse

    path = warehouse.db_path(args.db)
    if not path.exists():
        return None
    warehouse.check_file(path)
    con = warehouse.connect(path, read_only=True)
    try:
        return filter_values(con)
    finally:
        con.close()


def _filters(args: argparse.Namespace) -> dict[str, str | None]:
    return {k: getattr(args, k) for k in ("owner", "region", "segment", "grade")}


def _channel(args: argparse.Namespace) -> tuple[str, str]:
    given = [(c, getattr(args, c)) for c in ("email", "webhook") if getattr(args, c) is not None]
    if len(given) != 1:
        raise alert_input.SubscriptionRefused(
            f"give exactly one of --email, --webhook (got {len(given)})"
        )
    channel, value = given[0]
    if channel == "email":
        return channel, alert_input.check_email(value)
    return channel, alert_input.check_webhook(value)


def cmd_subscribe(args: argparse.Namespace) -> int:
    try:
        channel, address = _channel(args)
        language = alert_input.check_language(args.lang)
        kind, value = alert_input.check_filter(_filters(args), _known_values(args))
    except alert_input.SubscriptionRefused as err:
        return _refuse(str(err))
    con = alert_store.connect(alert_store.store_path(args.store, args.db))
    try:
        stored = alert_store.subscribe(con, channel, address, language, kind, value, _who())
    finally:
        con.close()
    shown = alert_input.display_address(channel, address)
    if stored is None:
        return _refuse(f"{channel} {shown} is already subscribed to {kind} {value!r}")
    print(
        escape_unsafe(
            f"subscription #{stored.subscription_id}: {channel} {shown} ({language}) receives "
            f"the alerts of {kind} {value!r}"
        )
    )
    audit.record(
        "alert_subscription",
        who=_who(),
        detail=f"subscribe #{stored.subscription_id} {channel} {shown} ({language}) {kind} {value}",
        db=args.db,
    )
    return EXIT_OK


def cmd_unsubscribe(args: argparse.Namespace) -> int:
    try:
        given = [
            (c, getattr(args, c)) for c in ("email", "webhook") if getattr(args, c) is not None
        ]
        if args.id is None and len(given) != 1:
            raise alert_input.SubscriptionRefused(
                "give --id N, or exactly one of --email, --webhook (with a filter to remove "
                "only that subscription)"
            )
        address = _channel(args)[1] if given else None
        chosen = _filters(args)
        kind = value = None
        if any(v is not None for v in chosen.values()):
            kind, value = alert_input.check_filter(chosen, None)
    except alert_input.SubscriptionRefused as err:
        return _refuse(str(err))
    store = alert_store.read_only(alert_store.store_path(args.store, args.db))
    if store is None:
        return _refuse("there are no subscriptions yet")
    store.close()
    con = alert_store.connect(alert_store.store_path(args.store, args.db))
    try:
        removed = alert_store.unsubscribe(con, _who(), args.id, address, kind, value)
    finally:
        con.close()
    if not removed:
        what = f"#{args.id}" if args.id is not None else alert_input.display_address(*given[0])
        extra = f" for {kind} {value!r}" if kind else ""
        return _refuse(f"no active subscription {what}{extra}")
    for s in removed:
        print(escape_unsafe(f"removed {_line(s)}"))
        audit.record(
            "alert_subscription",
            who=_who(),
            detail=f"unsubscribe #{s.subscription_id} {s.channel} "
            f"{alert_input.display_address(s.channel, s.address)} {s.filter_kind} {s.filter_value}",
            db=args.db,
        )
    return EXIT_OK


def _line(s: alert_store.Subscription) -> str:
    shown = alert_input.display_address(s.channel, s.address)
    return (
        f"#{s.subscription_id} {s.channel} {shown} ({s.language}) {s.filter_kind} "
        f"{s.filter_value!r} since {s.created_at[:10]} by {s.created_by}"
    )


def cmd_list(args: argparse.Namespace) -> int:
    store = alert_store.read_only(alert_store.store_path(args.store, args.db))
    try:
        found = alert_store.subscriptions(store)
        pending = [d for d in alert_store.unsent(store) if d.status == "pending"]
        failed = [d for d in alert_store.unsent(store) if d.status == "failed"]
    finally:
        if store is not None:
            store.close()
    if not found:
        print("no subscriptions (add one with: python -m data alerts subscribe)")
    for s in found:
        print(escape_unsafe(_line(s)))
    if pending or failed:
        print(f"deliveries to retry: {len(failed):,} failed, {len(pending):,} pending")
    return EXIT_OK


def add_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add `alerts` (and its subscribe / unsubscribe / list) to the python -m data command line."""
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument(
        "--store",
        metavar="PATH",
        help="alerts file: subscriptions and delivery log (default: $RISK_ALERTS_DB or "
        "alerts.sqlite next to the warehouse)",
    )
    parser = sub.add_parser(
        "alerts",
        parents=[common, where],
        help="send the new early-warning alerts by e-mail and webhook; subscribe|unsubscribe|list",
    )
    parser.add_argument(
        "--since",
        type=_date,
        help="alerts entered on or after this date (default: since the last run)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print what would be sent; send and record nothing"
    )
    parser.add_argument(
        "--secrets",
        metavar="PATH",
        help="secrets file with [alerts] and [alerts.smtp] (default: .streamlit/secrets.toml)",
    )
    parser.set_defaults(run=cmd_run)
    actions = parser.add_subparsers(dest="alerts_command")

    def address(p: argparse.ArgumentParser) -> None:
        p.add_argument("--email", metavar="ADDRESS", help="send e-mail digests to this address")
        p.add_argument("--webhook", metavar="URL", help="POST JSON digests to this URL")

    def filters(p: argparse.ArgumentParser) -> None:
        p.add_argument("--owner", metavar="NAME", help="the customers this owner manages")
        p.add_argument("--region", help="the customers of this region")
        p.add_argument("--segment", help="the customers of this segment")
        p.add_argument("--grade", help="customers entering the watchlist with this grade (A-E)")

    subscribe = actions.add_parser(
        "subscribe", parents=[common, where], help="send a recipient the alerts of one filter"
    )
    address(subscribe)
    subscribe.add_argument("--lang", default="en", help="digest language: en or zh (default en)")
    filters(subscribe)
    subscribe.set_defaults(run=cmd_subscribe)

    unsubscribe = actions.add_parser(
        "unsubscribe", parents=[common, where], help="remove subscriptions"
    )
    unsubscribe.add_argument("--id", type=int, help="the subscription's number (see list)")
    address(unsubscribe)
    filters(unsubscribe)
    unsubscribe.set_defaults(run=cmd_unsubscribe)

    listing = actions.add_parser(
        "list", parents=[common, where], help="the subscriptions and deliveries to retry"
    )
    listing.set_defaults(run=cmd_list)
