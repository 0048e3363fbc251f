-- customer_month: one row per customer per grid date (month-ends and the as-of date) from the
-- customer's onboarding or first contract on: exposure and overdue (money), max DPD (days), the credit
-- limit and external rating in force then, factor scores, score, grade, band, PD/LGD (0-1), expected
-- loss (money), utilisation and exposure share (0-1), default (with its exit: cured or written off),
-- write-offs and recoveries of the period (money), and the early-warning triggers, with the triggers
-- that fired at the previous grid date (previous_triggers; [] when none did or the customer had no row
-- then), so pages can find entrants and leavers without joining the table to itself, default_12m (in
-- default at a later grid date within 12 months), and last_review (the latest contract review or
-- credit review on or before the date). PD: 1 in default, else the grade's (grade_pd). LGD uses the
-- segment's unsecured LGD from lgd_calibration; the exposure share divides by month_exposure.
-- Params: lgd_*, wl_* (watchlist thresholds).
create or replace table customer_month as
with scores as (
    select
        s.*,
        coalesce(s.exposure / nullif(t.exposure, 0), 0) as exposure_share
    from cm_scores as s
    inner join month_exposure as t on t.as_of = s.as_of
),

with_history as (
    select
        s.*,
        p.pd_used as grade_pd,
        case when s.defaulted then 1.0 else p.pd_used end as pd,
        l.lgd_unsecured_used,
        earlier.grade as earlier_grade
    from scores as s
    inner join pd_calibration as p on p.grade = s.grade
    inner join lgd_calibration as l on l.segment = s.segment
    -- grade at the month-end wl_downgrade_months before (absent before the customer's first row)
    left join cm_scores as earlier
        on earlier.customer_id = s.customer_id
        and earlier.as_of = last_day(s.as_of - to_months($wl_downgrade_months))
),

priced as (
    select
        *,
        case
            when exposure > 0 then greatest(
                $lgd_floor,
                lgd_unsecured_used * (1 - least(1, collateral * (1 - $lgd_haircut) / exposure))
            )
            else greatest($lgd_floor, lgd_unsecured_used)
        end as lgd,
        coalesce(
            strpos('ABCDE', grade) - strpos('ABCDE', earlier_grade) >= $wl_downgrade_notches
            or (grade = 'E' and earlier_grade <> 'E'),
            false
        ) as downgraded
    from with_history
),

flagged as (
    select
        *,
        [code for code in [
            case when max_dpd > $wl_dpd then 'overdue' end,
            case when downgraded then 'downgrade' end,
            case when exposure > credit_limit * $wl_utilisation then 'limit_breach' end,
            case when legal_recent then 'legal' end,
            case when operational_recent then 'operational' end,
            case when rating_downgrade_recent then 'rating_downgrade' end,
            case when exposure_share > $wl_single_name_share then 'concentration' end
        ] if code is not null] as triggers
    from priced
),

grid as (
    select as_of, lag(as_of) over (order by as_of) as prev_as_of
    from month_grid
),

sequenced as (
    select
        f.*,
        g.prev_as_of,
        lag(f.as_of) over customer_rows as customer_prev_as_of,
        lag(f.triggers) over customer_rows as customer_prev_triggers,
        min(case when f.defaulted then f.as_of end) over (
            customer_rows rows between 1 following and unbounded following
        ) as next_defaulted_on
    from flagged as f
    inner join grid as g on g.as_of = f.as_of
    window customer_rows as (partition by f.customer_id order by f.as_of)
),

reviews as (
    select distinct customer_id, last_reviewed_on as reviewed_on
    from contracts
    where last_reviewed_on is not null
    union
    select customer_id, effective_on from credit_reviews
),

reviewed as (
    -- the latest contract or credit review on or before the grid date (null when none)
    select s.*, r.reviewed_on as last_review
    from sequenced as s
    asof left join reviews as r
        on r.customer_id = s.customer_id and s.as_of >= r.reviewed_on
),

final as (
    select
        customer_id,
        as_of,
        name,
        segment,
        region,
        industry,
        owner,
        external_rating,
        credit_limit,
        exposure,
        overdue_amount,
        max_dpd,
        aging_bucket,
        late_payments_12m,
        due_payments_12m,
        dpd_score,
        late_score,
        rating_score,
        utilisation_score,
        operational_score,
        legal_score,
        score,
        grade,
        band,
        grade_pd,
        pd,
        lgd,
        pd * lgd * exposure as expected_loss,
        collateral,
        utilisation,
        defaulted,
        default_exit,
        written_off,
        recovered,
        len(triggers) > 0 as on_watchlist,
        triggers::varchar[] as triggers,
        exposure_share,
        case
            when customer_prev_as_of = prev_as_of then customer_prev_triggers else []
        end::varchar[] as previous_triggers,
        -- in default at a later grid date up to last_day(t + 12 months): the 12-month outcome
        -- pd_calibration and the model back-test judge a customer-month by
        coalesce(next_defaulted_on <= last_day(as_of + interval 12 month), false) as default_12m,
        last_review
    from reviewed
)

select * from final order by as_of, customer_id
