-- The quarantined rows matching the filters of quarantine_groups.sql (the same three, '' for any),
-- every column, in load and row order: what `python -m data quarantine --export` writes.
select load_id, loaded_at, table_name, source_file, row_number, column_name, rule, value, row_data
from quarantine
where ($table_name = '' or table_name = $table_name)
  and ($source_file = '' or source_file = $source_file
       or ends_with(source_file, '/' || $source_file))
  and ($rule_pattern = '' or rule ilike $rule_pattern escape '\')
order by load_id, row_number, column_name, rule
