-- Lorenz curve of customer exposure at $as_of: every ceil(n / 200)-th name and both ends (at most 202
-- points), with the exact Gini and the number of names of the filtered portfolio. Columns: names_share,
-- exposure_share (0-1), gini, names. Params: $as_of, $segments, $regions, $industries.
with filtered as (
    select exposure
    from customer_month
    where as_of = $as_of::date
      and exposure > 0
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
),

ordered as (
    select
        row_number() over (order by exposure) as i,
        count(*) over () as n,
        sum(exposure) over (order by exposure rows unbounded preceding) as running,
        sum(exposure) over () as total,
        exposure
    from filtered
),

gini as (
    -- G = 2 Σ i·x(i) / (n Σ x) − (n + 1) / n, x ascending, i from 1
    select 2 * sum(i * exposure) / (max(n) * sum(exposure)) - (max(n) + 1) / max(n) as gini, max(n) as names
    from ordered
),

points as (
    select 0.0 as names_share, 0.0 as exposure_share
    union all
    select i / n, running / total
    from ordered
    where i % ((n + 199) // 200) = 0 or i = n
)

select p.names_share, p.exposure_share, g.gini, g.names
from points as p
cross join gini as g
order by p.names_share
