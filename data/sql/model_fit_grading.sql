-- model_fit_grading: the customer-months whose grade shares a fitted scorecard's cut-offs keep,
-- one row per customer per month-end t of the fitting window (t + 12 months <= the build's as-of
-- date, as model_fit_frame), in default or not: grade under the policy in force and every
-- cm_behaviour factor at t. No params.
with final as (
    select
        s.customer_id,
        s.as_of,
        s.grade,
        s.defaulted,
        b.* exclude (customer_id, as_of)
    from cm_scores as s
    inner join cm_behaviour as b on b.customer_id = s.customer_id and b.as_of = s.as_of
    where s.as_of = last_day(s.as_of)
        and last_day(s.as_of + interval 12 month) <= (select max(as_of) from month_grid)
)

select * from final order by customer_id, as_of
