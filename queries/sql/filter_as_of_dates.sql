-- Every as-of date the derived tables hold, newest first; one row per grid date. No parameters.
select as_of from month_grid order by as_of desc
