-- change_before (temporary): the stored adjustments rows the batch registered as `staged` is about to
-- replace, by key (adjustment_id), so load_touched_adjustments can tell what the upsert changed. No params.
create or replace temp table change_before as
select t.*
from adjustments as t
semi join staged as s on s.adjustment_id = t.adjustment_id
