-- cm_scores (internal to the customer_month build): one row per customer per grid date, as
-- cm_exposure, with the customer's attributes, the credit limit and external rating in force then,
-- event flags, factor scores (0-100), score, grade, band and default status. Params: as_of and the
-- policy's factor, weight, grade, band, watchlist event, default and cure values; the points of the
-- policy's binned scorecard factors come from cm_scorecard. data/policy.py
-- (Policy.score, .grade, ...) holds the same scoring rules.
-- Limit and rating in force at t: the latest credit_reviews row with effective_on <= t (a review
-- without a rating leaves the rating as it was; of reviews on one day, the one with the greatest
-- review_id), before the first review the customer's own values.
-- Default: a default signal at t is max DPD above default_dpd, a bankruptcy filing in (previous grid
-- date, t], or a contract marked defaulted (from its last review date, else as_of) still marked so.
-- A month-end is clean when max DPD <= cure_dpd, no signal and nothing written off in the period. A
-- customer is in default from its first signal until cure_months consecutive clean grid dates have
-- passed since its last signal (then it is out at the last of them); default_exit on that row says
-- 'cured' when nothing was written off during the default, else 'written_off'.
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

grid as (
    select as_of, lag(as_of) over (order by as_of) as prev_as_of from month_grid
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
        ), false) as rating_downgrade_recent,
        coalesce(bool_or(
            e.kind = 'bankruptcy_filing' and e.occurred_on > coalesce(g.prev_as_of, date '0001-01-01')
        ), false) as bankruptcy_in_period
    from event_points as e
    inner join grid as g
        on g.as_of >= e.occurred_on
        and g.as_of < e.occurred_on + greatest($event_lookback_days, $wl_event_lookback_days)
    group by all
),

defaulted_contracts as (
    -- a contract's defaulted status dates from its last review, the latest time it can have been
    -- set; without a review date it is known only as of the build date
    select customer_id, min(coalesce(last_reviewed_on, $as_of::date)) as defaulted_on
    from contracts
    where status = 'defaulted'
    group by customer_id
),

limit_reviews as (
    -- one review per customer and day: of several on one day, the one with the greatest review_id
    select customer_id, effective_on, credit_limit
    from credit_reviews
    qualify row_number() over (partition by customer_id, effective_on order by review_id desc) = 1
),

rating_reviews as (
    select customer_id, effective_on, external_rating
    from credit_reviews
    where external_rating is not null
    qualify row_number() over (partition by customer_id, effective_on order by review_id desc) = 1
),

in_force as (
    -- the limit and rating in force at each grid date (no look-ahead)
    select
        x.customer_id,
        x.as_of,
        coalesce(l.credit_limit, c.credit_limit) as credit_limit,
        coalesce(r.external_rating, c.external_rating) as external_rating
    from cm_exposure as x
    inner join customers as c on c.customer_id = x.customer_id
    asof left join limit_reviews as l
        on l.customer_id = x.customer_id and x.as_of >= l.effective_on
    asof left join rating_reviews as r
        on r.customer_id = x.customer_id and x.as_of >= r.effective_on
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
        f.external_rating,
        f.credit_limit,
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
        case when f.credit_limit > 0 then x.exposure / f.credit_limit end as utilisation,
        100 * least(x.max_dpd, $dpd_cap_days)::double / $dpd_cap_days as dpd_score,
        case when x.due_payments_12m > 0
            then 100 * x.late_payments_12m::double / x.due_payments_12m else 0.0 end as late_score,
        case f.external_rating
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
            when f.credit_limit > 0
                then 100 * least(x.exposure / f.credit_limit, $utilisation_cap) / $utilisation_cap
            when x.exposure > 0 then 100.0
            else 0.0
        end as utilisation_score,
        least(100.0, coalesce(e.operational_points, 0))::double as operational_score,
        least(100.0, coalesce(e.legal_points, 0))::double as legal_score,
        coalesce(e.legal_recent, false) as legal_recent,
        coalesce(e.operational_recent, false) as operational_recent,
        coalesce(e.rating_downgrade_recent, false) as rating_downgrade_recent,
        x.written_off,
        x.recovered,
        x.max_dpd > $default_dpd
        or coalesce(e.bankruptcy_in_period, false)
        or coalesce(d.defaulted_on <= x.as_of, false) as default_signal
    from cm_exposure as x
    inner join customers as c on c.customer_id = x.customer_id
    inner join in_force as f on f.customer_id = x.customer_id and f.as_of = x.as_of
    left join events_by_date as e on e.customer_id = x.customer_id and e.as_of = x.as_of
    left join defaulted_contracts as d on d.customer_id = x.customer_id
),

cleanliness as (
    select
        *,
        max_dpd <= $cure_dpd and not default_signal and written_off = 0 as clean,
        -- rows since the last unclean one: a run of clean rows shares this number
        count(*) filter (where not (max_dpd <= $cure_dpd and not default_signal and written_off = 0))
            over customer_rows as unclean_before
    from factors
    window customer_rows as (partition by customer_id order by as_of)
),

runs as (
    select
        *,
        count(*) filter (where clean) over (
            partition by customer_id, unclean_before order by as_of
        ) as clean_run
    from cleanliness
),

signals as (
    select
        *,
        max(case when default_signal then as_of end) over customer_rows as last_signal_on,
        max(case when clean_run >= $cure_months then as_of end) over customer_rows as last_cure_point
    from runs
    window customer_rows as (partition by customer_id order by as_of)
),

default_states as (
    select
        * exclude (clean, unclean_before, clean_run, last_cure_point),
        last_signal_on is not null
        and coalesce(last_cure_point < last_signal_on, true) as defaulted
    from signals
),

entries as (
    select
        *,
        coalesce(lag(defaulted) over customer_rows, false) as was_defaulted
    from default_states
    window customer_rows as (partition by customer_id order by as_of)
),

spells as (
    -- spell_no counts entries into default; the row that leaves a default still carries its number
    select
        *,
        count(*) filter (where defaulted and not was_defaulted) over (
            partition by customer_id order by as_of
        ) as spell_no
    from entries
),

default_spells as (
    select
        *,
        sum(written_off) over (partition by customer_id, spell_no order by as_of) as spell_written_off
    from spells
),

with_exit as (
    select
        * exclude (was_defaulted, spell_no, spell_written_off),
        case
            when was_defaulted and not defaulted and spell_written_off > 0 then 'written_off'
            when was_defaulted and not defaulted then 'cured'
        end as default_exit
    from default_spells
),

scorecard_points as (
    -- the binned factors' points (cm_scorecard), added in the policy's factor order
    select
        customer_id,
        as_of,
        list_reduce(list(points order by position), lambda a, b: a + b) as points
    from cm_scorecard
    group by customer_id, as_of
),

scored as (
    -- added in the policy's factor order, as Policy.score adds them, then the scorecard's points
    select
        w.*,
        $w_dpd * w.dpd_score + $w_late * w.late_score + $w_rating * w.rating_score
        + $w_utilisation * w.utilisation_score + $w_operational * w.operational_score
        + $w_legal * w.legal_score + coalesce(p.points, 0.0) as score
    from with_exit as w
    left join scorecard_points as p on p.customer_id = w.customer_id and p.as_of = w.as_of
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
