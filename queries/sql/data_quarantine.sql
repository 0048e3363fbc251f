-- Rejected rows, newest load first; one row per (row, column, rule). Params: $table_name ('' = all), $limit.
select load_id, loaded_at, table_name, source_file, row_number, column_name, rule, value, row_data
from quarantine
where $table_name = '' or table_name = $table_name
order by load_id desc, row_number, column_name
limit $limit
