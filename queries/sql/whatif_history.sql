-- whatif_history: one row per customer per grid date (all of customer_month, every as-of the build
-- made): what the what-if simulator needs to re-score history. Factor scores 0-100; max_dpd in
-- days; other_trigger: a watchlist trigger fired that the simulator does not re-evaluate (anything
-- but overdue and downgrade). No params: PD calibration and downgrades need the whole history.
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
            as other_trigger
    from customer_month
)

select * from final
order by customer_id, as_of
