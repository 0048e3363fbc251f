-- Audit version 1: the append-only audit log (a SQLite file next to the warehouse, see data/audit.py).
-- One row per audited event: sign-ins and failures, sign-outs, refusals, exports, loads, customer views.

create table audit_log (
    audit_id  integer primary key autoincrement,
    at        text not null,               -- UTC, ISO 8601 with seconds
    who       text not null,               -- user name, 'cli:<os user>' for the command line
    role      text,                        -- the role at the time (null: none or not signed in)
    action    text not null,               -- sign_in, sign_in_failed, sign_out, refused, export, load, customer_view
    detail    text not null default '',    -- what: the view and format, the file, the customer id, the reason
    rows      integer                      -- rows exported or loaded, when it applies
);

create index audit_log_at on audit_log (at);

-- Append-only: the database itself refuses changes and deletions of logged rows.
create trigger audit_log_no_update before update on audit_log
begin
    select raise(abort, 'audit_log is append-only');
end;

create trigger audit_log_no_delete before delete on audit_log
begin
    select raise(abort, 'audit_log is append-only');
end;
