-- One customer's contracts with their outstanding amount at $as_of. Params: $customer_id, $as_of.
with outstanding as (
    select
        p.contract_id,
        sum(greatest(p.amount_due - case when p.paid_on <= $as_of::date then p.amount_paid else 0 end, 0)) as outstanding,
        sum(greatest(p.amount_due - case when p.paid_on <= $as_of::date then p.amount_paid else 0 end, 0))
            filter (where p.due_on < $as_of::date) as overdue
    from payments as p
    join contracts as k on k.contract_id = p.contract_id
    where k.customer_id = $customer_id
    group by p.contract_id
)

select
    k.contract_id, k.kind, k.status, k.signed_on, k.start_on, k.end_on, k.amount, k.collateral_value,
    k.payment_terms_days, coalesce(o.outstanding, 0) as outstanding, coalesce(o.overdue, 0) as overdue,
    k.approved_by, k.last_reviewed_on
from contracts as k
left join outstanding as o on o.contract_id = k.contract_id
where k.customer_id = $customer_id
order by k.signed_on desc
