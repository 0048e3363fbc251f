-- receivable_ecl: one row per grid date x customer x aging bucket the customer's receivables (every
-- contract kind but loans) have a balance in: the lifetime ECL of the simplified approach.
-- balance (money) x loss_rate = allowance, rounded to the cent (decimal, so sums are exact);
-- loss_rate = min(1, historical_loss_rate (provision_loss_rates, the segment's) x
-- forward_looking_factor (the industry's in [provisions.forward_looking], 1 when not listed)).
-- dpd_from / dpd_to: the bucket's days past due (current: null / 0; the last bucket: dpd_to null).
-- Params: prov_edges, flf_industries, flf_factors.
create or replace table receivable_ecl as
with factors as (
    select
        unnest($flf_industries::varchar[]) as industry,
        unnest($flf_factors::double[]) as forward_looking_factor
),

balances as (
    select as_of, customer_id, segment, region, industry, bucket, sum(outstanding) as balance
    from receivable_aging
    where as_of in (select as_of from month_grid)
    group by all
),

final as (
    select
        b.as_of,
        b.customer_id,
        b.segment,
        b.region,
        b.industry,
        b.bucket,
        (case when b.bucket > 0 then list_extract($prov_edges::integer[], b.bucket) + 1 end)::bigint
            as dpd_from,
        list_extract($prov_edges::integer[], b.bucket + 1)::bigint as dpd_to,
        round(b.balance, 2)::decimal(18, 2) as balance,
        r.historical_loss_rate,
        coalesce(f.forward_looking_factor, 1.0) as forward_looking_factor,
        least(1.0, r.historical_loss_rate * coalesce(f.forward_looking_factor, 1.0)) as loss_rate,
        round(
            round(b.balance, 2)
            * least(1.0, r.historical_loss_rate * coalesce(f.forward_looking_factor, 1.0)),
            2
        )::decimal(18, 2) as allowance
    from balances as b
    inner join provision_loss_rates as r
        on r.as_of = b.as_of and r.segment = b.segment and r.bucket = b.bucket
    left join factors as f on f.industry = b.industry
)

select * from final order by as_of, customer_id, bucket
