-- change_before (temporary): the stored contracts rows the batch registered as `staged` is about to
-- replace, by key (contract_id), so load_touched_contracts can tell what the upsert changed. No params.
create or replace temp table change_before as
select t.*
from contracts as t
semi join staged as s on s.contract_id = t.contract_id
