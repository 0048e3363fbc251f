-- The contract of each stored payment named in $payment_ids. Params: payment_ids.
select payment_id, contract_id
from payments
where payment_id in (select unnest($payment_ids::varchar[]))
