-- Keep every rejected row of one file (registered as `staged_rejects`) with the rule it broke.
insert into quarantine (load_id, loaded_at, table_name, source_file, row_number, column_name, rule, value, row_data)
select $load_id, $loaded_at, $table_name, $source_file, row_number, column_name, rule, value, row_data
from staged_rejects
