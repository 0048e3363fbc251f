-- One row per source table: rows, and the span of its main date. No parameters.
select 'fx_rates' as table_name, count(*) as rows, min("on") as first_date, max("on") as last_date
from fx_rates
union all
select 'customers', count(*), min(onboarded_on), max(onboarded_on) from customers
union all
select 'contracts', count(*), min(signed_on), max(signed_on) from contracts
union all
select 'payments', count(*), min(coalesce(issued_on, due_on)), max(coalesce(paid_on, due_on)) from payments
union all
select 'adjustments', count(*), min(occurred_on), max(occurred_on) from adjustments
union all
select 'credit_reviews', count(*), min(effective_on), max(effective_on) from credit_reviews
union all
select 'risk_events', count(*), min(occurred_on), max(occurred_on) from risk_events
