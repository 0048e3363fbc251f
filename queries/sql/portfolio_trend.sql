-- Exposure, expected loss and watchlist size per grid date, the 24 months up to $as_of.
-- Params: $as_of, $segments, $regions, $industries.
with filtered as (
    select as_of, exposure, expected_loss, on_watchlist
    from customer_month
    where as_of <= $as_of::date
      and as_of > $as_of::date - interval 24 month
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
),

final as (
    select
        as_of,
        sum(exposure) as exposure,
        sum(expected_loss) as expected_loss,
        count(*) filter (where on_watchlist) as watchlist
    from filtered
    group by as_of
)

select * from final order by as_of
