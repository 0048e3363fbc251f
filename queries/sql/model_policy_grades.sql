-- The grades of the policy in force: one row per grade A-E with its score range [lower_edge,
-- upper_edge) in points (upper null for E), band, and the PD in use with its calibration counts,
-- prior and ranking verdict (pd_calibration). No parameters.
with edges as (
    select replace(key, 'grades.', '') as grade, try_cast(value as double) as lower_edge
    from policy_in_force
    where key like 'grades.%'
),

bands as (
    select replace(key, 'bands.', '') as grade, value as band
    from policy_in_force
    where key like 'bands.%'
),

ranged as (
    select
        c.grade,
        coalesce(e.lower_edge, 0.0) as lower_edge,
        coalesce(b.band, '') as band,
        c.pd_used,
        c.source,
        c.observations,
        c.defaults_12m,
        c.observed_rate,
        c.prior_pd,
        c.enough_observations,
        c.ranking,
        c.ranks_ok
    from pd_calibration as c
    left join edges as e on e.grade = c.grade
    left join bands as b on b.grade = c.grade
),

final as (
    select
        grade,
        lower_edge,
        lead(lower_edge) over (order by grade) as upper_edge,
        band,
        pd_used,
        source,
        observations,
        defaults_12m,
        observed_rate,
        prior_pd,
        enough_observations,
        ranking,
        ranks_ok
    from ranged
)

select * from final order by grade
