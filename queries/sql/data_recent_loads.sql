-- The most recent file loads, newest first; one row per loaded file. Param: $limit.
select load_id, loaded_at, source_file, table_name, rows_read, rows_accepted, rows_rejected, note
from load_history
order by load_id desc
limit $limit
