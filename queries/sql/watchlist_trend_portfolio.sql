-- The whole portfolio's watchlist over the 24 months to $as_of, from the materialised watchlist_month:
-- per grid date and trigger, members, inflow, outflow. Params: $as_of.
select as_of, trigger, members, coalesce(inflow, 0) as inflow, coalesce(outflow, 0) as outflow
from watchlist_month
where as_of <= $as_of::date and as_of > $as_of::date - interval 24 month
order by as_of, trigger
