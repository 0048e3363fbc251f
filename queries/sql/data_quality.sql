-- Data-quality checks over the warehouse: one row per check with the number of offending rows, the
-- rows checked and their share (0-1), as the last build found them (table data_quality). No params.
select table_name, check_name, offending, total, share
from data_quality
order by table_name, check_name
