-- One customer's payment rows due in the 24 months up to $as_of, with days late as of $as_of
-- (paid rows: paid_on − due_on; unpaid rows past due: $as_of − due_on). Params: $customer_id, $as_of.
select
    p.payment_id, p.contract_id, p.due_on, p.amount_due, p.paid_on, p.amount_paid,
    greatest(p.amount_due - case when p.paid_on <= $as_of::date then p.amount_paid else 0 end, 0) as outstanding,
    case
        when p.paid_on <= $as_of::date and p.amount_paid >= p.amount_due then datediff('day', p.due_on, p.paid_on)
        when p.due_on < $as_of::date then datediff('day', p.due_on, $as_of::date)
    end as days_late
from payments as p
join contracts as k on k.contract_id = p.contract_id
where k.customer_id = $customer_id
  and p.due_on <= $as_of::date
  and p.due_on > $as_of::date - interval 24 month
order by p.due_on
