-- loan_ecl: one row per loan contract per grid date it has exposure at: the general approach of
-- IFRS 9. ead: what its payment rows booked by as_of owe (payment_book booked_on until settled_on,
-- as customer_month's exposure, by running sums of dated changes as cm_exposure; money); max_dpd
-- (days) of its overdue rows. The customer's
-- grade, 12-month PD (grade_pd), LGD and watchlist flag at as_of come from customer_month, as the
-- risk view uses them; origin_grade is the customer's grade at the first grid date on or after
-- the contract's start (its first rating).
-- stage_triggers: the [provisions.stage2] triggers firing at as_of, of those in force:
--   dpd_backstop (max_dpd > $prov_backstop_days), downgrade (grade at least
--   $prov_downgrade_grades worse than origin_grade), watchlist (customer on the watchlist).
-- stage: 3 when the customer is in default (customer_month.defaulted; reason in_default); else 2
-- when a trigger fires (reason: the first of dpd_backstop, downgrade, watchlist); else 2 while a
-- trigger fired or the customer was in default at one of the $prov_probation_months - 1 month-ends
-- before (reason probation: back to stage 1 at the $prov_probation_months-th consecutive clean
-- month-end, as a default cures); else 1 (reason performing).
-- horizon_months: 12 in stage 1; in stage 2 the remaining months of the contract
-- (date_diff('month', as_of, end_on), not below 0) but at least $prov_floor_months.
-- pd_horizon = 1 - (1 - grade_pd)^(horizon_months / 12) (constant hazard); 1 in stage 3.
-- ECL = ead x lgd x ecl_factor: stage 3 ecl_factor = 1 (PD 1, not discounted); otherwise, with the
-- monthly survival s = (1 - grade_pd)^(1/12) and v = (1 + interest_rate)^(-1/12) (v = 1 without a
-- rate or with $prov_discounting false), ecl_factor = sum over months m = 1..H of
-- s^(m-1) (1 - s) v^m = (1 - s) v (1 - (s v)^H) / (1 - s v), which is pd_horizon when v = 1.
-- allowance: rounded to the cent (decimal). Params: prov_*.
create or replace table loan_ecl as
with grid_bounds as (
    select $as_of::date as last_on, min(as_of) as first_on from month_grid
),

loan_rows as (
    -- booked_grid: the first grid date on or after booked_on, computed, never joined
    select
        b.payment_id,
        b.contract_id,
        b.customer_id,
        b.booked_on,
        b.due_on,
        b.due,
        b.settled_on,
        greatest(least(last_day(b.booked_on), g.last_on), g.first_on) as booked_grid
    from payment_book as b
    cross join grid_bounds as g
    where b.contract_kind = 'loan' and b.booked_on <= g.last_on
),

changes as (
    -- what a loan owes changes when a row is booked and with each payment_events change (a
    -- change before the row is booked takes effect when it is booked), summed as decimals so
    -- a repaid loan comes back to exactly 0: rows are not joined to every grid date
    select contract_id, booked_grid as as_of, due::decimal(18, 2) as change
    from loan_rows
    union all
    select
        r.contract_id,
        greatest(least(last_day(greatest(e.occurred_on, r.booked_on)), g.last_on), g.first_on),
        -e.amount::decimal(18, 2)
    from payment_events as e
    inner join loan_rows as r on r.payment_id = e.payment_id
    cross join grid_bounds as g
    where greatest(e.occurred_on, r.booked_on) <= g.last_on and e.amount > 0
),

changes_by_date as (
    select contract_id, as_of, sum(change) as change from changes group by all
),

contract_dates as (
    select r.contract_id, any_value(r.customer_id) as customer_id, min(r.booked_grid) as first_grid
    from loan_rows as r
    group by r.contract_id
),

running as (
    select
        d.contract_id,
        d.customer_id,
        m.as_of,
        sum(coalesce(c.change, 0)) over (partition by d.contract_id order by m.as_of) as ead
    from contract_dates as d
    inner join month_grid as m on m.as_of >= d.first_grid
    left join changes_by_date as c on c.contract_id = d.contract_id and c.as_of = m.as_of
),

overdue as (
    -- only overdue spans expand: a row x the grid dates it is past due and still owes at
    select o.contract_id, o.as_of, max(o.as_of - o.due_on) as max_dpd
    from (
        select r.payment_id, r.contract_id, r.due_on, r.due, m.as_of
        from loan_rows as r
        inner join month_grid as m
            on m.as_of >= greatest(r.due_on + 1, r.booked_on)
            and m.as_of < coalesce(r.settled_on, date '9999-12-31')
    ) as o
    asof left join payment_events as e
        on e.payment_id = o.payment_id and o.as_of >= e.occurred_on
    where coalesce(e.owed_after, o.due) > 0
    group by o.contract_id, o.as_of
),

contract_balances as (
    select
        r.as_of,
        r.contract_id,
        r.customer_id,
        r.ead::double as ead,
        coalesce(o.max_dpd, 0) as max_dpd
    from running as r
    left join overdue as o on o.contract_id = r.contract_id and o.as_of = r.as_of
    where r.ead > 0
),

origins as (
    select k.contract_id, arg_min(m.grade, m.as_of) as origin_grade
    from contracts as k
    inner join customer_month as m on m.customer_id = k.customer_id and m.as_of >= k.start_on
    where k.kind = 'loan'
    group by k.contract_id
),

flagged as (
    select
        b.*,
        k.end_on,
        m.segment,
        m.region,
        m.industry,
        m.grade,
        o.origin_grade,
        m.grade_pd,
        m.lgd,
        m.defaulted,
        case when $prov_discounting then r.interest_rate end as interest_rate,
        [code for code in [
            case when $prov_use_backstop and b.max_dpd > $prov_backstop_days then 'dpd_backstop' end,
            case when $prov_use_downgrade
                and strpos('ABCDE', m.grade) - strpos('ABCDE', o.origin_grade)
                    >= $prov_downgrade_grades
                then 'downgrade' end,
            case when $prov_use_watchlist and m.on_watchlist then 'watchlist' end
        ] if code is not null]::varchar[] as stage_triggers,
        year(b.as_of) * 12 + month(b.as_of) as month_no
    from contract_balances as b
    inner join contracts as k on k.contract_id = b.contract_id
    inner join customer_month as m on m.customer_id = b.customer_id and m.as_of = b.as_of
    left join origins as o on o.contract_id = b.contract_id
    left join contract_rates as r on r.contract_id = b.contract_id
),

with_probation as (
    select
        *,
        coalesce(
            bool_or(defaulted or len(stage_triggers) > 0) over (
                partition by contract_id order by month_no
                range between ($prov_probation_months - 1) preceding and 1 preceding
            ),
            false
        ) as recently_impaired
    from flagged
),

staged as (
    select
        *,
        case
            when defaulted then 3
            when len(stage_triggers) > 0 or recently_impaired then 2
            else 1
        end as stage,
        case
            when defaulted then 'in_default'
            when len(stage_triggers) > 0 then stage_triggers[1]
            when recently_impaired then 'probation'
            else 'performing'
        end as stage_reason,
        greatest(0, date_diff('month', as_of, end_on)) as remaining_months
    from with_probation
),

horizons as (
    select
        *,
        case when stage = 1 then 12 else greatest(remaining_months, $prov_floor_months) end
            as horizon_months,
        power(1 - grade_pd, 1 / 12) as survival,
        coalesce(power(1 + interest_rate, -1 / 12), 1) as discount
    from staged
),

final as (
    select
        as_of,
        contract_id,
        customer_id,
        segment,
        region,
        industry,
        round(ead, 2)::decimal(18, 2) as ead,
        max_dpd,
        grade,
        origin_grade,
        stage,
        stage_reason,
        stage_triggers,
        remaining_months,
        horizon_months,
        grade_pd,
        case when stage = 3 then 1.0
            else 1 - power(1 - grade_pd, horizon_months / 12) end as pd_horizon,
        lgd,
        interest_rate,
        case
            when stage = 3 then 1.0
            when survival * discount >= 1 then 0.0
            else (1 - survival) * discount * (1 - power(survival * discount, horizon_months))
                / (1 - survival * discount)
        end as ecl_factor
    from horizons
)

select
    * exclude (ecl_factor),
    ecl_factor,
    round(round(ead, 2) * lgd * ecl_factor, 2)::decimal(18, 2) as allowance
from final
order by as_of, contract_id
