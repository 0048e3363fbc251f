-- The score factors of the policy in force: one row per factor with its weight (0-1) and what it
-- measures, heaviest first. No parameters.
select factor, weight, description
from policy_factors
order by weight desc, factor
