-- Customers at $as_of above the single-name share limit of the policy (share of the whole
-- portfolio) or above their credit limit: one row per customer with the breach kind(s), largest first.
-- Params: $as_of, $segments, $regions, $industries.
with policy as (
    select try_cast(value as double) as single_name_share
    from policy_in_force where key = 'watchlist.single_name_share'
),

filtered as (
    select customer_id, name, industry, grade, exposure, credit_limit, utilisation, exposure_share
    from customer_month
    where as_of = $as_of::date
      and exposure > 0
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
),

final as (
    select
        f.*,
        f.exposure_share > p.single_name_share as single_name_breach,
        f.exposure > f.credit_limit as limit_breach,
        p.single_name_share as single_name_limit
    from filtered as f
    cross join policy as p
    where f.exposure_share > p.single_name_share or f.exposure > f.credit_limit
)

select * from final order by exposure desc
