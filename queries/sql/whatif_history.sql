-- whatif_history: one row per customer per grid date (all of customer_month, every as-of the build
-- made): what the what-if simulator needs to re-score history. Factor scores 0-100; max_dpd in
-- days; other_trigger: a watchlist trigger fired that the simulator does not re-evaluate (anything
-- but overdue and downgrade); default_12m: in default at a later grid date within 12 months (the
-- build's outcome); pd_observation: a month-end row not in default whose 12 months are over by the
-- last grid date (what pd_calibration counts); earlier_on: the month-end $downgrade_months before,
-- the grade the downgrade trigger compares with. Params: $downgrade_months. PD calibration and
-- downgrades need the whole history.
with final as (
    select
        customer_id,
        as_of,
        dpd_score,
        late_score,
        rating_score,
        utilisation_score,
        operational_score,
        legal_score,
        max_dpd,
        defaulted,
        len(list_filter(triggers, lambda code: code not in ('overdue', 'downgrade'))) > 0
            as other_trigger,
        default_12m,
        as_of = last_day(as_of)
            and not defaulted
            and last_day(as_of + interval 12 month) <= (select max(as_of) from month_grid)
            as pd_observation,
        last_day(as_of - to_months($downgrade_months)) as earlier_on
    from customer_month
)

select * from final
order by customer_id, as_of
