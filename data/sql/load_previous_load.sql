-- The earlier load of the same content into the same table, if any. Params: $content_hash, $table_name.
select load_id, loaded_at, source_file
from load_history
where content_hash = $content_hash and table_name = $table_name
order by load_id
limit 1
