-- Upsert the validated batch registered as `staged` into fx_rates: a row with a known key
-- (currency, "on") replaces the old one.
insert or replace into fx_rates by name
select * from staged
