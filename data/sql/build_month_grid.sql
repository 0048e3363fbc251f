-- month_grid: one row per grid date: every month-end from the month of the first activity (a
-- contract start, payment due date or risk event; the first onboarding date when there is none) through
-- $as_of, plus $as_of itself when it is not a month-end (monitoring is as of the load, not last month).
-- Onboarding dates start the grid only without activity: customers onboarded years before the
-- first contract would otherwise add months of empty history. Params: as_of. Empty without data.
create or replace table month_grid as
with first_fact as (
    select coalesce(
        least(
            (select min(start_on) from contracts),
            (select min(due_on) from payments),
            (select min(occurred_on) from risk_events)
        ),
        (select min(onboarded_on) from customers)
    ) as first_on
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
