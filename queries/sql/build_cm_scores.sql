-- cm_scores (internal to the customer_month build): one row per customer per grid date, as
-- cm_exposure, with the customer's attributes, event flags, factor scores (0-100), score, grade,
-- band and default status. Params: as_of and the policy's factor, weight, grade, band, watchlist
-- event and default values. data/policy.py (Policy.score, .grade, ...) holds the same rules.
create or replace table cm_scores as
with event_points as (
    select
        e.customer_id,
        e.occurred_on,
        e.category,
        e.kind,
        e.severity,
        case e.severity
            when 1 then $severity_1_points
            when 2 then $severity_2_points
            when 3 then $severity_3_points
            when 4 then $severity_4_points
            else $severity_5_points
        end as points
    from risk_events as e
),

events_by_date as (
    -- factor look-back (t - event_lookback_days, t]; trigger look-back (t - wl_event_lookback_days, t]
    select
        e.customer_id,
        g.as_of,
        coalesce(sum(e.points) filter (
            where e.category = 'operational' and e.occurred_on > g.as_of - $event_lookback_days
        ), 0) as operational_points,
        coalesce(sum(e.points) filter (
            where e.category = 'legal' and e.occurred_on > g.as_of - $event_lookback_days
        ), 0) as legal_points,
        coalesce(bool_or(
            e.category = 'legal' and e.occurred_on > g.as_of - $wl_event_lookback_days
        ), false) as legal_recent,
        coalesce(bool_or(
            e.category = 'operational' and e.severity >= $wl_operational_severity
            and e.occurred_on > g.as_of - $wl_event_lookback_days
        ), false) as operational_recent,
        coalesce(bool_or(
            e.kind = 'rating_downgrade' and e.occurred_on > g.as_of - $wl_event_lookback_days
        ), false) as rating_downgrade_recent
    from event_points as e
    inner join month_grid as g
        on g.as_of >= e.occurred_on
        and g.as_of < e.occurred_on + greatest($event_lookback_days, $wl_event_lookback_days)
    group by all
),

default_dates as (
    -- a contract's defaulted status dates from its last review, the latest time it can have been
    -- set; without a review date it is known only as of the build date
    select customer_id, min(defaulted_on) as defaulted_on
    from (
        select customer_id, occurred_on as defaulted_on
        from risk_events where kind = 'bankruptcy_filing'
        union all
        select customer_id, coalesce(last_reviewed_on, $as_of::date)
        from contracts where status = 'defaulted'
    )
    group by customer_id
),

factors as (
    select
        x.customer_id,
        x.as_of,
        c.name,
        c.segment,
        c.region,
        c.industry,
        c.owner,
        c.external_rating,
        c.credit_limit,
        x.exposure,
        x.collateral,
        x.overdue_amount,
        x.max_dpd,
        case
            when x.max_dpd = 0 then 'current'
            when x.max_dpd <= 30 then '1-30'
            when x.max_dpd <= 60 then '31-60'
            when x.max_dpd <= 90 then '61-90'
            else '90+'
        end as aging_bucket,
        x.late_payments_12m,
        x.due_payments_12m,
        case when c.credit_limit > 0 then x.exposure / c.credit_limit end as utilisation,
        100 * least(x.max_dpd, $dpd_cap_days)::double / $dpd_cap_days as dpd_score,
        case when x.due_payments_12m > 0
            then 100 * x.late_payments_12m::double / x.due_payments_12m else 0.0 end as late_score,
        case c.external_rating
            when 'AAA' then $rating_aaa_score
            when 'AA' then $rating_aa_score
            when 'A' then $rating_a_score
            when 'BBB' then $rating_bbb_score
            when 'BB' then $rating_bb_score
            when 'B' then $rating_b_score
            when 'CCC' then $rating_ccc_score
            when 'CC' then $rating_cc_score
            when 'C' then $rating_c_score
            when 'D' then $rating_d_score
            else $rating_unrated_score
        end::double as rating_score,
        case
            when c.credit_limit > 0
                then 100 * least(x.exposure / c.credit_limit, $utilisation_cap) / $utilisation_cap
            when x.exposure > 0 then 100.0
            else 0.0
        end as utilisation_score,
        least(100.0, coalesce(e.operational_points, 0))::double as operational_score,
        least(100.0, coalesce(e.legal_points, 0))::double as legal_score,
        coalesce(e.legal_recent, false) as legal_recent,
        coalesce(e.operational_recent, false) as operational_recent,
        coalesce(e.rating_downgrade_recent, false) as rating_downgrade_recent,
        x.max_dpd > $default_dpd or coalesce(d.defaulted_on <= x.as_of, false) as defaulted
    from cm_exposure as x
    inner join customers as c on c.customer_id = x.customer_id
    left join events_by_date as e on e.customer_id = x.customer_id and e.as_of = x.as_of
    left join default_dates as d on d.customer_id = x.customer_id
),

scored as (
    -- added in the policy's factor order, as Policy.score adds them
    select
        *,
        $w_dpd * dpd_score + $w_late * late_score + $w_rating * rating_score
        + $w_utilisation * utilisation_score + $w_operational * operational_score
        + $w_legal * legal_score as score
    from factors
),

graded as (
    select
        *,
        case
            when score < $cut_b then 'A'
            when score < $cut_c then 'B'
            when score < $cut_d then 'C'
            when score < $cut_e then 'D'
            else 'E'
        end as grade
    from scored
),

final as (
    select
        *,
        case grade
            when 'A' then $band_a when 'B' then $band_b when 'C' then $band_c
            when 'D' then $band_d else $band_e
        end as band
    from graded
)

select * from final
