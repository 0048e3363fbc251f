-- change_before (temporary): the stored credit_reviews rows the batch registered as `staged` is about to
-- replace, by key (review_id), so load_touched_credit_reviews can tell what the upsert changed. No params.
create or replace temp table change_before as
select t.*
from credit_reviews as t
semi join staged as s on s.review_id = t.review_id
