-- Why the receivables' allowance changed from the grid date before $as_of to $as_of, for the
-- filtered portfolio (one row, money): the allowance then and now, balance_effect = the balances'
-- change at the earlier loss rates, sum of (balance now - balance then) x loss rate then, and
-- rate_effect = the loss rates' change on today's balances, sum of balance now x (rate now - rate
-- then), over segment x region x industry x bucket (a combination without a balance at one date
-- takes the other date's rate: no rate change); rounding = the rest (allowances are rounded per
-- customer and bucket). Params: $as_of, $segments, $regions, $industries.
with dates as (
    select max(as_of) filter (where as_of < $as_of::date) as before_on from month_grid
),

filtered as (
    select *
    from provision_matrix
    where as_of in ($as_of::date, (select before_on from dates))
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
),

now as (select * from filtered where as_of = $as_of::date),

earlier as (select * from filtered where as_of = (select before_on from dates)),

paired as (
    select
        coalesce(e.balance, 0)::double as balance_before,
        coalesce(n.balance, 0)::double as balance_now,
        coalesce(e.loss_rate, n.loss_rate) as rate_before,
        coalesce(n.loss_rate, e.loss_rate) as rate_now,
        coalesce(e.allowance, 0)::double as allowance_before,
        coalesce(n.allowance, 0)::double as allowance_now
    from now as n
    full outer join earlier as e
        on e.segment = n.segment
        and e.region = n.region
        and e.industry = n.industry
        and e.bucket = n.bucket
),

final as (
    select
        (select before_on from dates) as before_on,
        coalesce(sum(allowance_before), 0) as allowance_before,
        coalesce(sum(allowance_now), 0) as allowance_now,
        coalesce(sum((balance_now - balance_before) * rate_before), 0) as balance_effect,
        coalesce(sum(balance_now * (rate_now - rate_before)), 0) as rate_effect
    from paired
)

select *, allowance_now - allowance_before - balance_effect - rate_effect as rounding from final
