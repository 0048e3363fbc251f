-- model_fit_frame: the observations a scorecard is fitted on, one row per customer per month-end t
-- not in default at t whose 12-month outcome window is complete (t + 12 months <= the build's
-- as-of date), as pd_calibration counts them: score and grade under the policy in force,
-- default_12m (in default at some grid date in (t, t + 12 months]) and every cm_behaviour factor
-- at t. No params.
with history as (
    select
        customer_id,
        as_of,
        score,
        grade,
        defaulted,
        min(case when defaulted then as_of end) over (
            partition by customer_id order by as_of
            rows between 1 following and unbounded following
        ) as next_defaulted_on
    from cm_scores
),

final as (
    select
        h.customer_id,
        h.as_of,
        h.score,
        h.grade,
        coalesce(h.next_defaulted_on <= last_day(h.as_of + interval 12 month), false) as default_12m,
        b.* exclude (customer_id, as_of)
    from history as h
    inner join cm_behaviour as b on b.customer_id = h.customer_id and b.as_of = h.as_of
    where h.as_of = last_day(h.as_of)
        and not h.defaulted
        and last_day(h.as_of + interval 12 month) <= (select max(as_of) from month_grid)
)

select * from final order by customer_id, as_of
