-- Triggers of customers who joined the watchlist at $as_of (on now, not at the previous grid date):
-- one row per trigger with the number of new entrants it fired for. Params: $as_of, $segments, $regions, $industries.
with entrants as (
    select cur.customer_id, cur.triggers
    from customer_month as cur
    where cur.as_of = $as_of::date
      and cur.on_watchlist
      and len(cur.previous_triggers) = 0
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], cur.segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], cur.region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], cur.industry))
),

fired as (
    select unnest(triggers) as trigger from entrants
),

final as (
    select trigger, count(*) as customers
    from fired
    group by trigger
)

select * from final order by customers desc, trigger
