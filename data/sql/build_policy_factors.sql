-- policy_factors: one row per score factor: factor name (its customer_month column is
-- <factor>_score), weight (0-1) and description. Params: factor_names, factor_weights,
-- factor_descriptions (lists in the policy's factor order).
create or replace table policy_factors as
with final as (
    select
        unnest($factor_names::varchar[]) as factor,
        unnest($factor_weights::double[]) as weight,
        unnest($factor_descriptions::varchar[]) as description
)

select * from final
