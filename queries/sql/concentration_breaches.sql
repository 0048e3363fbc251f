-- Breaches at $as_of, one row per customer, largest exposure first, at most $limit rows; `matching` counts
-- all. $kind 'single_name': share of the whole portfolio's exposure (0-1) above the policy's single-name
-- limit (policy_in_force 'watchlist.single_name_share'); 'limit': exposure above the credit limit.
-- Params: $as_of, $kind, $limit, $segments, $regions, $industries.
with policy as (
    select max(try_cast(value as double)) as single_name_share
    from policy_in_force
    where key = 'watchlist.single_name_share'
),

filtered as (
    select customer_id, name, industry, region, owner, grade, exposure, credit_limit, utilisation, exposure_share
    from customer_month
    where as_of = $as_of::date
      and exposure > 0
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
),

breaching as (
    select
        f.*,
        p.single_name_share as single_name_limit,
        f.exposure - f.credit_limit as excess
    from filtered as f
    cross join policy as p
    where case $kind::varchar
            when 'single_name' then f.exposure_share > p.single_name_share
            else f.exposure > f.credit_limit
          end
),

final as (
    select *, count(*) over () as matching
    from breaching
)

select * from final
order by exposure desc, customer_id
limit $limit
