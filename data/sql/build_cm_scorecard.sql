-- cm_scorecard (internal to the customer_month build): one row per customer per grid date per
-- binned factor of the policy: the factor's value (cm_behaviour, null when missing), the bin it
-- falls in (lower <= value < upper, or the missing bin), its position in the policy's factor order
-- and its points. cm_scores adds a customer-month's points in position order (as
-- Policy.scorecard_points adds them). Empty when the policy bins nothing. No params.
create or replace table cm_scorecard as
with used as (
    select distinct factor, position from policy_bins
),

behaviour as (
    select * from cm_behaviour where exists (select 1 from policy_bins)
),

values_long as (
    -- every cm_behaviour factor (data/policy.py SCORECARD_FACTORS), nulls kept
    select customer_id, as_of, factor, value
    from behaviour
    unpivot include nulls (
        value for factor in (
            max_dpd, late_share_12m, utilisation, rating_rank, months_delinquent_3m,
            months_delinquent_6m, months_delinquent_12m, months_since_late, worst_dpd_12m,
            paid_to_billed_3m, paid_to_billed_6m, paid_to_billed_trend, exposure_trend_6m,
            utilisation_trend_6m, limit_increases_12m, limit_cuts_12m, credit_events_12m,
            operational_events_12m, legal_events_12m
        )
    )
),

binned as (
    select
        v.customer_id,
        v.as_of,
        v.factor,
        u.position,
        v.value,
        b.bin_no,
        b.points
    from values_long as v
    inner join used as u on u.factor = v.factor
    inner join policy_bins as b
        on b.factor = v.factor
        and (
            (v.value is null and b.is_missing)
            or (
                v.value is not null and not b.is_missing
                and (b.lower is null or v.value >= b.lower)
                and (b.upper is null or v.value < b.upper)
            )
        )
),

final as (
    select * from binned
)

select * from final
