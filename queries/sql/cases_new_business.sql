-- Case studies: one row per month-end of month_grid: contracts signed in the month by the filtered
-- customers (approved ones: not under review), their amount (money), the amount signed with
-- customers in the Medium or High band at the previous month-end (grade C-E), and that share 0-1.
-- Params: $segments, $regions, $industries (lists; empty = all).
-- A customer without a row at the previous month-end (a new customer) counts as not Medium/High.
with signed as (
    select
        last_day(contracts.signed_on) as as_of,
        contracts.amount,
        coalesce(earlier.band in ('Medium', 'High'), false) as risky
    from contracts
    inner join customers on customers.customer_id = contracts.customer_id
    left join customer_month as earlier
        on earlier.customer_id = contracts.customer_id
        and earlier.as_of = date_trunc('month', contracts.signed_on)::date - 1
    where contracts.status <> 'under_review'
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], customers.segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], customers.region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], customers.industry))
),

monthly as (
    select
        as_of,
        count(*) as contracts,
        sum(amount) as amount,
        coalesce(sum(amount) filter (where risky), 0) as amount_medium_high
    from signed
    group by as_of
),

final as (
    select
        grid.as_of,
        coalesce(monthly.contracts, 0) as contracts,
        coalesce(monthly.amount, 0) as amount,
        coalesce(monthly.amount_medium_high, 0) as amount_medium_high,
        monthly.amount_medium_high / nullif(monthly.amount, 0) as medium_high_share
    from month_grid as grid
    left join monthly on monthly.as_of = grid.as_of
    where day(grid.as_of + 1) = 1
)

select * from final order by as_of
