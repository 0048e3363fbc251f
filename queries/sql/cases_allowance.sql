-- Case studies: one row per month-end of ecl_month for the filtered customers: the IFRS 9 loss
-- allowance and gross carrying amount (money) and coverage = allowance / gross carrying amount
-- (0-1, null without a carrying amount). Params: $segments, $regions, $industries (lists; empty =
-- all).
with filtered as (
    select *
    from ecl_month
    where day(as_of + 1) = 1
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
),

final as (
    select
        as_of,
        sum(allowance)::double as allowance,
        sum(gross_carrying_amount)::double as gross_carrying_amount
    from filtered
    group by as_of
)

select
    as_of,
    allowance,
    gross_carrying_amount,
    allowance / nullif(gross_carrying_amount, 0) as coverage
from final
order by as_of
