-- The values each global filter can take; one row per (dimension, value). No parameters.
select distinct 'segment' as dimension, segment as value from customers
union all
select distinct 'region', region from customers
union all
select distinct 'industry', industry from customers
order by dimension, value
