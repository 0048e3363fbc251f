-- watchlist_month: one row per grid date (as_of) x trigger (each trigger code, plus 'any' = on_watchlist).
-- No params. members: customers on the list for that trigger at as_of; inflow: on it now and not at
-- the previous grid date; outflow: on it at the previous grid date and not now (a customer missing
-- from a date counts as off the list). inflow and outflow are null at the first grid date, which has
-- no previous date to compare with.
create or replace table watchlist_month as
with grid as (
    select as_of, lag(as_of) over (order by as_of) as prev_as_of
    from month_grid
),

trigger_codes as (
    select unnest([
        'overdue', 'downgrade', 'limit_breach', 'legal', 'operational', 'rating_downgrade',
        'concentration', 'any'
    ]) as trigger
),

trigger_members as (
    select distinct customer_id, as_of, unnest(triggers) as trigger
    from customer_month
    where len(triggers) > 0
),

any_members as (
    select customer_id, as_of, 'any' as trigger
    from customer_month
    where on_watchlist
),

membership as (
    select * from trigger_members
    union all
    select * from any_members
),

members as (
    select as_of, trigger, count(*) as members
    from membership
    group by as_of, trigger
),

inflow as (
    select grid.as_of, listed_now.trigger, count(*) as inflow
    from membership as listed_now
    inner join grid on grid.as_of = listed_now.as_of
    anti join membership as listed_before
        on listed_before.customer_id = listed_now.customer_id
        and listed_before.trigger = listed_now.trigger
        and listed_before.as_of = grid.prev_as_of
    where grid.prev_as_of is not null
    group by grid.as_of, listed_now.trigger
),

outflow as (
    select grid.as_of, listed_before.trigger, count(*) as outflow
    from membership as listed_before
    inner join grid on grid.prev_as_of = listed_before.as_of
    anti join membership as listed_now
        on listed_now.customer_id = listed_before.customer_id
        and listed_now.trigger = listed_before.trigger
        and listed_now.as_of = grid.as_of
    group by grid.as_of, listed_before.trigger
),

final as (
    select
        grid.as_of,
        trigger_codes.trigger,
        coalesce(members.members, 0) as members,
        case when grid.prev_as_of is not null then coalesce(inflow.inflow, 0) end as inflow,
        case when grid.prev_as_of is not null then coalesce(outflow.outflow, 0) end as outflow
    from grid
    cross join trigger_codes
    left join members on members.as_of = grid.as_of and members.trigger = trigger_codes.trigger
    left join inflow on inflow.as_of = grid.as_of and inflow.trigger = trigger_codes.trigger
    left join outflow on outflow.as_of = grid.as_of and outflow.trigger = trigger_codes.trigger
)

select * from final
order by as_of, trigger
