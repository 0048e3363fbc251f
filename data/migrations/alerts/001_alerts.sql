-- Alerts store version 1 (a SQLite file next to the warehouse, see data/alert_store.py).
-- subscriptions: who is sent which alerts, one row per subscription (unsubscribing marks it
-- removed, so the list of who was subscribed when stays). deliveries: one row per alert per
-- recipient and channel, the delivery log that makes a rerun never send an alert twice.
-- runs: one row per finished run of python -m data alerts (not of a dry run).

create table subscriptions (
    subscription_id  integer primary key autoincrement,
    channel          text not null check (channel in ('email', 'webhook')),
    address          text not null,
    language         text not null check (language in ('en', 'zh')),
    filter_kind      text not null check (filter_kind in ('owner', 'region', 'segment', 'grade')),
    filter_value     text not null,
    created_at       text not null,
    created_by       text not null,
    removed_at       text,
    removed_by       text
);

create unique index subscriptions_active
on subscriptions (channel, address, filter_kind, filter_value) where removed_at is null;

create table deliveries (
    delivery_id  integer primary key autoincrement,
    channel      text not null check (channel in ('email', 'webhook')),
    address      text not null,
    customer_id  text not null,
    alert_on     text not null,
    language     text not null,
    alert        text not null,
    status       text not null check (status in ('pending', 'sent', 'failed')),
    attempts     integer not null default 0,
    first_at     text not null,
    last_at      text not null,
    sent_at      text,
    error        text
);

create unique index deliveries_once on deliveries (channel, address, customer_id, alert_on);

create index deliveries_status on deliveries (status);

create table runs (
    run_id       integer primary key autoincrement,
    started_at   text not null,
    finished_at  text not null,
    since        text not null,
    through      text,
    alerts       integer not null,
    sent         integer not null,
    failed       integer not null
);
