-- Contracts needing attention at $as_of for $list: 'expiring' (ending within 90 days), 'dispute'
-- (in dispute) or 'review' (last review older than the customer's band frequency, or never reviewed).
-- Live contracts only (active, in dispute, under review), largest amount first, at most $limit.
-- Params: $as_of, $list, $limit, $segments, $regions, $industries.
with controls as (
    select split_part(key, '.', 2) as band, try_cast(value as integer) as review_months
    from policy_in_force
    where key like 'controls.%.review_frequency_months'
),

scoped as (
    select cm.customer_id, cm.name, cm.grade, cm.band
    from customer_month as cm
    where cm.as_of = $as_of::date
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], cm.segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], cm.region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], cm.industry))
),

final as (
    select
        k.contract_id, s.customer_id, s.name, s.grade, k.kind, k.status, k.start_on, k.end_on, k.amount,
        k.collateral_value, k.approved_by, k.last_reviewed_on,
        cast(k.last_reviewed_on + to_months(c.review_months) as date) as review_due
    from contracts as k
    join scoped as s on s.customer_id = k.customer_id
    left join controls as c on c.band = s.band
    where k.status in ('active', 'in_dispute', 'under_review')
      and k.signed_on <= $as_of::date
      and case $list::varchar
            when 'expiring' then k.end_on between $as_of::date and $as_of::date + interval 90 day
            when 'dispute' then k.status = 'in_dispute'
            else k.last_reviewed_on is null or k.last_reviewed_on + to_months(c.review_months) < $as_of::date
          end
)

select * from final order by amount desc limit $limit
