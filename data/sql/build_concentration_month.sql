-- concentration_month: one row per grid date (as_of) x dimension ('customer', 'industry', 'region').
-- Params: $wl_single_name_share (share 0-1 of portfolio exposure above which one customer is a breach).
-- Shares are over the dimension's groups with exposure > 0 (the "names"); hhi = sum((100 * share)^2)
-- on 0-10 000; gini is Lorenz-based, G = 1 - sum_k (L_k + L_(k-1)) / n over groups sorted ascending,
-- which equals 2 * sum(i * x_(i)) / (n * total) - (n + 1) / n; null with fewer than 2 groups.
-- Shares, hhi and gini are null when a date has no exposure at all.
create or replace table concentration_month as
with customer_groups as (
    select as_of, 'customer' as dimension, customer_id as group_key, exposure
    from customer_month
),

industry_groups as (
    select as_of, 'industry' as dimension, industry as group_key, sum(exposure) as exposure
    from customer_month
    group by as_of, industry
),

region_groups as (
    select as_of, 'region' as dimension, region as group_key, sum(exposure) as exposure
    from customer_month
    group by as_of, region
),

groups as (
    select * from customer_groups
    union all
    select * from industry_groups
    union all
    select * from region_groups
),

ranked as (
    select
        as_of,
        dimension,
        group_key,
        exposure,
        row_number() over (
            partition by as_of, dimension order by exposure desc, group_key
        ) as rank_desc,
        count(*) over (partition by as_of, dimension) as group_count,
        sum(exposure) over (partition by as_of, dimension) as dimension_total
    from groups
    -- zero-exposure customers (no live contract) are not names and would flatten the Lorenz curve
    where exposure > 0
),

per_dimension as (
    select
        as_of,
        dimension,
        count(*) as names,
        sum(exposure) as total_exposure,
        sum(exposure) filter (where rank_desc <= 1) / any_value(dimension_total) as top1_share,
        sum(exposure) filter (where rank_desc <= 5) / any_value(dimension_total) as top5_share,
        sum(exposure) filter (where rank_desc <= 10) / any_value(dimension_total) as top10_share,
        sum(exposure) filter (where rank_desc <= 20) / any_value(dimension_total) as top20_share,
        sum(power(100.0 * exposure / dimension_total, 2)) as hhi,
        case
            when count(*) >= 2
                then 2.0 * sum((group_count - rank_desc + 1) * exposure)
                    / (any_value(group_count) * any_value(dimension_total))
                    - (any_value(group_count) + 1.0) / any_value(group_count)
        end as gini,
        count(*) filter (
            where dimension = 'customer' and exposure / dimension_total > $wl_single_name_share
        ) as single_name_breaches
    from ranked
    group by as_of, dimension
),

dimensions as (
    select dimension from (values ('customer'), ('industry'), ('region')) as d (dimension)
),

final as (
    select
        grid.as_of,
        dimensions.dimension,
        coalesce(per_dimension.names, 0) as names,
        coalesce(per_dimension.total_exposure, 0.0) as total_exposure,
        per_dimension.top1_share,
        per_dimension.top5_share,
        per_dimension.top10_share,
        per_dimension.top20_share,
        per_dimension.hhi,
        10000.0 / nullif(per_dimension.hhi, 0) as effective_names,
        per_dimension.gini,
        coalesce(per_dimension.single_name_breaches, 0) as single_name_breaches
    from month_grid as grid
    cross join dimensions
    left join per_dimension
        on per_dimension.as_of = grid.as_of and per_dimension.dimension = dimensions.dimension
)

select * from final
order by as_of, dimension
