-- One row per 10-point utilisation bin at $as_of: bin = lower edge in percent (a customer at 85 % is in bin
-- 80), 200 = 200 % and above; customers with exposure and a limit (utilisation not null) in the filters,
-- their count and exposure (money). Params: $as_of, $segments, $regions, $industries.
with scoped as (
    select cm.utilisation, cm.exposure
    from customer_month as cm
    where cm.as_of = $as_of::date
      and cm.exposure > 0
      and cm.utilisation is not null
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], cm.segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], cm.region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], cm.industry))
),

final as (
    select
        cast(least(floor(utilisation * 10) * 10, 200) as bigint) as bin,
        count(*) as customers,
        sum(exposure) as exposure
    from scoped
    group by bin
)

select * from final order by bin
