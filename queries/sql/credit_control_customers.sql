-- One row per customer with exposure at $as_of: limit status ('over' = exposure above the credit limit,
-- 'near' = utilisation >= 80 % and within the limit, 'within'), the control the policy in force recommends
-- for the customer's band, and the credit-review status (last review = customer_month.last_review, the
-- latest contracts.last_reviewed_on up to $as_of; overdue when that plus the band's frequency in months is before $as_of, or when never
-- reviewed). Every list in one pass (one scan for the page): `list` is 'attention' (over or near),
-- 'overdue' (review overdue) or 'all'; largest exposure first, at most $limit rows per list ($all_limit
-- for 'all'); `matching` counts the whole list; closed_owing: status 'closed' (and exposure > 0),
-- closed_owing_customers: how many of all the customers in scope are.
-- Params: $as_of, $limit, $all_limit, $segments, $regions, $industries.
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
    select
        cm.customer_id, cm.name, cm.industry, cm.region, cm.owner, cm.grade, cm.band,
        cm.exposure, cm.credit_limit, cm.utilisation, cm.last_review,
        -- every customer here has exposure: a closed one still owes it
        coalesce(c.status = 'closed', false) as closed_owing
    from customer_month as cm
    left join customers as c on c.customer_id = cm.customer_id
    where cm.as_of = $as_of::date
      and cm.exposure > 0
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], cm.segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], cm.region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], cm.industry))
),

assessed as (
    select
        s.*,
        case
            when s.exposure > s.credit_limit then 'over'
            when s.utilisation >= 0.8 then 'near'
            else 'within'
        end as limit_status,
        c.limit_action,
        c.collateral_required,
        c.prepayment_required,
        c.review_months,
        s.last_review,
        cast(s.last_review + to_months(c.review_months) as date) as review_due,
        case
            when c.review_months is null then false  -- the policy sets no frequency for this band
            when s.last_review is null then true
            else s.last_review + to_months(c.review_months) < $as_of::date
        end as review_overdue
    from scoped as s
    left join controls as c on c.band = s.band
    ),

counts as (
    select
        count(*) filter (where limit_status <> 'within') as attention,
        count(*) filter (where review_overdue) as overdue,
        count(*) as everyone,
        count(*) filter (where closed_owing) as closed_owing_customers
    from assessed
),

-- each list's largest exposures by a top-N (no full sort of the portfolio)
attention as (
    select 'attention' as list, *
    from assessed
    where limit_status <> 'within'
    order by exposure desc, customer_id
    limit $limit
),

overdue as (
    select 'overdue' as list, *
    from assessed
    where review_overdue
    order by exposure desc, customer_id
    limit $limit
),

everyone as (
    select 'all' as list, *
    from assessed
    order by exposure desc, customer_id
    limit $all_limit
),

final as (
    select
        l.*,
        case l.list
            when 'attention' then c.attention when 'overdue' then c.overdue else c.everyone
        end as matching,
        c.closed_owing_customers
    from (
        select * from attention
        union all
        select * from overdue
        union all
        select * from everyone
    ) as l
    cross join counts as c
)

select * from final
order by list, exposure desc, customer_id
