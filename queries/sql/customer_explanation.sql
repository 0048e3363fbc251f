-- The score of one customer at $as_of explained: one row per factor with its score, weight and
-- contribution in points (contributions sum to the score). Params: $customer_id, $as_of.
select factor, factor_score, weight, contribution
from score_explanation
where customer_id = $customer_id and as_of = $as_of::date
order by contribution desc
