-- month_grid: one row per grid date: every month-end from the month of the first dated fact through
-- $as_of, plus $as_of itself when it is not a month-end (monitoring is as of the load, not last month).
-- Params: as_of. Empty when there is no data or all of it is later than as_of.
create or replace table month_grid as
with first_fact as (
    select min(first_on) as first_on
    from (
        select min(start_on) as first_on from contracts
        union all select min(due_on) from payments
        union all select min(occurred_on) from risk_events
        union all select min(onboarded_on) from customers
    )
),

month_ends as (
    select last_day(month_start::date) as as_of
    from first_fact,
        unnest(generate_series(date_trunc('month', first_on), $as_of::date, interval 1 month))
            as months(month_start)
    where first_on <= $as_of::date
),

final as (
    select as_of from month_ends where as_of <= $as_of::date
    union
    select $as_of::date from first_fact where first_on <= $as_of::date
)

select * from final order by as_of
