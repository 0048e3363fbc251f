-- The warehouse's freshness (one row): when its derived tables were last built (every load and
-- build rebuilds them) and the last grid date the data reaches. No params.
select
    built_at as loaded_at,
    as_of as data_through
from warehouse_state
