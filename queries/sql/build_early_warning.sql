-- early_warning: one row per default = per customer whose first defaulted grid date (defaulted_on)
-- follows at least one non-defaulted grid date (customers defaulted from their first row are left out:
-- nothing could have warned of them). No params; reads watchlist_spells, so it runs after that build.
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
        min(as_of) over (partition by customer_id) as first_row_on
    from customer_month
),

first_defaults as (
    select customer_id, min(as_of) as defaulted_on, any_value(first_row_on) as first_row_on
    from customer_rows
    where defaulted
    group by customer_id
),

defaults as (
    select customer_id, defaulted_on
    from first_defaults
    where defaulted_on > first_row_on
),

last_flags as (
    select defaults.customer_id, max(customer_month.as_of) as last_flag_on
    from defaults
    inner join customer_month
        on customer_month.customer_id = defaults.customer_id
        and customer_month.on_watchlist
        and customer_month.as_of < defaults.defaulted_on
        and customer_month.as_of >= cast(defaults.defaulted_on - interval 12 month as date)
    group by defaults.customer_id
),

final as (
    select
        defaults.customer_id,
        defaults.defaulted_on,
        last_flags.last_flag_on is not null as on_watchlist_before,
        spells.entered_on as first_flagged_on,
        datediff('month', spells.entered_on, defaults.defaulted_on) as lead_months
    from defaults
    left join last_flags on last_flags.customer_id = defaults.customer_id
    left join watchlist_spells as spells
        on spells.customer_id = defaults.customer_id
        and spells.entered_on <= last_flags.last_flag_on
        and (spells.left_on is null or spells.left_on > last_flags.last_flag_on)
)

select * from final
order by defaulted_on, customer_id
