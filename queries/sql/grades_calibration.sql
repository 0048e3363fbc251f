-- PD, LGD and EL by grade at $as_of for the filtered portfolio, with the (portfolio-wide) PD
-- calibration counts: one row per grade A-E. Params: $as_of, $segments, $regions, $industries.
with filtered as (
    select grade, exposure, lgd, expected_loss
    from customer_month
    where as_of = $as_of::date
      and exposure > 0
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
),

by_grade as (
    select
        grade,
        count(*) as customers,
        sum(exposure) as exposure,
        sum(lgd * exposure) / nullif(sum(exposure), 0) as lgd,
        sum(expected_loss) as expected_loss
    from filtered
    group by grade
),

final as (
    select
        c.grade,
        c.observations,
        c.defaults_12m,
        c.observed_rate,
        c.pd_used,
        c.source,
        c.ranks_ok,
        coalesce(g.customers, 0) as customers,
        coalesce(g.exposure, 0) as exposure,
        g.lgd,
        coalesce(g.expected_loss, 0) as expected_loss
    from pd_calibration as c
    left join by_grade as g on g.grade = c.grade
)

select * from final order by grade
