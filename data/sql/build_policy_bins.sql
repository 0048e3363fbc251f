-- policy_bins: one row per bin of each binned scorecard factor of the policy ([scorecard] in the
-- policy file): factor (a cm_behaviour column), position (the factor's place in the policy's
-- factor order, the order its points are added in), bin_no (1, 2, ... from the lowest values; 0 for
-- the missing bin), lower (inclusive, null = no lower bound), upper (exclusive, null = no upper
-- bound), is_missing (the bin of rows where the factor has no value) and points (score points).
-- Empty for a policy without a scorecard. Params: scorecard_* (lists, one entry per bin).
create or replace table policy_bins as
with final as (
    select
        unnest($scorecard_factors::varchar[]) as factor,
        unnest($scorecard_positions::integer[]) as position,
        unnest($scorecard_bin_no::integer[]) as bin_no,
        unnest($scorecard_lowers::double[]) as lower,
        unnest($scorecard_uppers::double[]) as upper,
        unnest($scorecard_is_missing::boolean[]) as is_missing,
        unnest($scorecard_points::double[]) as points
)

select * from final
