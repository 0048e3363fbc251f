-- cm_behaviour (internal to the customer_month build): one row per customer per grid date, as
-- cm_exposure, with the behavioural factors a scorecard may bin (data/policy.py SCORECARD_FACTORS;
-- definitions in docs/data_dictionary.md). Point in time: a row at grid date t reads only what is
-- dated on or before t. "The last n months" are the customer's last n grid dates up to and
-- including t (fewer at the start of its history); "12 months" of events is (t - 365 days, t].
-- A value that cannot be computed (nothing billed, no limit, no history 6 grid dates back) is null:
-- the scorecard gives it the factor's `missing` points. Params: as_of.
create or replace table cm_behaviour as
with grid_bounds as (
    select $as_of::date as last_on, min(as_of) as first_on from month_grid
),

billed as (
    -- amounts billed (payment rows by billed_on), by the first grid date on or after billed_on
    select
        r.customer_id,
        greatest(least(last_day(r.billed_on), b.last_on), b.first_on) as as_of,
        sum(r.due)::double as billed
    from payment_book as r
    cross join grid_bounds as b
    where r.billed_on <= b.last_on
    group by all
),

paid as (
    -- payments received (payment_events of kind payment), by the first grid date on or after them
    select
        r.customer_id,
        greatest(least(last_day(e.occurred_on), b.last_on), b.first_on) as as_of,
        sum(e.amount)::double as paid
    from payment_events as e
    inner join payment_book as r on r.payment_id = e.payment_id
    cross join grid_bounds as b
    where e.kind = 'payment' and e.occurred_on <= b.last_on
    group by all
),

events as (
    select
        e.customer_id,
        g.as_of,
        count(*) filter (where e.category = 'credit') as credit_events_12m,
        count(*) filter (where e.category = 'operational') as operational_events_12m,
        count(*) filter (where e.category = 'legal') as legal_events_12m
    from risk_events as e
    inner join month_grid as g on g.as_of >= e.occurred_on and g.as_of < e.occurred_on + 365
    group by all
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

base as (
    select
        x.customer_id,
        x.as_of,
        x.exposure::double as exposure,
        x.max_dpd,
        case when x.due_payments_12m > 0
            then x.late_payments_12m::double / x.due_payments_12m end as late_share_12m,
        coalesce(l.credit_limit, c.credit_limit)::double as credit_limit,
        coalesce(r.external_rating, c.external_rating) as external_rating,
        coalesce(bi.billed, 0.0) as billed,
        coalesce(pa.paid, 0.0) as paid,
        coalesce(ev.credit_events_12m, 0) as credit_events_12m,
        coalesce(ev.operational_events_12m, 0) as operational_events_12m,
        coalesce(ev.legal_events_12m, 0) as legal_events_12m
    from cm_exposure as x
    inner join customers as c on c.customer_id = x.customer_id
    asof left join limit_reviews as l
        on l.customer_id = x.customer_id and x.as_of >= l.effective_on
    asof left join rating_reviews as r
        on r.customer_id = x.customer_id and x.as_of >= r.effective_on
    left join billed as bi on bi.customer_id = x.customer_id and bi.as_of = x.as_of
    left join paid as pa on pa.customer_id = x.customer_id and pa.as_of = x.as_of
    left join events as ev on ev.customer_id = x.customer_id and ev.as_of = x.as_of
),

windowed as (
    select
        *,
        case when credit_limit > 0 then exposure / credit_limit end as utilisation,
        row_number() over customer_rows as row_no,
        count(*) filter (where max_dpd > 0) over last_3 as months_delinquent_3m,
        count(*) filter (where max_dpd > 0) over last_6 as months_delinquent_6m,
        count(*) filter (where max_dpd > 0) over last_12 as months_delinquent_12m,
        max(max_dpd) over last_12 as worst_dpd_12m,
        sum(billed) over last_3 as billed_3m,
        sum(paid) over last_3 as paid_3m,
        sum(billed) over last_6 as billed_6m,
        sum(paid) over last_6 as paid_6m,
        sum(billed) over previous_3 as billed_prev_3m,
        sum(paid) over previous_3 as paid_prev_3m,
        lag(exposure, 6) over customer_rows as exposure_6_back,
        lag(credit_limit) over customer_rows as previous_limit
    from base
    window
        customer_rows as (partition by customer_id order by as_of),
        last_3 as (partition by customer_id order by as_of rows between 2 preceding and current row),
        last_6 as (partition by customer_id order by as_of rows between 5 preceding and current row),
        last_12 as (
            partition by customer_id order by as_of rows between 11 preceding and current row
        ),
        previous_3 as (
            partition by customer_id order by as_of rows between 5 preceding and 3 preceding
        )
),

changes as (
    select
        *,
        max(case when max_dpd > 0 then row_no end) over customer_rows as last_late_row,
        lag(utilisation, 6) over customer_rows as utilisation_6_back,
        count(*) filter (where credit_limit > previous_limit) over last_12 as limit_increases_12m,
        count(*) filter (where credit_limit < previous_limit) over last_12 as limit_cuts_12m,
        case when billed_3m > 0 then paid_3m / billed_3m end as paid_to_billed_3m,
        case when billed_6m > 0 then paid_6m / billed_6m end as paid_to_billed_6m,
        case when billed_prev_3m > 0 then paid_prev_3m / billed_prev_3m end as paid_to_billed_prev_3m
    from windowed
    window
        customer_rows as (partition by customer_id order by as_of),
        last_12 as (
            partition by customer_id order by as_of rows between 11 preceding and current row
        )
),

final as (
    select
        customer_id,
        as_of,
        max_dpd::double as max_dpd,
        late_share_12m,
        utilisation,
        case external_rating
            when 'AAA' then 1 when 'AA' then 2 when 'A' then 3 when 'BBB' then 4 when 'BB' then 5
            when 'B' then 6 when 'CCC' then 7 when 'CC' then 8 when 'C' then 9 when 'D' then 10
        end::double as rating_rank,
        months_delinquent_3m::double as months_delinquent_3m,
        months_delinquent_6m::double as months_delinquent_6m,
        months_delinquent_12m::double as months_delinquent_12m,
        (row_no - last_late_row)::double as months_since_late,
        worst_dpd_12m::double as worst_dpd_12m,
        paid_to_billed_3m,
        paid_to_billed_6m,
        paid_to_billed_3m - paid_to_billed_prev_3m as paid_to_billed_trend,
        case when exposure_6_back > 0
            then (exposure - exposure_6_back) / exposure_6_back end as exposure_trend_6m,
        utilisation - utilisation_6_back as utilisation_trend_6m,
        limit_increases_12m::double as limit_increases_12m,
        limit_cuts_12m::double as limit_cuts_12m,
        credit_events_12m::double as credit_events_12m,
        operational_events_12m::double as operational_events_12m,
        legal_events_12m::double as legal_events_12m
    from changes
)

select * from final
