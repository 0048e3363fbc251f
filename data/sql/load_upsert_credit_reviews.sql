-- Upsert the validated batch registered as `staged` into credit_reviews: a row with a known key replaces the old one.
insert or replace into credit_reviews by name
select * from staged
