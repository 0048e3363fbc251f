-- The score of one customer at $as_of explained: one row per factor that adds to it, a weighted
-- factor with its score and weight, a binned one with its value and bin, each with its
-- contribution in points (contributions sum to the score). Params: $customer_id, $as_of.
select factor, factor_score, weight, contribution, value, bin_no
from score_explanation
where customer_id = $customer_id and as_of = $as_of::date
order by contribution desc
