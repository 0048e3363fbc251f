-- data_quality: one row per data-quality check over the source tables (completeness of nullable
-- columns, orphans, overpayments), with the number of offending rows, the rows checked and their
-- share (0-1). Built after every load, so the Data page reads a few rows instead of scanning the
-- payments. No params.
create or replace table data_quality as
with checks as (
    select 'customers' as table_name, 'annual_revenue missing' as check_name,
           count(*) filter (where annual_revenue is null) as offending, count(*) as total
    from customers
    union all
    select 'customers', 'external_rating missing', count(*) filter (where external_rating is null), count(*)
    from customers
    union all
    select 'contracts', 'customer not in customers',
           count(*) filter (where k.customer_id not in (select customer_id from customers)), count(*)
    from contracts as k
    union all
    select 'contracts', 'last_reviewed_on missing', count(*) filter (where last_reviewed_on is null), count(*)
    from contracts
    union all
    select 'payments', 'contract not in contracts',
           count(*) filter (where p.contract_id not in (select contract_id from contracts)), count(*)
    from payments as p
    union all
    select 'payments', 'paid more than due', count(*) filter (where amount_paid > amount_due), count(*)
    from payments
    union all
    select 'risk_events', 'customer not in customers',
           count(*) filter (where e.customer_id not in (select customer_id from customers)), count(*)
    from risk_events as e
)

select table_name, check_name, offending, total,
       case when total = 0 then 0.0 else offending / total end as share
from checks
