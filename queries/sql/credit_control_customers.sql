-- Customers with exposure or a limit at $as_of with utilisation, band, the control action the policy
-- recommends for the band, and whether their credit review is overdue (last review = latest
-- last_reviewed_on of their contracts, overdue when older than the band's review frequency).
-- Sorted by utilisation (highest first), at most $limit rows; `matching` counts all.
-- Params: $as_of, $limit, $segments, $regions, $industries.
with controls as (
    select
        split_part(key, '.', 2) as band,
        max(case when key like '%.review_frequency_months' then try_cast(value as integer) end) as review_months,
        max(case when key like '%.limit_action' then value end) as limit_action,
        bool_or(key like '%.collateral_required' and value = 'true') as collateral_required,
        bool_or(key like '%.prepayment_required' and value = 'true') as prepayment_required
    from policy_in_force
    where key like 'controls.%'
    group by band
),

reviews as (
    select customer_id, max(last_reviewed_on) as last_review
    from contracts
    where last_reviewed_on <= $as_of::date
    group by customer_id
),

scoped as (
    select cm.customer_id, cm.name, cm.industry, cm.owner, cm.grade, cm.band, cm.exposure, cm.credit_limit, cm.utilisation
    from customer_month as cm
    where cm.as_of = $as_of::date
      and cm.exposure > 0
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], cm.segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], cm.region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], cm.industry))
),

final as (
    select
        s.*,
        c.limit_action,
        c.collateral_required,
        c.prepayment_required,
        c.review_months,
        r.last_review,
        cast(coalesce(r.last_review + to_months(c.review_months), $as_of::date) as date) as review_due,
        coalesce(r.last_review + to_months(c.review_months) < $as_of::date, true) as review_overdue,
        count(*) over () as matching
    from scoped as s
    left join controls as c on c.band = s.band
    left join reviews as r on r.customer_id = s.customer_id
)

select * from final
order by utilisation desc nulls last, exposure desc
limit $limit
