-- One customer's payment rows due in the 24 months up to $as_of, with what each still owes at $as_of
-- (after payments, credit notes and write-offs dated on or before it; money), what was written off
-- and credited by then, and days late as of $as_of (rows settled by payment: paid_on - due_on;
-- rows still owed past due: $as_of - due_on). issued_on as stated (null: not stated).
-- Params: $customer_id, $as_of.
with settled as (
    select
        e.payment_id,
        sum(e.amount)::double as reduced,
        coalesce(sum(e.amount) filter (where e.kind = 'write_off'), 0)::double as written_off,
        coalesce(sum(e.amount) filter (where e.kind = 'credit_note'), 0)::double as credited
    from payment_events as e
    inner join payments as p on p.payment_id = e.payment_id
    inner join contracts as k on k.contract_id = p.contract_id
    where k.customer_id = $customer_id and e.occurred_on <= $as_of::date
    group by e.payment_id
)

select
    p.payment_id, p.contract_id, p.issued_on, p.due_on, p.amount_due, p.paid_on, p.amount_paid,
    greatest(p.amount_due - coalesce(s.reduced, 0), 0) as outstanding,
    coalesce(s.written_off, 0) as written_off,
    coalesce(s.credited, 0) as credited,
    case
        when p.paid_on <= $as_of::date and p.amount_paid >= p.amount_due then datediff('day', p.due_on, p.paid_on)
        when p.due_on < $as_of::date and p.amount_due - coalesce(s.reduced, 0) > 0
            then datediff('day', p.due_on, $as_of::date)
    end as days_late
from payments as p
join contracts as k on k.contract_id = p.contract_id
left join settled as s on s.payment_id = p.payment_id
where k.customer_id = $customer_id
  and p.due_on <= $as_of::date
  and p.due_on > $as_of::date - interval 24 month
order by p.due_on, p.payment_id
