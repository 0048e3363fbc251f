-- pd_calibration: one row per grade A-E. Params: as_of, pd_floor, pd_min_observations, pd_fallback_*.
-- observations: customer-months at month-ends t, not in default at t, with t + 12 months <= as_of;
-- defaults_12m: those in default at some grid date in (t, t + 12 months]; observed_rate (0-1) =
-- defaults_12m / observations; pd_used = max(floor, observed_rate) with at least the policy's minimum
-- of observations, else the policy fallback; ranks_ok: pd_used rises strictly from A to E (every row).
create or replace table pd_calibration as
with grades as (
    select * from (values
        ('A', $pd_fallback_a::double), ('B', $pd_fallback_b::double), ('C', $pd_fallback_c::double),
        ('D', $pd_fallback_d::double), ('E', $pd_fallback_e::double)
    ) as g (grade, fallback_pd)
),

history as (
    select
        customer_id,
        as_of,
        grade,
        defaulted,
        min(case when defaulted then as_of end) over (
            partition by customer_id order by as_of
            rows between 1 following and unbounded following
        ) as next_defaulted_on
    from cm_scores
),

observed as (
    select
        grade,
        count(*) as observations,
        count(*) filter (where next_defaulted_on <= last_day(as_of + interval 12 month)) as defaults_12m
    from history
    where as_of = last_day(as_of)
        and not defaulted
        and last_day(as_of + interval 12 month) <= $as_of::date
    group by grade
),

calibrated as (
    select
        g.grade,
        coalesce(o.observations, 0)::integer as observations,
        coalesce(o.defaults_12m, 0)::integer as defaults_12m,
        o.defaults_12m::double / o.observations as observed_rate,
        coalesce(o.observations, 0) >= greatest($pd_min_observations, 1) as has_history,
        g.fallback_pd
    from grades as g
    left join observed as o on o.grade = g.grade
),

priced as (
    select
        grade,
        observations,
        defaults_12m,
        observed_rate,
        case when has_history then greatest($pd_floor, observed_rate) else fallback_pd end as pd_used,
        case when has_history then 'observed' else 'fallback' end as source
    from calibrated
),

ranked as (
    select *, lag(pd_used) over (order by grade) as previous_pd from priced
),

final as (
    select
        grade,
        observations,
        defaults_12m,
        observed_rate,
        pd_used,
        source,
        bool_and(coalesce(pd_used > previous_pd, true)) over () as ranks_ok
    from ranked
)

select * from final order by grade
