-- alerts_since: one row per early-warning alert (a watchlist spell, keyed by customer_id and
-- alert_on = the month-end of entered_on) entered on or after $since, with the customer at entry:
-- name, region, segment, owner, entry triggers, exposure, grade, and previous_grade = the grade at
-- the customer's grid date before (null at its first). Params: $since (date).
with entries as (
    select
        spells.customer_id,
        spells.entered_on,
        spells.entry_triggers
    from watchlist_spells as spells
    where spells.entered_on >= $since::date
),

history as (
    select
        cm.customer_id,
        cm.as_of,
        cm.name,
        cm.region,
        cm.segment,
        cm.owner,
        cm.exposure,
        cm.grade,
        lag(cm.grade) over (partition by cm.customer_id order by cm.as_of) as previous_grade
    from customer_month as cm
    where cm.customer_id in (select entries.customer_id from entries)
),

final as (
    select
        entries.customer_id,
        history.name,
        history.region,
        history.segment,
        history.owner,
        last_day(entries.entered_on) as alert_on,
        entries.entered_on,
        entries.entry_triggers as triggers,
        history.exposure,
        history.grade,
        history.previous_grade
    from entries
    inner join history
        on history.customer_id = entries.customer_id
        and history.as_of = entries.entered_on
)

select * from final
order by alert_on, customer_id
