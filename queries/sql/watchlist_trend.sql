-- The watchlist over the 24 months to $as_of for a filtered portfolio: per grid date and trigger
-- ('any' = the list itself), members, inflow (firing now, not at the previous grid date) and outflow
-- (the reverse); inflow and outflow are 0 at the first grid date, which has nothing to compare with
-- (watchlist_month has null there). Reads watchlist_cube. Params: $as_of, $segments, $regions,
-- $industries.
with grid as (
    select as_of, lag(as_of) over (order by as_of) as prev_as_of
    from month_grid
    where as_of <= $as_of::date
    qualify as_of > $as_of::date - interval 24 month
),

cube as (
    -- watchlist_cube's counts add up over segments, regions and industries
    select c.as_of, c.trigger, sum(c.members) as members, sum(c.inflow) as inflow,
        sum(c.outflow) as outflow
    from watchlist_cube as c
    where c.as_of in (select as_of from grid)
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], c.segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], c.region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], c.industry))
    group by c.as_of, c.trigger
),

codes as (
    select unnest(['any', 'overdue', 'downgrade', 'limit_breach', 'legal', 'operational',
                   'rating_downgrade', 'concentration']) as trigger
),

final as (
    select
        d.as_of,
        c.trigger,
        coalesce(x.members, 0)::bigint as members,
        coalesce(x.inflow, 0)::bigint as inflow,
        coalesce(x.outflow, 0)::bigint as outflow
    from (select distinct as_of from cube) as d
    cross join codes as c
    left join cube as x on x.as_of = d.as_of and x.trigger = c.trigger
)

select * from final order by as_of, trigger
