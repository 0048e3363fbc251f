-- ecl_month: one row per grid date per provisioning unit with a gross carrying amount: a customer's
-- receivables (every contract kind but loans; approach simplified, contract_id null) or one loan
-- contract (approach general). gross_carrying_amount and allowance (money, decimal(18,2): sums are
-- exact); stage: simplified (lifetime ECL by the provision matrix), stage_1, stage_2, stage_3;
-- stage_reason: simplified, performing, dpd_backstop, downgrade, watchlist, probation, in_default;
-- stage_triggers: every stage-2 trigger firing (loans). Loans carry grade, 12-month PD, the PD over
-- their horizon, LGD and the rate they are discounted at (null: not discounted); receivables their
-- worst aging bucket. No params.
create or replace table ecl_month as
with receivables as (
    select
        as_of,
        customer_id,
        null::varchar as contract_id,
        'simplified' as approach,
        any_value(segment) as segment,
        any_value(region) as region,
        any_value(industry) as industry,
        'simplified' as stage,
        'simplified' as stage_reason,
        []::varchar[] as stage_triggers,
        sum(balance)::decimal(18, 2) as gross_carrying_amount,
        sum(allowance)::decimal(18, 2) as allowance,
        max(bucket)::bigint as worst_bucket,
        null::varchar as grade,
        null::double as grade_pd,
        null::double as pd_horizon,
        null::double as lgd,
        null::bigint as horizon_months,
        null::double as interest_rate
    from receivable_ecl
    group by as_of, customer_id
),

loans as (
    select
        as_of,
        customer_id,
        contract_id,
        'general' as approach,
        segment,
        region,
        industry,
        'stage_' || stage as stage,
        stage_reason,
        stage_triggers,
        ead as gross_carrying_amount,
        allowance,
        null::bigint as worst_bucket,
        grade,
        grade_pd,
        pd_horizon,
        lgd,
        horizon_months::bigint as horizon_months,
        interest_rate
    from loan_ecl
),

final as (
    select * from receivables
    union all by name
    select * from loans
)

select * from final order by as_of, customer_id, contract_id nulls first
