-- PD, LGD and EL by grade at $as_of for the filtered portfolio, with the (portfolio-wide) PD
-- calibration: observations, defaults, observed rate with its 95 % interval, prior and posterior PD,
-- whether the observed rates rank. One row per grade A-E. Customers counts every customer with a
-- row at $as_of (zero exposure included); EL in default: of customers in default (PD 1).
-- Params: $as_of, $segments, $regions, $industries.
with filtered as (
    select grade, exposure, lgd, expected_loss, defaulted
    from customer_month
    where as_of = $as_of::date
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
),

by_grade as (
    select
        grade,
        count(*) as customers,
        count(*) filter (where defaulted) as defaulted_customers,
        sum(exposure) as exposure,
        sum(lgd * exposure) / nullif(sum(exposure), 0) as lgd,
        sum(expected_loss) as expected_loss,
        coalesce(sum(expected_loss) filter (where defaulted), 0) as expected_loss_in_default
    from filtered
    group by grade
),

final as (
    select
        c.grade,
        c.observations,
        c.defaults_12m,
        c.observed_rate,
        c.interval_low,
        c.interval_high,
        c.prior_pd,
        c.pd_used,
        c.source,
        c.enough_observations,
        c.ranking,
        c.ranks_ok,
        coalesce(g.customers, 0) as customers,
        coalesce(g.defaulted_customers, 0) as defaulted_customers,
        coalesce(g.exposure, 0) as exposure,
        g.lgd,
        coalesce(g.expected_loss, 0) as expected_loss,
        coalesce(g.expected_loss_in_default, 0) as expected_loss_in_default
    from pd_calibration as c
    left join by_grade as g on g.grade = c.grade
)

select * from final order by grade
