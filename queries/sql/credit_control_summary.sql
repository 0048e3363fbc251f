-- Counts for the credit-control cards at $as_of (one row): customers with exposure, over limit (>100 %),
-- near limit (80-100 %), credit review overdue by the band's frequency, contracts expiring within 90 days,
-- in dispute, and due for review. Params: $as_of, $segments, $regions, $industries.
with controls as (
    select split_part(key, '.', 2) as band, try_cast(value as integer) as review_months
    from policy_in_force
    where key like 'controls.%.review_frequency_months'
),

scoped as (
    select cm.customer_id, cm.band, cm.utilisation, cm.exposure
    from customer_month as cm
    where cm.as_of = $as_of::date
      and cm.exposure > 0
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], cm.segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], cm.region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], cm.industry))
),

reviews as (
    select customer_id, max(last_reviewed_on) as last_review
    from contracts where last_reviewed_on <= $as_of::date group by customer_id
),

filtered_customers as (
    -- contracts count for every customer in the filters, with exposure or not (as the lists do)
    select cm.customer_id, cm.band
    from customer_month as cm
    where cm.as_of = $as_of::date
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], cm.segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], cm.region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], cm.industry))
),

live_contracts as (
    select k.*, s.band
    from contracts as k
    join filtered_customers as s on s.customer_id = k.customer_id
    where k.status in ('active', 'in_dispute', 'under_review') and k.signed_on <= $as_of::date
),

final as (
    select
        (select count(*) from scoped) as customers,
        (select count(*) from scoped where utilisation > 1) as over_limit,
        (select count(*) from scoped where utilisation >= 0.8 and utilisation <= 1) as near_limit,
        (select count(*) from scoped as s left join controls as c on c.band = s.band
            left join reviews as r on r.customer_id = s.customer_id
            where r.last_review is null or r.last_review + to_months(c.review_months) < $as_of::date) as review_overdue,
        (select count(*) from live_contracts where end_on between $as_of::date and $as_of::date + interval 90 day) as expiring_90d,
        (select count(*) from live_contracts where status = 'in_dispute') as in_dispute,
        (select count(*) from live_contracts as k left join controls as c on c.band = k.band
            where k.last_reviewed_on is null or k.last_reviewed_on + to_months(c.review_months) < $as_of::date) as contracts_due_review
)

select * from final
