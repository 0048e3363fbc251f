-- Collection rate per grid date up to $as_of (last 25 dates): collected / (opening overdue + due in period),
-- and receivables with the part of them more than 90 days past due (money), whose ratio is the one
-- "90+" every page shows (as on Collections). Params: $as_of, $segments, $regions, $industries.
with filtered as (
    select *
    from collections_month
    where as_of <= $as_of::date
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
),

final as (
    select
        as_of,
        sum(collected) as collected,
        sum(opening_overdue) + sum(due_in_period) as collectible,
        sum(collected) / nullif(sum(opening_overdue) + sum(due_in_period), 0) as collection_rate,
        sum(receivables) as receivables,
        sum(overdue_90p) as overdue_90p,
        sum(overdue_90p) / nullif(sum(receivables), 0) as overdue_90p_share
    from filtered
    group by as_of
)

select * from final order by as_of desc limit 25
