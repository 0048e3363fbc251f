-- worklist_payments_since: one row per (customer_id, since_on) pair asked for, with paid_since =
-- the amount_paid (reporting currency) of the customer's payment rows whose paid_on is in
-- [since_on, $until] (the warehouse keeps one payment date per row: a row counts whole).
-- Params: $customer_ids, $since_dates (lists of the same length, pair by pair), $until.
with asked as (
    select distinct
        unnest($customer_ids::varchar[]) as customer_id,
        unnest($since_dates::date[]) as since_on
),

paid as (
    select k.customer_id, p.paid_on, p.amount_paid::double as amount_paid
    from payments as p
    inner join contracts as k on k.contract_id = p.contract_id
    where p.paid_on is not null
      and p.amount_paid > 0
      and list_contains($customer_ids::varchar[], k.customer_id)
),

final as (
    select
        a.customer_id,
        a.since_on,
        coalesce(
            sum(p.amount_paid) filter (where p.paid_on >= a.since_on and p.paid_on <= $until::date),
            0
        )::double as paid_since
    from asked as a
    left join paid as p on p.customer_id = a.customer_id
    group by a.customer_id, a.since_on
)

select * from final
order by customer_id, since_on
