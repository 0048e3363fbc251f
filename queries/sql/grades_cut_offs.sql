-- The grade cut-offs of the policy in force: one row per grade B-E with its lower score edge. No parameters.
select replace(key, 'grades.', '') as grade, try_cast(value as double) as lower_edge
from policy_in_force
where key like 'grades.%' and try_cast(value as double) is not null
order by lower_edge
