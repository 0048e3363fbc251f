-- change_before (temporary): the stored risk_events rows the batch registered as `staged` is about to
-- replace, by key (event_id), so load_touched_risk_events can tell what the upsert changed. No params.
create or replace temp table change_before as
select t.*
from risk_events as t
semi join staged as s on s.event_id = t.event_id
