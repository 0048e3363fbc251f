-- provision_matrix: one row per grid date x segment x region x industry x aging bucket with a
-- receivable balance: the IFRS 9 provision matrix of the simplified approach, additive over
-- region and industry. balance and allowance (money, decimal: the sums of receivable_ecl's cents);
-- historical_loss_rate (the segment's), forward_looking_factor (the industry's) and loss_rate
-- (0-1) are the same for every customer of the row. No params.
create or replace table provision_matrix as
select
    as_of,
    segment,
    region,
    industry,
    bucket,
    any_value(dpd_from) as dpd_from,
    any_value(dpd_to) as dpd_to,
    sum(balance)::decimal(18, 2) as balance,
    any_value(historical_loss_rate) as historical_loss_rate,
    any_value(forward_looking_factor) as forward_looking_factor,
    any_value(loss_rate) as loss_rate,
    sum(allowance)::decimal(18, 2) as allowance,
    count(*) as customers
from receivable_ecl
group by as_of, segment, region, industry, bucket
order by as_of, segment, region, industry, bucket
