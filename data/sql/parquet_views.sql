-- The views of the open warehouse that read Parquet files: in the warehouse a Spark build writes
-- (data.spark_build), each derived table is such a view over its files; the single-file warehouse
-- has none.
select view_name
from duckdb_views()
where database_name = current_database()
  and schema_name = 'main'
  and not internal
  and sql ilike '%read_parquet(%'
order by view_name
