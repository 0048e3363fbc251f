-- Customers with exposure at $as_of by utilisation bin of 10 points (bin = lower edge in percent;
-- 200 = 200 % and above; customers without a limit excluded). Params: $as_of, $segments, $regions, $industries.
select least(floor(cm.utilisation * 10) * 10, 200)::integer as bin, count(*) as customers, sum(cm.exposure) as exposure
from customer_month as cm
where cm.as_of = $as_of::date
  and cm.exposure > 0
  and cm.utilisation is not null
  and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], cm.segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], cm.region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], cm.industry))
group by bin
order by bin
