-- Upsert the validated batch registered as `staged` into risk_events: a row with a known key replaces the old one.
insert or replace into risk_events by name
select * from staged
