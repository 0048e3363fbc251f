-- One row per live contract (active, in dispute or under review; signed by $as_of) of the filtered customers
-- per list it is in, every list in one pass: `list` is 'review' (due for review: last review plus the
-- customer's band frequency in months before $as_of, or never reviewed), 'expiring' (end_on after $as_of
-- and within 90 days of it) or 'dispute' (in dispute). Largest amount first, at most $limit rows per list;
-- `matching` counts the whole list; days_left = end_on - $as_of in days.
-- Params: $as_of, $limit, $segments, $regions, $industries.
with controls as (
    select split_part(key, '.', 2) as band, try_cast(value as bigint) as review_months
    from policy_in_force
    where key like 'controls.%.review_frequency_months'
),

scoped as (
    select cm.customer_id, cm.name, cm.grade, cm.band, cm.owner
    from customer_month as cm
    where cm.as_of = $as_of::date
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], cm.segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], cm.region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], cm.industry))
),

live as (
    select
        k.contract_id, s.customer_id, s.name, s.grade, s.band, s.owner, k.kind, k.status, k.start_on,
        k.end_on, k.amount, k.collateral_value, k.approved_by, k.last_reviewed_on, c.review_months,
        cast(k.last_reviewed_on + to_months(c.review_months) as date) as review_due,
        datediff('day', $as_of::date, k.end_on) as days_left
    from contracts as k
    join scoped as s on s.customer_id = k.customer_id
    left join controls as c on c.band = s.band
    where k.status in ('active', 'in_dispute', 'under_review')
      and k.signed_on <= $as_of::date
),

flagged as (
    select
        *,
        review_months is not null
            and (last_reviewed_on is null or last_reviewed_on + to_months(review_months) < $as_of::date)
            as due_review,
        end_on > $as_of::date and end_on <= $as_of::date + interval 90 day as expiring,
        status = 'in_dispute' as in_dispute
    from live
),

counts as (
    select
        count(*) filter (where due_review) as review,
        count(*) filter (where expiring) as expiring,
        count(*) filter (where in_dispute) as dispute
    from flagged
),

-- each list's largest amounts by a top-N (no full sort of the live contracts)
review as (
    select 'review' as list, * exclude (due_review, expiring, in_dispute)
    from flagged
    where due_review
    order by amount desc, contract_id
    limit $limit
),

expiring as (
    select 'expiring' as list, * exclude (due_review, expiring, in_dispute)
    from flagged
    where expiring
    order by amount desc, contract_id
    limit $limit
),

dispute as (
    select 'dispute' as list, * exclude (due_review, expiring, in_dispute)
    from flagged
    where in_dispute
    order by amount desc, contract_id
    limit $limit
),

final as (
    select
        l.*,
        case l.list
            when 'review' then c.review when 'expiring' then c.expiring else c.dispute
        end as matching
    from (
        select * from review
        union all
        select * from expiring
        union all
        select * from dispute
    ) as l
    cross join counts as c
)

select * from final
order by list, amount desc, contract_id
