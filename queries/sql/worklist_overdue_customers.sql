-- worklist_overdue_customers: one row per customer with an overdue amount at $as_of (customer_month),
-- with its receivables aged by days past due at $as_of (rows billed by then that still owe:
-- payment_book, payment_events) and its DSO figures over the 90 days to $as_of (money in the
-- reporting currency, days):
--   dso                     = receivables / credit_sales_90d * 90
--   best_possible_dso       = current_receivables / credit_sales_90d * 90
--   average_days_delinquent = dso - best_possible_dso (= overdue receivables / credit_sales_90d * 90)
-- each null when nothing was billed in the 90 days. Unranked: queries/worklist.py ranks.
-- Params: $as_of, $regions, $segments, $industries (empty: no filter).
with members as (
    select
        customer_id, name, region, segment, industry, owner, grade, exposure, expected_loss,
        overdue_amount, max_dpd
    from customer_month
    where as_of = $as_of::date
      and overdue_amount > 0
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
),

book as (
    select
        b.customer_id, b.payment_id, b.due_on, b.billed_on, b.settled_on,
        b.due::double as amount_due, $as_of::date as as_of
    from payment_book as b
    semi join members on members.customer_id = b.customer_id
),

balances as (
    -- what each row billed by as_of still owes then, and its days past due
    select
        r.customer_id,
        coalesce(e.owed_after::double, r.amount_due) as outstanding,
        r.as_of - r.due_on as dpd
    from book as r
    asof left join payment_events as e
        on e.payment_id = r.payment_id and r.as_of >= e.occurred_on
    where r.billed_on <= r.as_of and (r.settled_on is null or r.settled_on > r.as_of)
),

aging as (
    select
        customer_id,
        sum(outstanding) as receivables,
        coalesce(sum(outstanding) filter (where dpd <= 0), 0) as current_receivables,
        coalesce(sum(outstanding) filter (where dpd between 1 and 30), 0) as overdue_1_30,
        coalesce(sum(outstanding) filter (where dpd between 31 and 60), 0) as overdue_31_60,
        coalesce(sum(outstanding) filter (where dpd between 61 and 90), 0) as overdue_61_90,
        coalesce(sum(outstanding) filter (where dpd > 90), 0) as overdue_90p
    from balances
    group by customer_id
),

sales as (
    select customer_id, sum(amount_due) as credit_sales_90d
    from book
    where billed_on > as_of - 90 and billed_on <= as_of
    group by customer_id
),

figures as (
    select
        m.*,
        coalesce(a.receivables, 0) as receivables,
        coalesce(a.current_receivables, 0) as current_receivables,
        coalesce(a.overdue_1_30, 0) as overdue_1_30,
        coalesce(a.overdue_31_60, 0) as overdue_31_60,
        coalesce(a.overdue_61_90, 0) as overdue_61_90,
        coalesce(a.overdue_90p, 0) as overdue_90p,
        coalesce(s.credit_sales_90d, 0) as credit_sales_90d
    from members as m
    left join aging as a on a.customer_id = m.customer_id
    left join sales as s on s.customer_id = m.customer_id
),

final as (
    select
        *,
        case when credit_sales_90d > 0 then receivables / credit_sales_90d * 90 end as dso,
        case when credit_sales_90d > 0 then current_receivables / credit_sales_90d * 90 end
            as best_possible_dso,
        case when credit_sales_90d > 0
            then (receivables - current_receivables) / credit_sales_90d * 90 end
            as average_days_delinquent
    from figures
)

select * from final
order by customer_id
