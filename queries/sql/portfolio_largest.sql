-- The $limit largest exposures at $as_of with their share of the filtered portfolio.
-- Params: $as_of, $limit, $segments, $regions, $industries.
with filtered as (
    select customer_id, name, industry, region, grade, exposure
    from customer_month
    where as_of = $as_of::date
      and exposure > 0
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
),

final as (
    select *, exposure / sum(exposure) over () as share
    from filtered
)

select * from final order by exposure desc limit $limit
