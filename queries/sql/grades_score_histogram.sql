-- Customers at $as_of by score bin of 5 points (bin = lower edge 0, 5, ..., 95): `customers` with
-- exposure, `customers_no_exposure` without (every customer with a row at $as_of counts).
-- Params: $as_of, $segments, $regions, $industries.
select
    least(floor(score / 5) * 5, 95)::integer as bin,
    count(*) filter (where exposure > 0) as customers,
    count(*) filter (where exposure <= 0) as customers_no_exposure,
    sum(exposure) as exposure
from customer_month
where as_of = $as_of::date
  and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
  and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
  and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
group by bin
order by bin
