-- The customers with the largest allowances at $as_of for the filtered portfolio, at most $limit:
-- one row per customer: gross carrying amount and allowance (money) over its receivables and
-- loans, coverage (0-1), its worst stage and the reasons of its units. Params: $as_of, $limit,
-- $segments, $regions, $industries.
with filtered as (
    select *
    from ecl_month
    where as_of = $as_of::date
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
),

by_customer as (
    select
        customer_id,
        sum(gross_carrying_amount)::double as gross_carrying_amount,
        sum(allowance)::double as allowance,
        max(stage) as stage,
        list(distinct stage_reason order by stage_reason) as reasons,
        count(contract_id) as loans
    from filtered
    group by customer_id
),

final as (
    select
        b.customer_id,
        c.name,
        c.segment,
        c.industry,
        b.gross_carrying_amount,
        b.allowance,
        b.allowance / nullif(b.gross_carrying_amount, 0) as coverage,
        b.stage,
        b.reasons::varchar[] as reasons,
        b.loans
    from by_customer as b
    inner join customers as c on c.customer_id = b.customer_id
    where b.allowance > 0
)

select * from final order by allowance desc, customer_id limit $limit
