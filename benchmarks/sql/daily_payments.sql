-- daily_payments: a day's settlements for the daily-load benchmark. Of $share of the customers that
-- owe an open instalment (paid_on null, due on or before $day + 30), each settles its oldest one in
-- full on $day, as a receivables extract of that day reports it: the whole payment row, paid.
-- Params: $day, $share (0-1), $seed (0-1, the customers' draw).
with open_items as (
    select p.*, c.customer_id,
           row_number() over (partition by c.customer_id order by p.due_on, p.payment_id) as nth
    from payments as p
    inner join contracts as c on c.contract_id = p.contract_id
    where p.paid_on is null and p.due_on <= $day::date + 30
      and coalesce(p.issued_on, p.due_on) <= $day::date
),

owing as (
    select distinct customer_id from open_items
),

chosen as (
    select customer_id
    from owing
    order by hash(customer_id || cast($seed as varchar))
    limit greatest(1, cast(round((select count(*) from customers) * $share::double) as bigint))
)

select
    o.payment_id,
    o.contract_id,
    o.issued_on,
    o.due_on,
    o.amount_due,
    $day::date as paid_on,
    o.amount_due as amount_paid
from open_items as o
inner join chosen using (customer_id)
where o.nth = 1
order by o.payment_id
