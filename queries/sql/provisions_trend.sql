-- Allowance per grid date x stage over the 13 grid dates to $as_of for the filtered portfolio:
-- gross carrying amount and allowance (money), units (customers' receivables or loans). Coverage
-- = allowance / gross carrying amount is taken by the query layer after any re-aggregation.
-- Params: $as_of, $segments, $regions, $industries.
with filtered as (
    select *
    from ecl_month
    where as_of <= $as_of::date
      and as_of > last_day($as_of::date - interval 13 month)
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
),

final as (
    select
        as_of,
        stage,
        sum(gross_carrying_amount)::double as gross_carrying_amount,
        sum(allowance)::double as allowance,
        count(*) as units
    from filtered
    group by as_of, stage
)

select * from final order by as_of, stage
