-- month_exposure: one row per grid date with customer rows: the portfolio's exposure then (money),
-- the denominator of customer_month.exposure_share. Its own step, so an incremental build that
-- recomputes a few customers (data.incremental) divides by the whole portfolio's total. Summed as
-- decimals (exposure is money, whole cents), so the total is exact and the same in every build,
-- whatever order the rows are added in. No params.
create or replace table month_exposure as
select as_of, sum(exposure::decimal(38, 6))::double as exposure
from cm_scores
group by as_of
order by as_of
