-- pd_calibration: one row per grade A-E: the PD of performing customers. Params: as_of, pd_floor,
-- pd_min_observations, pd_prior_weight, pd_prior_*.
-- observations: customer-months at month-ends t, not in default at t, with t + 12 months <= as_of;
-- defaults_12m: those in default at some grid date in (t, t + 12 months]; observed_rate (0-1) =
-- defaults_12m / observations (null without observations), with its 95 % Wilson interval
-- interval_low / interval_high. pd_used: the beta-binomial posterior mean with the policy's prior
-- PD as prior mean and prior_weight as its weight in observations,
-- (defaults_12m + prior_weight * prior_pd) / (observations + prior_weight), not below pd_floor;
-- source: 'prior' without observations, else 'posterior'; enough_observations: at least
-- pd_min_observations. ranking: 'ranks' when every grade has at
-- least pd_min_observations and the observed rates rise strictly from A to E, 'does_not_rank' when
-- every grade has enough observations but the rates do not rise, else 'too_few_observations';
-- ranks_ok = (ranking = 'ranks'). The same on every row.
create or replace table pd_calibration as
with grades as (
    select * from (values
        ('A', $pd_prior_a::double), ('B', $pd_prior_b::double), ('C', $pd_prior_c::double),
        ('D', $pd_prior_d::double), ('E', $pd_prior_e::double)
    ) as g (grade, prior_pd)
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

counted as (
    select
        g.grade,
        coalesce(o.observations, 0)::integer as observations,
        coalesce(o.defaults_12m, 0)::integer as defaults_12m,
        g.prior_pd,
        $pd_prior_weight::double as prior_weight
    from grades as g
    left join observed as o on o.grade = g.grade
),

estimated as (
    select
        *,
        case when observations > 0 then defaults_12m::double / observations end as observed_rate,
        greatest(
            $pd_floor::double,
            case when observations + prior_weight > 0
                then (defaults_12m + prior_weight * prior_pd) / (observations + prior_weight)
                else prior_pd end
        ) as pd_used,
        case when observations > 0 then 'posterior' else 'prior' end as source
    from counted
),

intervals as (
    -- Wilson score interval, z = 1.959963984540054 (the 97.5 % normal quantile)
    select
        *,
        case when observations > 0 then
            (observed_rate + 1.959963984540054 ^ 2 / (2 * observations)
             - 1.959963984540054 * sqrt(observed_rate * (1 - observed_rate) / observations
                           + 1.959963984540054 ^ 2 / (4 * observations ^ 2)))
            / (1 + 1.959963984540054 ^ 2 / observations)
        end as interval_low,
        case when observations > 0 then
            (observed_rate + 1.959963984540054 ^ 2 / (2 * observations)
             + 1.959963984540054 * sqrt(observed_rate * (1 - observed_rate) / observations
                           + 1.959963984540054 ^ 2 / (4 * observations ^ 2)))
            / (1 + 1.959963984540054 ^ 2 / observations)
        end as interval_high,
        lag(observed_rate) over (order by grade) as previous_rate
    from estimated
),

judged as (
    select
        *,
        case
            when min(observations) over () < greatest($pd_min_observations, 1)
                then 'too_few_observations'
            when bool_and(coalesce(observed_rate > previous_rate, true)) over () then 'ranks'
            else 'does_not_rank'
        end as ranking
    from intervals
),

final as (
    select
        grade,
        observations,
        defaults_12m,
        observed_rate,
        case when observations > 0 then greatest(interval_low, 0.0) end as interval_low,
        case when observations > 0 then least(interval_high, 1.0) end as interval_high,
        prior_pd,
        prior_weight,
        pd_used,
        source,
        observations >= greatest($pd_min_observations, 1) as enough_observations,
        ranking,
        ranking = 'ranks' as ranks_ok
    from judged
)

select * from final order by grade
