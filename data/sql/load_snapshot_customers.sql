-- change_before (temporary): the stored customers rows the batch registered as `staged` is about to
-- replace, by key (customer_id), so load_touched_customers can tell what the upsert changed. No params.
create or replace temp table change_before as
select t.*
from customers as t
semi join staged as s on s.customer_id = t.customer_id
