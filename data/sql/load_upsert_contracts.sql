-- Upsert the validated batch registered as `staged` into contracts: a row with a known key replaces the old one.
insert or replace into contracts by name
select * from staged
