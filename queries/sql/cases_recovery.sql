-- Case studies: one row per month-end of month_grid: amounts (money) that became 90+ days past due
-- in the month, what was paid or recovered on them within $window_months months of that day, the
-- recovery rate (0-1; null when nothing became 90+ or while the cohort's window is still open), and
-- the recoveries (adjustments of kind recovery) dated in the month (money).
-- Params: $window_months, $segments, $regions, $industries (lists; empty = all).
-- An instalment becomes 90+ on due_on + 91 when it is still (partly) unpaid then and its contract is
-- counted that day (started, not terminated/completed before it): the amount that became 90+ is its
-- outstanding that day; recovered is what was paid on it afterwards plus the recoveries recorded
-- on it after its write-off (a payment arriving after the write-off is recorded as a recovery, not
-- as a payment), both within $window_months months of becoming 90+ and by the last grid date, at
-- most what became 90+. Every cohort gets the same window, so an older cohort does not look better
-- only for having had longer to recover: a cohort's rate is shown once its month-end plus the
-- window is on or before the last grid date.
with bounds as (
    select min(as_of) as first_on, max(as_of) as last_on from month_grid
),

row_recoveries as (
    select adjustments.payment_id, sum(adjustments.amount) as recovered
    from adjustments
    inner join payments on payments.payment_id = adjustments.payment_id
    cross join bounds
    where adjustments.kind = 'recovery'
      and adjustments.occurred_on <= bounds.last_on
      and adjustments.occurred_on <= payments.due_on + 91 + to_months($window_months)
    group by 1
),

instalments as (
    select
        payments.due_on + 91 as crossed_on,
        greatest(
            payments.amount_due
            - case when payments.paid_on <= payments.due_on + 90 then payments.amount_paid else 0 end,
            0
        ) as became_90,
        case
            when payments.paid_on > payments.due_on + 90 and payments.paid_on <= bounds.last_on
                and payments.paid_on <= payments.due_on + 91 + to_months($window_months)
                then least(payments.amount_paid, payments.amount_due)
            else 0
        end + coalesce(row_recoveries.recovered, 0) as recovered
    from payments
    left join row_recoveries on row_recoveries.payment_id = payments.payment_id
    inner join contracts on contracts.contract_id = payments.contract_id
    inner join customers on customers.customer_id = contracts.customer_id
    cross join bounds
    where payments.due_on + 91 <= bounds.last_on
      and contracts.start_on <= payments.due_on + 91
      and not (contracts.status in ('terminated', 'completed') and contracts.end_on < payments.due_on + 91)
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], customers.segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], customers.region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], customers.industry))
),

cohorts as (
    select
        last_day(crossed_on) as as_of,
        sum(became_90) as became_90,
        sum(least(recovered, became_90)) as recovered
    from instalments
    where became_90 > 0
    group by 1
),

dated_recoveries as (
    select last_day(adjustments.occurred_on) as as_of, sum(adjustments.amount) as recoveries
    from adjustments
    inner join payments on payments.payment_id = adjustments.payment_id
    inner join contracts on contracts.contract_id = payments.contract_id
    inner join customers on customers.customer_id = contracts.customer_id
    where adjustments.kind = 'recovery'
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], customers.segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], customers.region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], customers.industry))
    group by 1
),

final as (
    select
        grid.as_of,
        coalesce(cohorts.became_90, 0) as became_90,
        coalesce(cohorts.recovered, 0) as recovered,
        case
            when last_day(grid.as_of + to_months($window_months)) <= bounds.last_on
                then cohorts.recovered / nullif(cohorts.became_90, 0)
        end as recovery_rate,
        coalesce(dated_recoveries.recoveries, 0) as recoveries
    from month_grid as grid
    cross join bounds
    left join cohorts on cohorts.as_of = grid.as_of
    left join dated_recoveries on dated_recoveries.as_of = grid.as_of
    where day(grid.as_of + 1) = 1
)

select * from final order by as_of
