-- worklist_alerts: one row per watchlist alert = a customer's spell on the watchlist
-- (watchlist_spells), keyed by (customer_id, alert_on) where alert_on is the month-end of the
-- spell's entered_on: stable when a mid-month as-of date becomes a month-end in a later build.
-- band: the customer's band at entry; due_on: entered_on + the policy in force's
-- controls.<band>.review_frequency_months (null when unknown). Params: $as_of (null: every spell;
-- else the spells on the list at $as_of: entered by it and not left by then), $customer_ids
-- (empty: every customer), $regions, $segments, $industries (empty: no filter).
with spells as (
    select *
    from watchlist_spells
    where ($as_of::date is null
           or (entered_on <= $as_of::date and (left_on is null or left_on > $as_of::date)))
      and (len($customer_ids::varchar[]) = 0 or list_contains($customer_ids::varchar[], customer_id))
),

frequencies as (
    select split_part(key, '.', 2) as band, try_cast(value as integer) as months
    from policy_in_force
    where starts_with(key, 'controls.') and ends_with(key, '.review_frequency_months')
),

final as (
    select
        s.customer_id,
        c.name,
        c.region,
        c.segment,
        c.industry,
        c.owner,
        last_day(s.entered_on) as alert_on,
        s.entered_on,
        s.left_on,
        s.entry_triggers as triggers,
        m.band,
        cast(s.entered_on + to_months(f.months) as date) as due_on
    from spells as s
    inner join customers as c on c.customer_id = s.customer_id
    left join customer_month as m on m.customer_id = s.customer_id and m.as_of = s.entered_on
    left join frequencies as f on f.band = m.band
    where (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], c.region))
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], c.segment))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], c.industry))
)

select * from final
order by entered_on, customer_id
