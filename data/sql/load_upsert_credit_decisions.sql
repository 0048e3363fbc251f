-- Upsert the approved credit decisions registered as `staged_decisions` (data/worklog_decisions.py:
-- one row per decision, review_id 'DEC-<item id>') into credit_reviews, for the customers the
-- warehouse holds; a row with a known review_id replaces the old one. No params.
insert or replace into credit_reviews by name
select staged_decisions.*
from staged_decisions
semi join customers on customers.customer_id = staged_decisions.customer_id
