-- whatif_defaults: one row per past default (early_warning) up to $as_of among customers within the
-- segment/region/industry filters: customer, first defaulted grid date, and whether the current
-- policy had the customer on the watchlist in the 12 months before.
-- Params: $as_of, $segments, $regions, $industries (empty list = all).
with filtered_customers as (
    select customer_id
    from customers
    where (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
        and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
        and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
),

final as (
    select
        w.customer_id,
        w.defaulted_on,
        w.on_watchlist_before
    from early_warning as w
    inner join filtered_customers as c on c.customer_id = w.customer_id
    where w.defaulted_on <= $as_of
)

select * from final
order by defaulted_on, customer_id
