-- What watchlist entries led to: one row per entry date (grid date a spell began) with the spells
-- judged and how many were followed by a default within 12 months. Params: $as_of, $segments,
-- $regions, $industries.
-- Judged: the 12 months after entry have passed by $as_of (last_day(entered_on + 12 months) <=
-- $as_of) and the customer was not yet in default at entry (a list entry after the default warns of
-- nothing). Followed by a default: the customer's first defaulted grid date is in (entered_on,
-- entered_on + 12 months]. The others are false alarms.
with first_defaults as (
    select customer_id, min(as_of) as defaulted_on
    from customer_month
    where defaulted
    group by customer_id
),

judged as (
    select s.entered_on, d.defaulted_on
    from watchlist_spells as s
    inner join customers as c on c.customer_id = s.customer_id
    left join first_defaults as d on d.customer_id = s.customer_id
    where last_day(s.entered_on + interval 12 month) <= $as_of::date
        and (d.defaulted_on is null or d.defaulted_on > s.entered_on)
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
