-- watchlist_cube: one row per grid date (as_of) x segment x region x industry x trigger (each trigger
-- code, plus 'any' = on the watchlist) that has members or leavers: members (customers the trigger
-- fires for now), inflow (fires now, not at the previous grid date) and outflow (fired at the previous
-- grid date, not now); inflow and outflow are 0 at the first grid date, which has nothing to compare
-- with. The counts add up over segments, regions and industries, so the watchlist trend of any
-- filtered portfolio is a sum over a few rows. No params; reads customer_month's previous_triggers.
create or replace table watchlist_cube as
with grid as (
    select as_of, lag(as_of) over (order by as_of) as prev_as_of
    from month_grid
),

pairs as (
    select
        cm.as_of,
        cm.segment,
        cm.region,
        cm.industry,
        g.prev_as_of is not null as has_prev,
        list_concat(cm.triggers, case when cm.on_watchlist then ['any'] else [] end) as now_fired,
        list_concat(
            cm.previous_triggers, case when len(cm.previous_triggers) > 0 then ['any'] else [] end
        ) as prev_fired
    from customer_month as cm
    inner join grid as g on g.as_of = cm.as_of
    where cm.on_watchlist or len(cm.previous_triggers) > 0
),

fired_now as (
    select
        as_of,
        segment,
        region,
        industry,
        code as trigger,
        count(*) as members,
        count(*) filter (where has_prev and not list_contains(prev_fired, code)) as inflow
    from (select *, unnest(now_fired) as code from pairs)
    group by all
),

fired_before as (
    select
        as_of,
        segment,
        region,
        industry,
        code as trigger,
        count(*) filter (where has_prev and not list_contains(now_fired, code)) as outflow
    from (select *, unnest(prev_fired) as code from pairs)
    group by all
),

final as (
    select
        as_of,
        segment,
        region,
        industry,
        trigger,
        coalesce(n.members, 0) as members,
        coalesce(n.inflow, 0) as inflow,
        coalesce(b.outflow, 0) as outflow
    from fired_now as n
    full join fired_before as b using (as_of, segment, region, industry, trigger)
)

select * from final
order by as_of, segment, region, industry, trigger
