-- Watchlist members at $as_of matching the global and page filters, one row per customer, sorted by
-- $sort (allow-listed: exposure, score, months_on_list, overdue), at most $limit rows; `matching` is the
-- count before the limit; closed_owing: status 'closed' but exposure > 0. Params: $as_of, $segments, $regions, $industries, $grades, $triggers, $owners,
-- $min_exposure, $max_exposure (¥, inclusive; null = no bound), $search ('' = none; a case-insensitive
-- substring of name or id via contains(), so % and _ are plain characters, not LIKE wildcards), $sort, $limit.
with members as (
    select *
    from customer_month
    where as_of = $as_of::date
      and on_watchlist
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
      and (len($grades::varchar[]) = 0 or list_contains($grades::varchar[], grade))
      and (len($triggers::varchar[]) = 0 or len(list_intersect(triggers, $triggers::varchar[])) > 0)
      and (len($owners::varchar[]) = 0 or list_contains($owners::varchar[], owner))
      and ($min_exposure::double is null or exposure >= $min_exposure::double)
      and ($max_exposure::double is null or exposure <= $max_exposure::double)
      and ($search::varchar = ''
           or contains(lower(name), lower($search::varchar))
           or contains(lower(customer_id), lower($search::varchar)))
),

spells as (
    -- the spell that covers $as_of: entered on or before it and not left by then
    select customer_id, entered_on
    from watchlist_spells
    where entered_on <= $as_of::date and (left_on is null or left_on > $as_of::date)
),

grid as (
    select as_of from month_grid where as_of <= $as_of::date
),

final as (
    select
        m.customer_id,
        m.name,
        m.grade,
        m.score,
        m.exposure,
        m.overdue_amount,
        m.max_dpd,
        m.utilisation,
        m.triggers,
        (select count(*) from grid as g where g.as_of >= s.entered_on) as months_on_list,
        s.entered_on,
        m.owner,
        m.segment,
        m.region,
        m.industry,
        -- closed, yet on the list with money owed: flagged, not taken for a finished account
        coalesce(c.status = 'closed', false) and m.exposure > 0 as closed_owing,
        count(*) over () as matching
    from members as m
    left join spells as s on s.customer_id = m.customer_id
    left join customers as c on c.customer_id = m.customer_id
)

select *
from final
order by
    case $sort::varchar
        when 'score' then score
        when 'months_on_list' then months_on_list
        when 'overdue' then overdue_amount
        else exposure
    end desc,
    customer_id
limit $limit
