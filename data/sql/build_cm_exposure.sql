-- cm_exposure (internal to the customer_month build): one row per customer per month_grid date from
-- the customer's onboarding or first contract signing on; money in the reporting currency, days.
-- Params: as_of. Grid dates are month-ends plus as_of, so the first grid date on or after a date d
-- (d <= as_of) is greatest(least(last_day(d), as_of), first grid date): computed, never joined.
-- A payment row (payment_book) is exposure from its booked_on until it owes nothing; what it owes
-- falls with each payment_events change (payment, credit note, write-off), also after its contract
-- ended. Exposure, collateral, the 12-month payment counts and the period's write-offs and
-- recoveries are sums of dated changes, so payment rows are not joined to every grid date; only
-- overdue spans (row x dates it is overdue) expand. Money is summed as decimal(18,2) so that running
-- sums come back to exactly 0. written_off / recovered: amounts dated in (previous grid date, t].
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
    -- collateral is held from the start until a terminated or completed contract ends
    select
        k.customer_id,
        k.collateral_value::decimal(18, 2) as collateral,
        case when k.start_on <= b.last_on
            then greatest(least(last_day(k.start_on), b.last_on), b.first_on) end as start_grid,
        case when k.status in ('terminated', 'completed') and k.end_on + 1 <= b.last_on
            then greatest(least(last_day(k.end_on + 1), b.last_on), b.first_on) end as exit_grid
    from contracts as k
    cross join grid_bounds as b
),

dated_rows as (
    select
        r.payment_id,
        r.customer_id,
        r.booked_on,
        r.due_on,
        r.due,
        r.settled_on,
        r.is_late,
        case when r.booked_on <= b.last_on
            then greatest(least(last_day(r.booked_on), b.last_on), b.first_on) end as booked_grid,
        -- in the 12-month window [t - 365, t) from the first grid date after due_on ...
        case when r.due_on + 1 <= b.last_on
            then greatest(least(last_day(r.due_on + 1), b.last_on), b.first_on) end as due_grid,
        -- ... until the first grid date t with t - 365 > due_on
        case when r.due_on + 366 <= b.last_on
            then greatest(least(last_day(r.due_on + 366), b.last_on), b.first_on) end as aged_grid
    from payment_book as r
    cross join grid_bounds as b
),

dated_events as (
    -- a change before the row is booked (a prepayment) takes effect when it is booked
    select
        r.customer_id,
        e.kind,
        e.amount,
        greatest(least(last_day(greatest(e.occurred_on, r.booked_on)), b.last_on), b.first_on)
            as event_grid
    from payment_events as e
    inner join dated_rows as r on r.payment_id = e.payment_id
    cross join grid_bounds as b
    where greatest(e.occurred_on, r.booked_on) <= b.last_on and e.amount > 0
),

recoveries as (
    select
        r.customer_id,
        greatest(least(last_day(a.occurred_on), b.last_on), b.first_on) as event_grid,
        a.amount::decimal(18, 2) as amount
    from adjustments as a
    inner join dated_rows as r on r.payment_id = a.payment_id
    cross join grid_bounds as b
    where a.kind = 'recovery' and a.occurred_on <= b.last_on
),

changes as (
    select customer_id, booked_grid as as_of, due as exposure, 0::decimal(18, 2) as collateral,
        0 as due_payments, 0 as late_payments,
        0::decimal(18, 2) as written_off, 0::decimal(18, 2) as recovered
    from dated_rows where booked_grid is not null
    union all
    select customer_id, event_grid, -amount, 0, 0, 0,
        case when kind = 'write_off' then amount else 0 end, 0
    from dated_events
    union all
    select customer_id, event_grid, 0, 0, 0, 0, 0, amount from recoveries
    union all
    select customer_id, due_grid, 0, 0, 1, is_late::integer, 0, 0
    from dated_rows where due_grid is not null
    union all
    select customer_id, aged_grid, 0, 0, -1, -(is_late::integer), 0, 0
    from dated_rows where aged_grid is not null
    union all
    select customer_id, start_grid, 0, collateral, 0, 0, 0, 0
    from contract_windows where start_grid is not null
    union all
    select customer_id, exit_grid, 0, -collateral, 0, 0, 0, 0
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
        sum(c.late_payments) as late_payments,
        sum(c.written_off) as written_off,
        sum(c.recovered) as recovered
    from changes as c
    inner join customers_since as s on s.customer_id = c.customer_id
    group by all
),

overdue_rows as (
    -- overdue at t: due_on < t, booked by t, not yet settled
    select
        r.payment_id,
        r.customer_id,
        r.due_on,
        r.due,
        g.as_of
    from dated_rows as r
    inner join month_grid as g
        on g.as_of >= greatest(r.due_on + 1, r.booked_on)
        and g.as_of < coalesce(r.settled_on, date '9999-12-31')
),

overdue_spans as (
    -- what the row owes at t: after the last change on or before t
    select
        o.customer_id,
        o.as_of,
        coalesce(e.owed_after, o.due) as outstanding,
        o.as_of - o.due_on as days_past_due
    from overdue_rows as o
    asof left join payment_events as e
        on e.payment_id = o.payment_id and o.as_of >= e.occurred_on
),

overdue_by_date as (
    select customer_id, as_of, sum(outstanding) as overdue_amount, max(days_past_due) as max_dpd
    from overdue_spans
    where outstanding > 0
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
        (sum(coalesce(c.due_payments, 0)) over running)::integer as due_payments_12m,
        coalesce(c.written_off, 0)::double as written_off,
        coalesce(c.recovered, 0)::double as recovered
    from customers_since as s
    inner join month_grid as g on g.as_of >= s.first_grid
    left join changes_by_date as c on c.customer_id = s.customer_id and c.as_of = g.as_of
    left join overdue_by_date as o on o.customer_id = s.customer_id and o.as_of = g.as_of
    window running as (partition by s.customer_id order by g.as_of)
)

select * from final
