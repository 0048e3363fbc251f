-- policy_in_force: one row per policy entry (dotted key, e.g. 'weights.dpd', and its value as text)
-- of the policy the derived tables were built with. Params: policy_keys, policy_values (lists).
create or replace table policy_in_force as
with final as (
    select unnest($policy_keys::varchar[]) as key, unnest($policy_values::varchar[]) as value
)

select * from final
