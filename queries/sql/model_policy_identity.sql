-- Name and version of the policy the warehouse was built with: one row. No parameters.
select
    coalesce(max(value) filter (where key = 'name'), '') as name,
    coalesce(max(value) filter (where key = 'version'), '') as version
from policy_in_force
