-- change_before (temporary): the stored payments rows the batch registered as `staged` is about to
-- replace, by key (payment_id), so load_touched_payments can tell what the upsert changed. No params.
create or replace temp table change_before as
select t.*
from payments as t
semi join staged as s on s.payment_id = t.payment_id
