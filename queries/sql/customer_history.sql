-- One customer's monthly risk history up to $as_of: one row per grid date (money in ¥, pd/lgd/utilisation
-- shares 0-1). Params: $customer_id, $as_of.
select
    as_of, exposure, overdue_amount, max_dpd, score, grade, credit_limit, utilisation, pd, lgd,
    expected_loss, on_watchlist, triggers
from customer_month
where customer_id = $customer_id and as_of <= $as_of::date
order by as_of
