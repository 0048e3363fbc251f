-- whatif_allowance: one row per provisioning unit at $as_of (ecl_month, within the
-- segment/region/industry filters) with what a what-if scenario needs to re-price it: approach,
-- customer and contract, gross carrying amount and allowance (money), stage and its reason, the
-- stage-2 triggers that fired, and for loans the remaining months of the contract and the rate
-- the ECL is discounted at (loan_ecl). Params: $as_of, $segments, $regions, $industries.
with final as (
    select
        e.approach,
        e.customer_id,
        e.contract_id,
        e.gross_carrying_amount::double as gross_carrying_amount,
        e.allowance::double as allowance,
        e.stage,
        e.stage_reason,
        e.stage_triggers,
        l.remaining_months::bigint as remaining_months,
        e.interest_rate
    from ecl_month as e
    left join loan_ecl as l on l.contract_id = e.contract_id and l.as_of = e.as_of
    where e.as_of = $as_of
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], e.segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], e.region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], e.industry))
)

select * from final order by customer_id, contract_id nulls first
