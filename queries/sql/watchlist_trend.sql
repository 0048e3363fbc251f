-- The watchlist over the 24 months to $as_of for a filtered portfolio: per grid date and trigger
-- ('any' = the list itself), members, inflow (firing now, not at the previous grid date) and outflow
-- (the reverse); inflow and outflow are 0 at the first grid date, which has nothing to compare with
-- (watchlist_month has null there). Params: $as_of, $segments, $regions, $industries.
with grid as (
    select as_of, lag(as_of) over (order by as_of) as prev_as_of
    from month_grid
    where as_of <= $as_of::date
    qualify as_of > $as_of::date - interval 24 month
),

scoped as (
    select customer_id, as_of, list_concat(triggers, case when on_watchlist then ['any'] else [] end) as fired
    from customer_month
    where as_of <= $as_of::date
      and as_of > $as_of::date - interval 25 month
      and on_watchlist
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
),

keys as (
    select distinct g.as_of, s.customer_id
    from grid as g
    join scoped as s on s.as_of = g.as_of or s.as_of = g.prev_as_of
),

pairs as (
    select
        k.as_of,
        g.prev_as_of is not null as has_prev,
        coalesce(n.fired, []) as now_fired,
        coalesce(p.fired, []) as prev_fired
    from keys as k
    join grid as g on g.as_of = k.as_of
    left join scoped as n on n.customer_id = k.customer_id and n.as_of = k.as_of
    left join scoped as p on p.customer_id = k.customer_id and p.as_of = g.prev_as_of
),

codes as (
    select unnest(['any', 'overdue', 'downgrade', 'limit_breach', 'legal', 'operational',
                   'rating_downgrade', 'concentration']) as trigger
),

final as (
    select
        p.as_of,
        c.trigger,
        count(*) filter (where list_contains(p.now_fired, c.trigger)) as members,
        count(*) filter (where p.has_prev and list_contains(p.now_fired, c.trigger)
                           and not list_contains(p.prev_fired, c.trigger)) as inflow,
        count(*) filter (where p.has_prev and list_contains(p.prev_fired, c.trigger)
                           and not list_contains(p.now_fired, c.trigger)) as outflow
    from pairs as p
    cross join codes as c
    group by p.as_of, c.trigger
)

select * from final order by as_of, trigger
