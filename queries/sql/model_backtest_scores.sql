-- Back-test of the score: one row per grade and score (rounded to 0.01 point) among the observations
-- with their count and bads. Params: $as_of, $segments, $regions, $industries.
-- Observation: a customer-month at a month-end t, not in default at t, with t + 12 months <= $as_of
-- (the whole outcome window seen). Bad: in default at some grid date in (t, t + 12 months] — the
-- definition build_pd_calibration.sql uses. Filters apply at t.
-- Rounding to 0.01 point keeps the result small at any portfolio size; scores closer than that count
-- as tied (a tie weighs 1/2 in the AUC).
with observations as (
    -- customer_month.default_12m is the bad flag, worked out once by the build
    select grade, round(score, 2) as score, default_12m as bad
    from customer_month
    where as_of = last_day(as_of)
        and not defaulted
        and last_day(as_of + interval 12 month) <= $as_of::date
        and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
        and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
        and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
),

final as (
    select
        grade,
        score,
        count(*) as observations,
        count(*) filter (where bad) as bads
    from observations
    group by grade, score
)

select * from final order by score, grade
