-- worklist_customers: one row per customer of $customer_ids the warehouse holds, with what a work
-- item needs: name, region, owner, the credit limit in force at the last build's as-of date
-- (reporting currency; the customer's own when it has no row then) and that as-of date.
-- Params: $customer_ids (list).
with built as (
    select max(as_of) as as_of from warehouse_state
),

final as (
    select
        c.customer_id,
        c.name,
        c.region,
        c.owner,
        coalesce(m.credit_limit, c.credit_limit)::double as credit_limit,
        built.as_of
    from customers as c
    cross join built
    left join customer_month as m
        on m.customer_id = c.customer_id and m.as_of = built.as_of
    where list_contains($customer_ids::varchar[], c.customer_id)
)

select * from final
order by customer_id
