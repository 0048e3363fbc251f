-- Upsert the validated batch registered as `staged` into payments: a row with a known key replaces the old one.
insert or replace into payments by name
select * from staged
