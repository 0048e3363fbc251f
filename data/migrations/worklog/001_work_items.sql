-- Worklog version 1: work done on risk (a SQLite file next to the warehouse, see data/worklog.py).
-- work_items: one row per item (an alert review, a credit decision, a collection contact, a promise
-- to pay, a dispute), written once when the item is created. work_versions: one row per change of
-- an item; the item's current state is its latest version. Neither table is ever updated or
-- deleted from: a change is a new version.

create table work_items (
    item_id      integer primary key autoincrement,
    kind         text not null check (kind in ('review', 'decision', 'contact', 'promise', 'dispute')),
    customer_id  text not null,
    alert_on     text,                 -- reviews: the alert's key, the month-end of its entry (ISO date)
    created_at   text not null,        -- UTC, ISO 8601
    created_by   text not null
);

-- One review per alert: two first changes of the same alert cannot both create it.
create unique index work_items_alert on work_items (customer_id, alert_on) where kind = 'review';

create index work_items_customer on work_items (customer_id);

create table work_versions (
    item_id   integer not null references work_items (item_id),
    version   integer not null check (version >= 1),
    state     text not null,
    fields    text not null,            -- JSON object: every field of the item as of this version
    note      text not null default '', -- what this change said: a comment, a reason, a decision note
    author    text not null,            -- the signed-in user ('cli:<os user>' from the command line)
    role      text,                     -- the author's role at the time
    at        text not null,            -- UTC, ISO 8601 with milliseconds
    primary key (item_id, version)
);

-- Versions come in order: each is the latest plus one, so a change based on an old version
-- cannot slip in beside a newer one.
create trigger work_versions_in_order before insert on work_versions
when new.version != coalesce(
    (select max(version) from work_versions where item_id = new.item_id), 0
) + 1
begin
    select raise(abort, 'work_versions: a new version follows the latest one');
end;

-- Append-only: the database itself refuses changes and deletions of items and versions.
create trigger work_items_no_update before update on work_items
begin
    select raise(abort, 'work_items is append-only');
end;

create trigger work_items_no_delete before delete on work_items
begin
    select raise(abort, 'work_items is append-only');
end;

create trigger work_versions_no_update before update on work_versions
begin
    select raise(abort, 'work_versions is append-only');
end;

create trigger work_versions_no_delete before delete on work_versions
begin
    select raise(abort, 'work_versions is append-only');
end;
