-- Customers whose name or id contains $search (case-insensitive), largest current exposure first, at most 20.
-- Params: $search, $as_of.
select c.customer_id, c.name, c.industry, c.region, coalesce(cm.exposure, 0) as exposure
from customers as c
left join customer_month as cm on cm.customer_id = c.customer_id and cm.as_of = $as_of::date
where contains(lower(c.name), lower($search::varchar)) or contains(lower(c.customer_id), lower($search::varchar))
order by exposure desc, c.customer_id
limit 20
