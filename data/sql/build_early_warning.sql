-- early_warning: one row per default = per entry into default: a grid date defaulted_on at which the
-- customer is in default after a grid date at which it was not (a customer in default from its first
-- row is left out: nothing could have warned of it; a customer that cured and defaulted again counts
-- again). No params; reads watchlist_spells, so it runs after that build.
-- on_watchlist_before: on the list at a grid date d with defaulted_on - 12 months <= d < defaulted_on.
-- first_flagged_on: entered_on of the spell holding the latest such d (the spell that ran into the
-- default, or the latest spell within the 12 months), which may itself start before the window;
-- lead_months: calendar months from first_flagged_on to defaulted_on; both null when not flagged.
-- The query layer's hit rate = share of rows with on_watchlist_before; mean lead = avg(lead_months).
create or replace table early_warning as
with customer_rows as (
    select
        customer_id,
        as_of,
        defaulted,
        lag(defaulted) over (partition by customer_id order by as_of) as was_defaulted
    from customer_month
),

defaults as (
    select customer_id, as_of as defaulted_on
    from customer_rows
    where defaulted and not was_defaulted
),

last_flags as (
    select defaults.customer_id, defaults.defaulted_on, max(customer_month.as_of) as last_flag_on
    from defaults
    inner join customer_month
        on customer_month.customer_id = defaults.customer_id
        and customer_month.on_watchlist
        and customer_month.as_of < defaults.defaulted_on
        and customer_month.as_of >= cast(defaults.defaulted_on - interval 12 month as date)
    group by defaults.customer_id, defaults.defaulted_on
),

final as (
    select
        defaults.customer_id,
        defaults.defaulted_on,
        last_flags.last_flag_on is not null as on_watchlist_before,
        spells.entered_on as first_flagged_on,
        datediff('month', spells.entered_on, defaults.defaulted_on) as lead_months
    from defaults
    left join last_flags
        on last_flags.customer_id = defaults.customer_id
        and last_flags.defaulted_on = defaults.defaulted_on
    left join watchlist_spells as spells
        on spells.customer_id = defaults.customer_id
        and spells.entered_on <= last_flags.last_flag_on
        and (spells.left_on is null or spells.left_on > last_flags.last_flag_on)
)

select * from final
order by defaulted_on, customer_id
