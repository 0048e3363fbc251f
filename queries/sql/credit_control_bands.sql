-- One row per risk band (Low, Medium, High) at $as_of: the control the policy in force recommends (review
-- frequency in months, limit action, collateral / prepayment required) and, for the filtered customers with
-- exposure in the band, how many there are, their exposure (money), how many are over or near (>= 80 %)
-- their limit and how many credit reviews are overdue (as in credit_control_customers).
-- Params: $as_of, $segments, $regions, $industries.
with controls as (
    select
        split_part(key, '.', 2) as band,
        max(case when key like '%.review_frequency_months' then try_cast(value as bigint) end) as review_months,
        max(case when key like '%.limit_action' then value end) as limit_action,
        bool_or(key like '%.collateral_required' and value = 'true') as collateral_required,
        bool_or(key like '%.prepayment_required' and value = 'true') as prepayment_required
    from policy_in_force
    where key like 'controls.%'
    group by band
),

scoped as (
    select cm.customer_id, cm.band, cm.exposure, cm.credit_limit, cm.utilisation, cm.last_review
    from customer_month as cm
    where cm.as_of = $as_of::date
      and cm.exposure > 0
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], cm.segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], cm.region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], cm.industry))
),

per_band as (
    select
        s.band,
        count(*) as customers,
        sum(s.exposure) as exposure,
        count(*) filter (where s.exposure > s.credit_limit) as over_limit,
        count(*) filter (where s.exposure <= s.credit_limit and s.utilisation >= 0.8) as near_limit,
        count(*) filter (
            where c.review_months is not null
              and (s.last_review is null or s.last_review + to_months(c.review_months) < $as_of::date)
        ) as reviews_overdue
    from scoped as s
    left join controls as c on c.band = s.band
        group by s.band
),

bands as (
    select * from (values ('Low', 1), ('Medium', 2), ('High', 3)) as b (band, band_order)
),

final as (
    select
        b.band,
        c.review_months,
        c.limit_action,
        c.collateral_required,
        c.prepayment_required,
        coalesce(p.customers, 0) as customers,
        coalesce(p.exposure, 0.0) as exposure,
        coalesce(p.over_limit, 0) as over_limit,
        coalesce(p.near_limit, 0) as near_limit,
        coalesce(p.reviews_overdue, 0) as reviews_overdue,
        b.band_order
    from bands as b
    left join controls as c on c.band = b.band
    left join per_band as p on p.band = b.band
)

select * from final order by band_order
