-- The quarantine grouped the way a load reports its failures (data.ingest.grouped_failures): one
-- row per file, table, column and rule with the rows that broke it, the loads they came from and
-- the first $examples of them (newest load first, then row order) as examples.
-- Filters, '' for any: $table_name exactly; $source_file the path as loaded or its last part
-- (payments.csv matches /extract/payments.csv); $rule_pattern an ILIKE pattern, escape '\'
-- (data.quarantine.rule_pattern).
with matching as (
    select load_id, loaded_at, table_name, source_file, row_number, column_name, rule, value
    from quarantine
    where ($table_name = '' or table_name = $table_name)
      and ($source_file = '' or source_file = $source_file
           or ends_with(source_file, '/' || $source_file))
      and ($rule_pattern = '' or rule ilike $rule_pattern escape '\')
),
numbered as (
    select *,
        row_number() over (
            partition by source_file, table_name, column_name, rule
            order by load_id desc, row_number
        ) as position
    from matching
)
select
    source_file as "file",
    table_name as "table",
    column_name as "column",
    rule,
    count(*) as "count",
    count(distinct load_id) as loads,
    max(load_id) as last_load_id,
    max(loaded_at) as last_loaded_at,
    list({'row_number': row_number::bigint, 'value': value, 'load_id': load_id::bigint}
         order by load_id desc, row_number) filter (where position <= $examples) as examples
from numbered
group by source_file, table_name, column_name, rule
order by last_load_id desc, "file", "count" desc, "column" nulls last, rule
