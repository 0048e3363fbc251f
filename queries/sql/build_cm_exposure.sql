-- cm_exposure (internal to the customer_month build): one row per customer per month_grid date from
-- the customer's onboarding or first contract signing on; money in the reporting currency, days.
-- Params: as_of. Grid dates are month-ends plus as_of, so the first grid date on or after a date d
-- (d <= as_of) is greatest(least(last_day(d), as_of), first grid date): computed, never joined.
-- Exposure, collateral and the 12-month payment counts are running sums of dated changes, so payment
-- rows are not joined to every grid date; only overdue spans (row x dates it is overdue) expand.
-- Money is summed as decimal(18,2) so that running sums come back to exactly 0.
create or replace table cm_exposure as
with grid_bounds as (
    select $as_of::date as last_on, min(as_of) as first_on from month_grid
),

customers_since as (
    select
        c.customer_id,
        greatest(least(last_day(least(c.onboarded_on, k.first_signed_on)), b.last_on), b.first_on)
            as first_grid
    from customers as c
    cross join grid_bounds as b
    left join (
        select customer_id, min(signed_on) as first_signed_on from contracts group by customer_id
    ) as k on k.customer_id = c.customer_id
    where least(c.onboarded_on, k.first_signed_on) <= b.last_on
),

contract_windows as (
    select
        k.contract_id,
        k.customer_id,
        k.start_on,
        k.collateral_value::decimal(18, 2) as collateral,
        -- terminated/completed contracts leave exposure after end_on; other statuses stay
        case when k.status in ('terminated', 'completed') then k.end_on + 1 end as exit_on,
        case when k.start_on <= b.last_on
            then greatest(least(last_day(k.start_on), b.last_on), b.first_on) end as start_grid,
        case when k.status in ('terminated', 'completed') and k.end_on + 1 <= b.last_on
            then greatest(least(last_day(k.end_on + 1), b.last_on), b.first_on) end as exit_grid
    from contracts as k
    cross join grid_bounds as b
),

payment_rows as (
    select
        w.customer_id,
        w.start_on,
        w.exit_on,
        w.start_grid,
        w.exit_grid,
        p.due_on,
        p.paid_on,
        p.amount_due::decimal(18, 2) as due,
        least(p.amount_paid, p.amount_due)::decimal(18, 2) as paid
    from payments as p
    inner join contract_windows as w on w.contract_id = p.contract_id
),

dated_rows as (
    select
        r.*,
        r.paid_on is not null and r.paid >= r.due as paid_in_full,
        -- late: not paid in full on or before the due date; still unpaid counts as late
        not (r.paid_on is not null and r.paid_on <= r.due_on and r.paid >= r.due) as is_late,
        case when greatest(r.paid_on, r.start_on) <= b.last_on and r.paid > 0
            then greatest(least(last_day(greatest(r.paid_on, r.start_on)), b.last_on), b.first_on)
        end as paid_grid,
        -- in the 12-month window [t - 365, t) from the first grid date after due_on ...
        case when r.due_on + 1 <= b.last_on
            then greatest(least(last_day(r.due_on + 1), b.last_on), b.first_on) end as due_grid,
        -- ... until the first grid date t with t - 365 > due_on
        case when r.due_on + 366 <= b.last_on
            then greatest(least(last_day(r.due_on + 366), b.last_on), b.first_on) end as aged_grid
    from payment_rows as r
    cross join grid_bounds as b
),

changes as (
    select customer_id, start_grid as as_of, due as exposure, 0::decimal(18, 2) as collateral,
        0 as due_payments, 0 as late_payments
    from dated_rows where start_grid is not null
    union all
    -- a payment lowers exposure only while its contract is still counted
    select customer_id, paid_grid, -paid, 0, 0, 0
    from dated_rows where paid_grid is not null and (exit_grid is null or paid_grid <= exit_grid)
    union all
    -- an exited contract drops what its rows still owe
    select customer_id, exit_grid,
        -(due - case when paid_grid is not null and paid_grid <= exit_grid then paid else 0 end),
        0, 0, 0
    from dated_rows where exit_grid is not null
    union all
    select customer_id, due_grid, 0, 0, 1, is_late::integer from dated_rows where due_grid is not null
    union all
    select customer_id, aged_grid, 0, 0, -1, -(is_late::integer)
    from dated_rows where aged_grid is not null
    union all
    select customer_id, start_grid, 0, collateral, 0, 0
    from contract_windows where start_grid is not null
    union all
    select customer_id, exit_grid, 0, -collateral, 0, 0
    from contract_windows where exit_grid is not null
),

changes_by_date as (
    -- a change dated before the customer's first row (e.g. a payment due before onboarding)
    -- lands on that first row, so running sums stay whole
    select
        c.customer_id,
        greatest(c.as_of, s.first_grid) as as_of,
        sum(c.exposure) as exposure,
        sum(c.collateral) as collateral,
        sum(c.due_payments) as due_payments,
        sum(c.late_payments) as late_payments
    from changes as c
    inner join customers_since as s on s.customer_id = c.customer_id
    group by all
),

overdue_spans as (
    -- overdue at t: due_on < t, outstanding > 0, contract counted (started, not exited)
    select
        r.customer_id,
        g.as_of,
        r.due - case when r.paid_on <= g.as_of then r.paid else 0 end as outstanding,
        g.as_of - r.due_on as days_past_due
    from dated_rows as r
    inner join month_grid as g
        on g.as_of >= greatest(r.due_on + 1, r.start_on)
        and g.as_of < least(case when r.paid_in_full then r.paid_on end, r.exit_on, date '9999-12-31')
    where not (r.paid_in_full and r.paid_on <= r.due_on)
),

overdue_by_date as (
    select customer_id, as_of, sum(outstanding) as overdue_amount, max(days_past_due) as max_dpd
    from overdue_spans
    group by all
),

final as (
    select
        s.customer_id,
        g.as_of,
        (sum(coalesce(c.exposure, 0)) over running)::double as exposure,
        (sum(coalesce(c.collateral, 0)) over running)::double as collateral,
        coalesce(o.overdue_amount, 0)::double as overdue_amount,
        coalesce(o.max_dpd, 0)::integer as max_dpd,
        (sum(coalesce(c.late_payments, 0)) over running)::integer as late_payments_12m,
        (sum(coalesce(c.due_payments, 0)) over running)::integer as due_payments_12m
    from customers_since as s
    inner join month_grid as g on g.as_of >= s.first_grid
    left join changes_by_date as c on c.customer_id = s.customer_id and c.as_of = g.as_of
    left join overdue_by_date as o on o.customer_id = s.customer_id and o.as_of = g.as_of
    window running as (partition by s.customer_id order by g.as_of)
)

select * from final
