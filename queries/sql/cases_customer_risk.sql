-- Case studies: one row per month-end of customer_month for the filtered customers: exposure (money)
-- in total and by band, the shares 0-1 of exposure in each band and with max DPD > 30 / > 90,
-- the share of exposure with defaulted customers and the 30+ share among the others (performing
-- customers), customers at risk of default, new defaults, the monthly default rate (0-1) and
-- write-offs (money). Params: $segments, $regions, $industries (lists; empty = all).
-- A customer is at risk at t when it had a row at the previous month-end and was not defaulted
-- there; a new default is an at-risk customer defaulted at t. Write-offs: the exposure at t of every
-- customer defaulted at t and not at the previous month-end (or without one) - the balance a
-- lender would write off in the month of default.
with month_rows as (
    select
        customer_id,
        as_of,
        segment,
        region,
        industry,
        exposure,
        max_dpd,
        band,
        defaulted,
        written_off,
        -- customer_month rows run without gaps from a customer's first grid date, so the previous
        -- month-end row is the previous one here
        lag(defaulted) over (partition by customer_id order by as_of) as defaulted_before
    from customer_month
    where day(as_of + 1) = 1
),

filtered as (
    select *
    from month_rows
    where (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
),

monthly as (
    select
        as_of,
        count(*) as customers,
        sum(exposure) as exposure,
        coalesce(sum(exposure) filter (where band = 'Low'), 0) as exposure_low,
        coalesce(sum(exposure) filter (where band = 'Medium'), 0) as exposure_medium,
        coalesce(sum(exposure) filter (where band = 'High'), 0) as exposure_high,
        coalesce(sum(exposure) filter (where max_dpd > 30), 0) as exposure_dpd_30,
        coalesce(sum(exposure) filter (where max_dpd > 90), 0) as exposure_dpd_90,
        coalesce(sum(exposure) filter (where defaulted), 0) as exposure_defaulted,
        coalesce(sum(exposure) filter (where not defaulted and max_dpd > 30), 0) as performing_dpd_30,
        count(*) filter (where defaulted_before = false) as customers_at_risk,
        count(*) filter (where defaulted_before = false and defaulted) as new_defaults,
        coalesce(sum(written_off), 0) as write_offs
    from filtered
    group by as_of
),

final as (
    select
        as_of,
        customers,
        exposure,
        exposure_low,
        exposure_medium,
        exposure_high,
        exposure_low / nullif(exposure, 0) as low_share,
        exposure_medium / nullif(exposure, 0) as medium_share,
        exposure_high / nullif(exposure, 0) as high_share,
        exposure_dpd_30 / nullif(exposure, 0) as overdue_30_share,
        exposure_dpd_90 / nullif(exposure, 0) as overdue_90_share,
        exposure_defaulted / nullif(exposure, 0) as defaulted_share,
        performing_dpd_30 / nullif(exposure - exposure_defaulted, 0) as performing_30_share,
        customers_at_risk,
        new_defaults,
        new_defaults / nullif(customers_at_risk, 0) as default_rate,
        write_offs
    from monthly
)

select * from final order by as_of
