-- Grid dates that are month-ends, up to $as_of, newest first (choices for migration). Params: $as_of.
select as_of from month_grid
where as_of <= $as_of::date and extract(day from as_of + interval 1 day) = 1
order by as_of desc
