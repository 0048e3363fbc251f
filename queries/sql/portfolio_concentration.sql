-- Concentration of the filtered portfolio at $as_of by customer: names, top-10 share, HHI, effective names.
-- Params: $as_of, $segments, $regions, $industries. One row.
with filtered as (
    select exposure
    from customer_month
    where as_of = $as_of::date
      and exposure > 0
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
),

shares as (
    select exposure / sum(exposure) over () as share,
           row_number() over (order by exposure desc) as rank
    from filtered
),

final as (
    select
        count(*) as names,
        coalesce(sum(share) filter (where rank <= 10), 0) as top10_share,
        coalesce(sum(power(100 * share, 2)), 0) as hhi,
        10000 / nullif(sum(power(100 * share, 2)), 0) as effective_names
    from shares
)

select * from final
