-- Early-warning alerts: customers on the watchlist at $as_of who were not on it at the previous grid
-- date, with the triggers that are new. Params: $as_of, $segments, $regions, $industries.
with final as (
    select
        cur.customer_id,
        cur.name,
        cur.grade,
        cur.exposure,
        list_filter(cur.triggers, lambda x: not list_contains(cur.previous_triggers, x)) as new_triggers,
        cur.owner
    from customer_month as cur
    where cur.as_of = $as_of::date
      and cur.on_watchlist
      and len(cur.previous_triggers) = 0
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], cur.segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], cur.region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], cur.industry))
)

select * from final order by exposure desc
