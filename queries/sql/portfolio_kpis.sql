-- Portfolio KPIs at $as_of and at the previous grid date: one row per period ('current', 'previous').
-- Money amounts; EL in default, defaulted customers, cures (defaults ended without a write-off at
-- that date), written_off and recovered in the period ending at that date.
-- Params: $as_of, $segments, $regions, $industries (empty list = all).
with grid as (
    select as_of, lag(as_of) over (order by as_of) as prev_as_of
    from month_grid
    where as_of <= $as_of::date
    qualify row_number() over (order by as_of desc) <= 2
),

dates as (
    select as_of, prev_as_of, case when as_of = $as_of::date then 'current' else 'previous' end as period
    from grid
),

filtered as (
    select cm.*
    from customer_month as cm
    where cm.as_of in (select as_of from dates)
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], cm.segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], cm.region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], cm.industry))
),

final as (
    select
        d.period,
        d.as_of,
        count(f.customer_id) filter (where f.exposure > 0) as customers,
        coalesce(sum(f.exposure), 0) as exposure,
        coalesce(sum(f.expected_loss), 0) as expected_loss,
        -- customers in default carry PD 1: EL = LGD x exposure
        coalesce(sum(f.expected_loss) filter (where f.defaulted), 0) as expected_loss_in_default,
        count(*) filter (where f.defaulted) as defaulted_customers,
        -- defaults that ended at this grid date, and the period's write-offs and recoveries
        count(*) filter (where f.default_exit = 'cured') as cures,
        coalesce(sum(f.written_off), 0) as written_off,
        coalesce(sum(f.recovered), 0) as recovered,
        coalesce(sum(f.exposure) filter (where f.band = 'High'), 0) as high_band_exposure,
        count(*) filter (where f.on_watchlist) as watchlist,
        coalesce(sum(f.overdue_amount) filter (where f.aging_bucket = '90+'), 0) as overdue_90p,
        coalesce(sum(f.overdue_amount), 0) as overdue,
        -- on the watchlist now and not at the grid date before
        count(*) filter (where f.on_watchlist and len(f.previous_triggers) = 0) as new_on_watchlist
    from dates as d
    left join filtered as f on f.as_of = d.as_of
    where d.as_of is not null
    group by d.period, d.as_of
)

select * from final order by as_of desc
