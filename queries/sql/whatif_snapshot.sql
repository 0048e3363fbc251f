-- whatif_snapshot: one row per customer at $as_of (within the segment/region/industry filters)
-- with the figures the current policy gave it: exposure, collateral, limit (money), score (0-100),
-- grade, band, PD and LGD (0-1), the segment's unsecured LGD (lgd_calibration), default status,
-- expected loss (money), watchlist flag and triggers.
-- Params: $as_of, $segments, $regions, $industries (empty list = all).
with final as (
    select
        customer_id,
        name,
        segment,
        region,
        industry,
        exposure,
        collateral,
        credit_limit,
        max_dpd,
        score,
        grade,
        band,
        pd,
        lgd,
        l.lgd_unsecured_used as lgd_unsecured,
        defaulted,
        expected_loss,
        on_watchlist,
        triggers
    from customer_month
    inner join lgd_calibration as l using (segment)
    where as_of = $as_of
        and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
        and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
        and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
)

select * from final
order by customer_id
