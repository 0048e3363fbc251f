-- Change of expected loss between the previous grid date and $as_of by industry x region, largest move first.
-- Params: $as_of, $segments, $regions, $industries.
with prev_date as (
    select max(as_of) as as_of from month_grid where as_of < $as_of::date
),

filtered as (
    select as_of, industry, region, expected_loss
    from customer_month
    where (as_of = $as_of::date or as_of = (select as_of from prev_date))
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
),

final as (
    select
        industry,
        region,
        coalesce(sum(expected_loss) filter (where as_of = $as_of::date), 0) as current_el,
        coalesce(sum(expected_loss) filter (where as_of <> $as_of::date), 0) as previous_el,
        coalesce(sum(expected_loss) filter (where as_of = $as_of::date), 0)
            - coalesce(sum(expected_loss) filter (where as_of <> $as_of::date), 0) as change
    from filtered
    group by industry, region
)

select * from final order by abs(change) desc limit 5
