-- The provision matrix at $as_of for the filtered portfolio: one row per segment x aging bucket
-- with a balance: balance and allowance (money), the segment's historical loss rate, the effective
-- forward-looking factor (balance-weighted over the industries), the loss rate applied (0-1) and
-- customers. Params: $as_of, $segments, $regions, $industries.
with filtered as (
    select *
    from provision_matrix
    where as_of = $as_of::date
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
),

final as (
    select
        segment,
        bucket,
        any_value(dpd_from) as dpd_from,
        any_value(dpd_to) as dpd_to,
        sum(balance)::double as balance,
        sum(allowance)::double as allowance,
        any_value(historical_loss_rate) as historical_loss_rate,
        coalesce(
            sum(balance::double * forward_looking_factor) / nullif(sum(balance::double), 0), 1.0
        ) as forward_looking_factor,
        coalesce(
            sum(balance::double * loss_rate) / nullif(sum(balance::double), 0), 0.0
        ) as loss_rate,
        sum(customers)::bigint as customers
    from filtered
    group by segment, bucket
)

select * from final order by segment, bucket
