-- Collections per grid date up to $as_of (24 months) for the filtered portfolio: aging amounts and
-- counts by bucket, collections, write-offs, credit notes and recoveries (money), collection rate,
-- 90+ share of receivables (0-1), DSO (days), CEI (0-100) and roll rates (0-1) from the additive
-- components of collections_month, summed over the matching segment x region x industry rows before
-- any ratio is taken. Params: $as_of, $segments, $regions, $industries.
with filtered as (
    select *
    from collections_month
    where as_of <= $as_of::date
      -- from the month after the month-end 24 months back: 2026-02-28 minus 24 months is
      -- 2024-02-28, and the grid's 2024-02-29 must not make a 25th month
      and as_of > last_day($as_of::date - interval 24 month)
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
),

sums as (
    select
        as_of,
        sum(receivables) as receivables,
        sum(current_receivables) as current_receivables,
        sum(overdue_1_30) as overdue_1_30,
        sum(overdue_31_60) as overdue_31_60,
        sum(overdue_61_90) as overdue_61_90,
        sum(overdue_90p) as overdue_90p,
        sum(count_current)::bigint as count_current,
        sum(count_1_30)::bigint as count_1_30,
        sum(count_31_60)::bigint as count_31_60,
        sum(count_61_90)::bigint as count_61_90,
        sum(count_90p)::bigint as count_90p,
        sum(credit_sales) as credit_sales,
        sum(credit_sales_90d) as credit_sales_90d,
        sum(collected) as collected,
        sum(written_off) as written_off,
        sum(credited) as credited,
        sum(recovered) as recovered,
        sum(due_in_period) as due_in_period,
        sum(opening_overdue) as opening_overdue,
        sum(opening_receivables) as opening_receivables,
        sum(rolled_from_current) as rolled_from_current,
        sum(rolled_from_1_30) as rolled_from_1_30,
        sum(rolled_from_31_60) as rolled_from_31_60,
        sum(rolled_from_61_90) as rolled_from_61_90,
        sum(rolled_to_1_30) as rolled_to_1_30,
        sum(rolled_to_31_60) as rolled_to_31_60,
        sum(rolled_to_61_90) as rolled_to_61_90,
        sum(rolled_to_90p) as rolled_to_90p
    from filtered
    group by as_of
),

final as (
    select
        as_of,
        receivables,
        current_receivables,
        overdue_1_30,
        overdue_31_60,
        overdue_61_90,
        overdue_90p,
        count_current,
        count_1_30,
        count_31_60,
        count_61_90,
        count_90p,
        collected,
        written_off,
        credited,
        recovered,
        collected / nullif(opening_overdue + due_in_period, 0) as collection_rate,
        -- the one "90+" of every page: receivables more than 90 days past due, share of receivables
        overdue_90p / nullif(receivables, 0) as overdue_90p_share,
        receivables / nullif(credit_sales_90d, 0) * 90 as dso,
        -- what left receivables by being collected, against what could have been (credit notes were
        -- never owed; a write-off was, and counts as not collected)
        (opening_receivables + credit_sales - receivables - written_off - credited)
            / nullif(opening_receivables + credit_sales - credited - current_receivables, 0) * 100
            as cei,
        -- the amounts a roll rate is a share of, so a 100 % on a few yuan can be read as such
        rolled_from_current,
        rolled_from_1_30,
        rolled_from_31_60,
        rolled_from_61_90,
        rolled_to_1_30 / nullif(rolled_from_current, 0) as roll_current_1_30,
        rolled_to_31_60 / nullif(rolled_from_1_30, 0) as roll_1_30_31_60,
        rolled_to_61_90 / nullif(rolled_from_31_60, 0) as roll_31_60_61_90,
        rolled_to_90p / nullif(rolled_from_61_90, 0) as roll_61_90_90p
    from sums
)

select * from final order by as_of
