-- Scored customers per grid date up to $as_of (the months PSI compares): one row per grid date with
-- at least one customer, oldest first. Params: $as_of, $segments, $regions, $industries.
select as_of, count(*) as customers
from customer_month
where as_of <= $as_of::date
    and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
    and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
    and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
group by as_of
order by as_of
