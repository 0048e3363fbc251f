-- watchlist_spells: one row per customer per continuous spell on the watchlist (consecutive grid dates
-- with on_watchlist; a grid date where the customer has no row ends the spell). No params.
-- left_on: first grid date off the list (null while still on at the last grid date); months_on: grid
-- dates in the spell; entry_triggers: trigger codes at entered_on; outcome: 'defaulted' when the
-- customer is defaulted at any date of the spell or at left_on, else 'on_list' while still on, else 'cured'.
create or replace table watchlist_spells as
with grid as (
    select as_of, row_number() over (order by as_of) as grid_index
    from month_grid
),

last_grid as (
    select max(grid_index) as last_index from grid
),

on_list as (
    select
        customer_month.customer_id,
        customer_month.as_of,
        customer_month.triggers,
        customer_month.defaulted,
        grid.grid_index,
        -- gaps and islands: consecutive grid dates share the same difference
        grid.grid_index - row_number() over (
            partition by customer_month.customer_id order by customer_month.as_of
        ) as island
    from customer_month
    inner join grid on grid.as_of = customer_month.as_of
    where customer_month.on_watchlist
),

spells as (
    select
        customer_id,
        min(as_of) as entered_on,
        max(grid_index) as last_index,
        count(*) as months_on,
        arg_min(triggers, as_of) as entry_triggers,
        bool_or(defaulted) as defaulted_on_list
    from on_list
    group by customer_id, island
),

final as (
    select
        spells.customer_id,
        spells.entered_on,
        left_grid.as_of as left_on,
        spells.months_on,
        spells.entry_triggers,
        case
            when spells.defaulted_on_list or coalesce(at_exit.defaulted, false) then 'defaulted'
            when spells.last_index = last_grid.last_index then 'on_list'
            else 'cured'
        end as outcome
    from spells
    cross join last_grid
    left join grid as left_grid on left_grid.grid_index = spells.last_index + 1
    left join customer_month as at_exit
        on at_exit.customer_id = spells.customer_id and at_exit.as_of = left_grid.as_of
)

select * from final
order by customer_id, entered_on
