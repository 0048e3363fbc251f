-- Upsert the validated batch registered as `staged` into customers: a row with a known key replaces the old one.
insert or replace into customers by name
select * from staged
