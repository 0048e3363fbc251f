-- Case studies: one row per month-end of collections_month for the filtered portfolio: receivables
-- (money), collection rate (0-1), overdue amounts by days-past-due bucket as shares 0-1 of
-- receivables, and DSO (days). Params: $segments, $regions, $industries (lists; empty = all).
-- The ratios are those of data/sql/build_collections_month.sql, taken on sums over the matching
-- segment x region x industry rows (a ratio of sums, not an average of ratios).
with filtered as (
    select *
    from collections_month
    where day(as_of + 1) = 1
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
),

sums as (
    select
        as_of,
        sum(receivables) as receivables,
        sum(overdue_1_30) as overdue_1_30,
        sum(overdue_31_60) as overdue_31_60,
        sum(overdue_61_90) as overdue_61_90,
        sum(overdue_90p) as overdue_90p,
        sum(collected) as collected,
        sum(opening_overdue + due_in_period) as collectable,
        sum(credit_sales_90d) as credit_sales_90d
    from filtered
    group by as_of
),

final as (
    select
        as_of,
        receivables,
        collected / nullif(collectable, 0) as collection_rate,
        overdue_1_30 / nullif(receivables, 0) as overdue_1_30_share,
        overdue_31_60 / nullif(receivables, 0) as overdue_31_60_share,
        overdue_61_90 / nullif(receivables, 0) as overdue_61_90_share,
        overdue_90p / nullif(receivables, 0) as overdue_90p_share,
        receivables / nullif(credit_sales_90d, 0) * 90 as dso
    from sums
)

select * from final order by as_of
