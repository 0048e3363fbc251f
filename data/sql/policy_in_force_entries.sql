-- policy_in_force_entries: one row per entry of the policy the warehouse was built with (dotted key,
-- value as text, as in policy_in_force). No params.
select key, value
from policy_in_force
order by key
