-- One row per grid date x dimension ('customer', 'industry', 'region') over the 24 months to $as_of for
-- the filtered portfolio, shares within it: names, top-10 share (0-1), hhi = sum((100 * share)^2)
-- (0-10 000), effective names = 10 000 / hhi; scope = 'filtered'. Params: $as_of, $segments, $regions, $industries.
with filtered as (
    select as_of, customer_id, industry, region, exposure
    from customer_month
    where as_of <= $as_of::date
      and as_of > $as_of::date - interval 24 month
      and exposure > 0
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
),

groups as (
    select as_of, 'customer' as dimension, customer_id as group_key, exposure from filtered
    union all
    select as_of, 'industry', industry, sum(exposure) from filtered group by as_of, industry
    union all
    select as_of, 'region', region, sum(exposure) from filtered group by as_of, region
),

final as (
    -- max(x, 10) is the ten largest values: a top-k aggregate instead of a ranking window, which
    -- keeps 24 months x 100 000 customers fast.
    select
        as_of,
        dimension,
        count(*) as names,
        list_sum(max(exposure, 10)) / sum(exposure) as top10_share,
        sum(power(exposure, 2)) * 10000 / power(sum(exposure), 2) as hhi,
        power(sum(exposure), 2) / sum(power(exposure, 2)) as effective_names,
        'filtered' as scope
    from groups
    group by as_of, dimension
)

select * from final order by dimension, as_of
