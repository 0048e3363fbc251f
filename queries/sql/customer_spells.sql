-- One customer's spells on the watchlist that started by $as_of, newest first, seen from $as_of: a spell
-- left after $as_of is still open then (left_on null, months_on counted to $as_of, outcome 'on_list'
-- unless the customer had defaulted by $as_of). Params: $customer_id, $as_of.
with spells as (
    select *, left_on is null or left_on > $as_of::date as open_at_as_of
    from watchlist_spells
    where customer_id = $customer_id and entered_on <= $as_of::date
),

final as (
    select
        s.entered_on,
        case when not s.open_at_as_of then s.left_on end as left_on,
        case
            when s.open_at_as_of then (
                select count(*) from month_grid as g where g.as_of between s.entered_on and $as_of::date
            )
            else s.months_on
        end as months_on,
        s.entry_triggers,
        case
            when not s.open_at_as_of then s.outcome
            when exists (
                select 1
                from customer_month as cm
                where cm.customer_id = s.customer_id
                  and cm.defaulted
                  and cm.as_of between s.entered_on and $as_of::date
            ) then 'defaulted'
            else 'on_list'
        end as outcome
    from spells as s
)

select * from final order by entered_on desc
