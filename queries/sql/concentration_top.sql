-- The $limit largest exposures at $as_of with share and cumulative share of the filtered portfolio (0-1).
-- Params: $as_of, $limit, $segments, $regions, $industries.
with filtered as (
    select customer_id, name, industry, region, grade, exposure, credit_limit
    from customer_month
    where as_of = $as_of::date
      and exposure > 0
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
),

ranked as (
    select
        *,
        exposure / sum(exposure) over () as share,
        sum(exposure) over (order by exposure desc, customer_id rows unbounded preceding)
            / sum(exposure) over () as cumulative_share,
        row_number() over (order by exposure desc, customer_id) as rank
    from filtered
)

select * from ranked where rank <= $limit order by rank
