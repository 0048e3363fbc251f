-- What watchlist entries led to: one row per entry date (grid date a spell began) with the spells
-- judged and how many were followed by a default within 12 months. Params: $as_of, $segments,
-- $regions, $industries.
-- Judged: the 12 months after entry have passed by $as_of (last_day(entered_on + 12 months) <=
-- $as_of) and the customer was not in default at entry (a list entry during a default warns of
-- nothing). Followed by a default: an entry into default (early_warning.defaulted_on, or the
-- customer's first row in default) in (entered_on, entered_on + 12 months]. The others are false
-- alarms.
with entries as (
    select
        customer_id,
        as_of,
        defaulted,
        coalesce(lag(defaulted) over (partition by customer_id order by as_of), false) as was_defaulted
    from customer_month
),

judged as (
    select
        s.entered_on,
        (
            select min(e.as_of)
            from entries as e
            where e.customer_id = s.customer_id
                and e.defaulted
                and not e.was_defaulted
                and e.as_of > s.entered_on
        ) as defaulted_on
    from watchlist_spells as s
    inner join customers as c on c.customer_id = s.customer_id
    -- in default at entry: the customer's latest row on or before the entry date says so
    asof left join customer_month as at_entry
        on at_entry.customer_id = s.customer_id and s.entered_on >= at_entry.as_of
    where last_day(s.entered_on + interval 12 month) <= $as_of::date
        and not coalesce(at_entry.defaulted, false)
        and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], c.segment))
        and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], c.region))
        and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], c.industry))
),

final as (
    select
        entered_on,
        count(*) as spells,
        count(*) filter (
            where defaulted_on <= last_day(entered_on + interval 12 month)
        ) as followed_by_default
    from judged
    group by entered_on
)

select * from final order by entered_on
