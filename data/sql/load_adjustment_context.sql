-- What the adjustment rules judge a batch against: one row per stored adjustment of the payments the
-- batch names ($payment_ids), with the owed amount of its payment. Params: payment_ids.
select
    a.adjustment_id,
    a.payment_id,
    a.kind,
    a.occurred_on,
    a.amount
from adjustments as a
where a.payment_id in (select unnest($payment_ids::varchar[]))
