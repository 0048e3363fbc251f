-- What each payment row named in $payment_ids still owes before adjustments: amount_due less what was
-- paid (capped at amount_due), money. One row per payment. Params: payment_ids.
select
    payment_id,
    amount_due - least(amount_paid, amount_due) as owed
from payments
where payment_id in (select unnest($payment_ids::varchar[]))
