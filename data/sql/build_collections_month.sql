-- collections_month: one row per grid date (as_of) x segment x region x industry with any receivable,
-- flow or opening balance (absent combinations are all zero). No params. Money amounts, all ADDITIVE,
-- so pages filter and re-aggregate before taking ratios. Ratios the query layer applies:
--   collection_rate = collected / (opening_overdue + due_in_period)
--   DSO (days)      = receivables / credit_sales_90d * 90
--   CEI (0-100)     = (opening_receivables + credit_sales - receivables)
--                     / (opening_receivables + credit_sales - current_receivables) * 100
--   roll rate b->b+1 = rolled_to_(b+1) / rolled_from_b
-- A payment row is a receivable from its billed_on (payment_book: issued_on, else due_on -
-- payment_terms_days, not before its contract's start) until it owes nothing (settled_on); what it
-- owes at t = amount_due less its payments, credit notes and write-offs dated <= t (payment_events).
-- It stays a receivable after its contract ends. receivables at t: what rows billed by t owe;
-- current_receivables: those with due_on >= t; overdue buckets by
-- days past due t - due_on: 1-30, 31-60, 61-90, 90p (> 90), amount and row count.
-- Flows over the period (previous grid date, t]: credit_sales (amount_due by billed_on), collected
-- (payments received, as far as they settle what was owed, by date), written_off and credited
-- (write-offs and credit notes by date), recovered (recoveries after write-offs: cash, but not
-- collections of a receivable), due_in_period (amount_due by due_on); credit_sales_90d over
-- (t - 90 days, t]. Identity: opening_receivables + credit_sales - collected - written_off -
-- credited = receivables.
-- opening_* and rolled_from_* are balances at the previous grid date (the month-end before the
-- first grid date for the first row). rolled_to_X: outstanding at t of rows that were in the bucket
-- before X at the previous date and are in X or worse at t (a 31-day month can skip a bucket).
-- Each row is joined only to the dates inside its receivable span [billed_on, settled_on),
-- never to every grid date.
create or replace table collections_month as
with grid as (
    select
        as_of,
        coalesce(
            lag(as_of) over (order by as_of), last_day(cast(as_of - interval 1 month as date))
        ) as prev_as_of
    from month_grid
),

balance_dates as (
    select as_of, prev_as_of from grid
    union all
    -- the opening date of the first period: balances only, no period of its own
    select prev_as_of, null from grid where as_of = (select min(as_of) from grid)
),

payment_rows as (
    select
        book.payment_id,
        customers.segment,
        customers.region,
        customers.industry,
        book.due_on,
        book.due::double as amount_due,
        book.billed_on,
        book.settled_on
    from payment_book as book
    inner join customers on customers.customer_id = book.customer_id
),

row_dates as (
    select
        dates.as_of,
        dates.prev_as_of,
        payment.payment_id,
        payment.segment,
        payment.region,
        payment.industry,
        payment.amount_due,
        payment.due_on,
        payment.billed_on
    from payment_rows as payment
    inner join balance_dates as dates
        on dates.as_of >= payment.billed_on
        and dates.as_of < coalesce(payment.settled_on, date '9999-12-31')
),

row_balances as (
    select
        r.as_of,
        r.prev_as_of,
        r.segment,
        r.region,
        r.industry,
        -- what the row owes after its last change on or before as_of
        coalesce(e.owed_after::double, r.amount_due) as outstanding,
        r.as_of - r.due_on as dpd,
        -- the same row at the previous date: in the book there when billed by then
        -- (its span cannot have ended before as_of)
        r.prev_as_of is not null and r.billed_on <= r.prev_as_of as booked_before,
        r.prev_as_of - r.due_on as dpd_before
    from row_dates as r
    asof left join payment_events as e
        on e.payment_id = r.payment_id and r.as_of >= e.occurred_on
),

row_buckets as (
    select
        *,
        case when dpd <= 0 then 0 when dpd <= 30 then 1 when dpd <= 60 then 2 when dpd <= 90 then 3 else 4 end
            as bucket,
        case
            when not booked_before then null
            when dpd_before <= 0 then 0
            when dpd_before <= 30 then 1
            when dpd_before <= 60 then 2
            when dpd_before <= 90 then 3
            else 4
        end as bucket_before
    from row_balances
),

balances as (
    select
        as_of,
        segment,
        region,
        industry,
        sum(outstanding) as receivables,
        coalesce(sum(outstanding) filter (where bucket = 0), 0) as current_receivables,
        coalesce(sum(outstanding) filter (where bucket = 1), 0) as overdue_1_30,
        coalesce(sum(outstanding) filter (where bucket = 2), 0) as overdue_31_60,
        coalesce(sum(outstanding) filter (where bucket = 3), 0) as overdue_61_90,
        coalesce(sum(outstanding) filter (where bucket = 4), 0) as overdue_90p,
        count(*) filter (where bucket = 0) as count_current,
        count(*) filter (where bucket = 1) as count_1_30,
        count(*) filter (where bucket = 2) as count_31_60,
        count(*) filter (where bucket = 3) as count_61_90,
        count(*) filter (where bucket = 4) as count_90p,
        coalesce(sum(outstanding) filter (where bucket_before = 0 and bucket >= 1), 0) as rolled_to_1_30,
        coalesce(sum(outstanding) filter (where bucket_before = 1 and bucket >= 2), 0) as rolled_to_31_60,
        coalesce(sum(outstanding) filter (where bucket_before = 2 and bucket >= 3), 0) as rolled_to_61_90,
        coalesce(sum(outstanding) filter (where bucket_before = 3 and bucket >= 4), 0) as rolled_to_90p
    from row_buckets
    group by as_of, segment, region, industry
),

daily_flows as (
    -- one day x group grain first, so the period and 90-day joins below stay small
    select
        day, segment, region, industry,
        sum(sales) as sales, sum(collected) as collected, sum(written_off) as written_off,
        sum(credited) as credited, sum(recovered) as recovered, sum(due) as due
    from (
        select billed_on as day, segment, region, industry, amount_due as sales, 0.0 as collected,
            0.0 as written_off, 0.0 as credited, 0.0 as recovered, 0.0 as due
        from payment_rows
        union all
        -- a change before the row is billed (a prepayment) counts when it is billed
        select
            greatest(events.occurred_on, rows.billed_on), rows.segment, rows.region, rows.industry, 0.0,
            case when events.kind = 'payment' then events.amount::double else 0.0 end,
            case when events.kind = 'write_off' then events.amount::double else 0.0 end,
            case when events.kind = 'credit_note' then events.amount::double else 0.0 end,
            0.0, 0.0
        from payment_events as events
        inner join payment_rows as rows on rows.payment_id = events.payment_id
        where events.amount > 0
        union all
        select
            adjustments.occurred_on, rows.segment, rows.region, rows.industry,
            0.0, 0.0, 0.0, 0.0, adjustments.amount, 0.0
        from adjustments
        inner join payment_rows as rows on rows.payment_id = adjustments.payment_id
        where adjustments.kind = 'recovery'
        union all
        select due_on, segment, region, industry, 0.0, 0.0, 0.0, 0.0, 0.0, amount_due
        from payment_rows
    ) as flows
    group by day, segment, region, industry
),

period_flows as (
    select
        grid.as_of,
        daily_flows.segment,
        daily_flows.region,
        daily_flows.industry,
        sum(daily_flows.sales) as credit_sales,
        sum(daily_flows.collected) as collected,
        sum(daily_flows.written_off) as written_off,
        sum(daily_flows.credited) as credited,
        sum(daily_flows.recovered) as recovered,
        sum(daily_flows.due) as due_in_period
    from daily_flows
    inner join grid on daily_flows.day > grid.prev_as_of and daily_flows.day <= grid.as_of
    group by grid.as_of, daily_flows.segment, daily_flows.region, daily_flows.industry
),

sales_90d as (
    select
        grid.as_of,
        daily_flows.segment,
        daily_flows.region,
        daily_flows.industry,
        sum(daily_flows.sales) as credit_sales_90d
    from daily_flows
    inner join grid on daily_flows.day > grid.as_of - 90 and daily_flows.day <= grid.as_of
    group by grid.as_of, daily_flows.segment, daily_flows.region, daily_flows.industry
),

group_dates as (
    select as_of, segment, region, industry from balances semi join grid using (as_of)
    union
    select grid.as_of, balances.segment, balances.region, balances.industry
    from balances
    inner join grid on grid.prev_as_of = balances.as_of
    union
    select as_of, segment, region, industry from period_flows
    union
    select as_of, segment, region, industry from sales_90d
),

final as (
    select
        keys.as_of,
        keys.segment,
        keys.region,
        keys.industry,
        coalesce(closing.receivables, 0.0) as receivables,
        coalesce(closing.current_receivables, 0.0) as current_receivables,
        coalesce(closing.overdue_1_30, 0.0) as overdue_1_30,
        coalesce(closing.overdue_31_60, 0.0) as overdue_31_60,
        coalesce(closing.overdue_61_90, 0.0) as overdue_61_90,
        coalesce(closing.overdue_90p, 0.0) as overdue_90p,
        coalesce(closing.count_current, 0) as count_current,
        coalesce(closing.count_1_30, 0) as count_1_30,
        coalesce(closing.count_31_60, 0) as count_31_60,
        coalesce(closing.count_61_90, 0) as count_61_90,
        coalesce(closing.count_90p, 0) as count_90p,
        coalesce(flows.credit_sales, 0.0) as credit_sales,
        coalesce(sales_90d.credit_sales_90d, 0.0) as credit_sales_90d,
        coalesce(flows.collected, 0.0) as collected,
        coalesce(flows.written_off, 0.0) as written_off,
        coalesce(flows.credited, 0.0) as credited,
        coalesce(flows.recovered, 0.0) as recovered,
        coalesce(flows.due_in_period, 0.0) as due_in_period,
        coalesce(opening.receivables - opening.current_receivables, 0.0) as opening_overdue,
        coalesce(opening.receivables, 0.0) as opening_receivables,
        coalesce(opening.current_receivables, 0.0) as rolled_from_current,
        coalesce(opening.overdue_1_30, 0.0) as rolled_from_1_30,
        coalesce(opening.overdue_31_60, 0.0) as rolled_from_31_60,
        coalesce(opening.overdue_61_90, 0.0) as rolled_from_61_90,
        coalesce(closing.rolled_to_1_30, 0.0) as rolled_to_1_30,
        coalesce(closing.rolled_to_31_60, 0.0) as rolled_to_31_60,
        coalesce(closing.rolled_to_61_90, 0.0) as rolled_to_61_90,
        coalesce(closing.rolled_to_90p, 0.0) as rolled_to_90p
    from group_dates as keys
    inner join grid on grid.as_of = keys.as_of
    left join balances as closing
        on closing.as_of = keys.as_of
        and closing.segment = keys.segment
        and closing.region = keys.region
        and closing.industry = keys.industry
    left join balances as opening
        on opening.as_of = grid.prev_as_of
        and opening.segment = keys.segment
        and opening.region = keys.region
        and opening.industry = keys.industry
    left join period_flows as flows
        on flows.as_of = keys.as_of
        and flows.segment = keys.segment
        and flows.region = keys.region
        and flows.industry = keys.industry
    left join sales_90d
        on sales_90d.as_of = keys.as_of
        and sales_90d.segment = keys.segment
        and sales_90d.region = keys.region
        and sales_90d.industry = keys.industry
)

select * from final
order by as_of, segment, region, industry
