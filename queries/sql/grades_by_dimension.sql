-- Customers and exposure by grade and by the values of $dimension ('segment', 'industry' or 'region')
-- at $as_of: `customers` with exposure, `customers_no_exposure` without (every customer with a row at
-- $as_of counts, as on What-if). Params: $as_of, $dimension, $segments, $regions, $industries.
with filtered as (
    select
        grade,
        case $dimension::varchar when 'segment' then segment when 'industry' then industry else region end as grp,
        exposure
    from customer_month
    where as_of = $as_of::date
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
),

final as (
    select
        grp,
        grade,
        count(*) filter (where exposure > 0) as customers,
        count(*) filter (where exposure <= 0) as customers_no_exposure,
        sum(exposure) as exposure
    from filtered
    group by grp, grade
)

select * from final order by grp, grade
