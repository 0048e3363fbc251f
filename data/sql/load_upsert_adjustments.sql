-- Upsert the validated batch registered as `staged` into adjustments: a row with a known key replaces the old one.
insert or replace into adjustments by name
select * from staged
