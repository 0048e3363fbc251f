-- receivable_aging (internal to the provisions build): one row per receivable payment row (every
-- contract kind but loans: the simplified approach of IFRS 9 §5.5.15) per balance date it owes
-- something at: each grid date and the month-end before the first one. Money, days.
-- A row is a receivable from billed_on (payment_book) until settled_on, as in collections_month;
-- outstanding = what it owes after its last payment_events change on or before as_of.
-- bucket: 0 = current (DPD <= 0), then one bucket per $prov_edges edge the DPD is above (with the
-- shipped edges 0, 30, 60, 90: 1 = 1-30, 2 = 31-60, 3 = 61-90, 4 = 90+). bucket_before: the row's
-- bucket at the previous balance date (null when not billed then). Params: prov_edges.
create or replace table receivable_aging as
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
    select prev_as_of, null from grid where as_of = (select min(as_of) from grid)
),

payment_rows as (
    select
        book.payment_id,
        book.customer_id,
        customers.segment,
        customers.region,
        customers.industry,
        book.due_on,
        book.due::double as amount_due,
        book.billed_on,
        book.settled_on
    from payment_book as book
    inner join customers on customers.customer_id = book.customer_id
    where book.contract_kind <> 'loan'
),

row_dates as (
    select dates.as_of, dates.prev_as_of, payment.*
    from payment_rows as payment
    inner join balance_dates as dates
        on dates.as_of >= payment.billed_on
        and dates.as_of < coalesce(payment.settled_on, date '9999-12-31')
),

balances as (
    select
        r.as_of,
        r.payment_id,
        r.customer_id,
        r.segment,
        r.region,
        r.industry,
        coalesce(e.owed_after::double, r.amount_due) as outstanding,
        r.as_of - r.due_on as dpd,
        case when r.prev_as_of is not null and r.billed_on <= r.prev_as_of
            then r.prev_as_of - r.due_on end as dpd_before
    from row_dates as r
    asof left join payment_events as e
        on e.payment_id = r.payment_id and r.as_of >= e.occurred_on
),

final as (
    select
        as_of,
        payment_id,
        customer_id,
        segment,
        region,
        industry,
        outstanding,
        dpd,
        len([edge for edge in $prov_edges::integer[] if dpd > edge]) as bucket,
        case when dpd_before is not null
            then len([edge for edge in $prov_edges::integer[] if dpd_before > edge]) end
            as bucket_before
    from balances
    where outstanding > 0
)

select * from final order by as_of, customer_id, payment_id
