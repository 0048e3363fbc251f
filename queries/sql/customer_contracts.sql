-- One customer's contracts with what their payment rows still owe at $as_of (money): after payments,
-- credit notes and write-offs dated on or before $as_of (payment_events), whether issued yet or not;
-- overdue: of rows due before $as_of; written_off: written off on or before $as_of.
-- Params: $customer_id, $as_of.
with settled as (
    -- what the customer's rows have had paid, credited or written off by $as_of
    select
        e.payment_id,
        sum(e.amount)::double as reduced,
        coalesce(sum(e.amount) filter (where e.kind = 'write_off'), 0)::double as written_off
    from payment_events as e
    inner join payments as p on p.payment_id = e.payment_id
    inner join contracts as k on k.contract_id = p.contract_id
    where k.customer_id = $customer_id and e.occurred_on <= $as_of::date
    group by e.payment_id
),

rows_owed as (
    select
        p.contract_id,
        p.due_on,
        greatest(p.amount_due - coalesce(s.reduced, 0), 0) as owed
    from payments as p
    inner join contracts as k on k.contract_id = p.contract_id
    left join settled as s on s.payment_id = p.payment_id
    where k.customer_id = $customer_id
),

written_off as (
    select p.contract_id, sum(s.written_off) as written_off
    from settled as s
    inner join payments as p on p.payment_id = s.payment_id
    group by p.contract_id
),

outstanding as (
    select
        contract_id,
        sum(owed) as outstanding,
        sum(owed) filter (where due_on < $as_of::date) as overdue
    from rows_owed
    group by contract_id
)

select
    k.contract_id, k.kind, k.status, k.signed_on, k.start_on, k.end_on, k.amount, k.collateral_value,
    k.payment_terms_days, coalesce(o.outstanding, 0) as outstanding, coalesce(o.overdue, 0) as overdue,
    coalesce(w.written_off, 0) as written_off,
    k.approved_by, k.last_reviewed_on
from contracts as k
left join outstanding as o on o.contract_id = k.contract_id
left join written_off as w on w.contract_id = k.contract_id
where k.customer_id = $customer_id
order by k.signed_on desc
