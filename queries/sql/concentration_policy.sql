-- One row: the policy's single-name limit (share 0-1 of the whole portfolio's exposure) from policy_in_force;
-- null when the policy has none. No params.
with final as (
    select max(try_cast(value as double)) as single_name_share
    from policy_in_force
    where key = 'watchlist.single_name_share'
)

select * from final
