-- Audit version 2: a hash chain. Each row carries the SHA-256 of the previous row (prev_hash) and
-- its own (row_hash, over a canonical serialisation of its fields and prev_hash; see
-- data/audit.py), so a changed, forged or removed row breaks the chain where it was. Rows written
-- before this version keep null hashes: they are shown as "before the chain".

alter table audit_log add column prev_hash text;

alter table audit_log add column row_hash text;

-- From now on every new row must carry its hashes (a row inserted by hand without them is refused;
-- one with made-up hashes does not verify).
create trigger audit_log_chained before insert on audit_log
when new.row_hash is null or new.prev_hash is null
begin
    select raise(abort, 'audit_log rows carry prev_hash and row_hash');
end;
