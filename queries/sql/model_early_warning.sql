-- The watchlist before each default: one row per default (early_warning) on or before $as_of, of the
-- customers matching the filters: whether the customer was on the list in the 12 months before and
-- the lead time in months. Params: $as_of, $segments, $regions, $industries.
select
    w.customer_id,
    w.defaulted_on,
    w.on_watchlist_before,
    w.first_flagged_on,
    w.lead_months
from early_warning as w
inner join customers as c on c.customer_id = w.customer_id
where w.defaulted_on <= $as_of::date
    and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], c.segment))
    and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], c.region))
    and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], c.industry))
order by w.defaulted_on, w.customer_id
