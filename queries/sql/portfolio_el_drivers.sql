-- The customers whose expected loss moved most in the direction of the portfolio's change between
-- the previous grid date and $as_of: one row per customer (at most 5), largest contribution first.
-- change and total_change in money (a customer absent at one date counts 0 there); share_of_change
-- = change / total_change (0-1; above 1 when others moved the other way; null when the total did
-- not move). Params: $as_of, $segments, $regions, $industries.
with prev_date as (
    select max(as_of) as as_of from month_grid where as_of < $as_of::date
),

filtered as (
    select as_of, customer_id, name, expected_loss
    from customer_month
    where (as_of = $as_of::date or as_of = (select as_of from prev_date))
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
),

by_customer as (
    select
        customer_id,
        any_value(name) as name,
        coalesce(sum(expected_loss) filter (where as_of = $as_of::date), 0) as current_el,
        coalesce(sum(expected_loss) filter (where as_of <> $as_of::date), 0) as previous_el
    from filtered
    group by customer_id
),

changes as (
    select *, current_el - previous_el as change, sum(current_el - previous_el) over () as total_change
    from by_customer
),

final as (
    select
        customer_id,
        name,
        current_el,
        previous_el,
        change,
        total_change,
        change / nullif(total_change, 0) as share_of_change
    from changes
    where change * sign(total_change) > 0
)

select * from final order by change * sign(total_change) desc, customer_id limit 5
