-- One customer's master data with its risk position at $as_of (null risk columns before onboarding)
-- and closed_owing (status 'closed' but exposure > 0).
-- Params: $customer_id, $as_of. Zero or one row.
select
    c.customer_id, c.name, c.industry, c.region, c.segment, c.owner, c.status, c.external_rating,
    -- the limit in force at $as_of (credit_reviews, approved credit decisions), else the master's
    coalesce(cm.credit_limit, c.credit_limit) as credit_limit, c.annual_revenue, c.onboarded_on,
    cm.exposure, cm.overdue_amount, cm.max_dpd, cm.aging_bucket, cm.score, cm.grade, cm.band, cm.pd, cm.lgd,
    cm.expected_loss, cm.utilisation, cm.collateral, cm.defaulted, cm.on_watchlist, cm.triggers,
    -- closed, yet still owed money at $as_of: shown as such, not as a closed account
    c.status = 'closed' and coalesce(cm.exposure, 0) > 0 as closed_owing
from customers as c
left join customer_month as cm on cm.customer_id = c.customer_id and cm.as_of = $as_of::date
where c.customer_id = $customer_id
