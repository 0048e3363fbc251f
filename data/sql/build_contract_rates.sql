-- contract_rates: one row per contract with its effective interest rate (contracts.interest_rate,
-- a share per year, 0.06 = 6 %; null when not given), the rate a loan's ECL is discounted at.
-- Used when the contracts table has the optional interest_rate column (data/build.py picks
-- build_contract_rates_none otherwise). A negative rate stops the build, naming the column.
-- No params.
create or replace table contract_rates as
select
    contract_id,
    case
        when interest_rate < 0 then error(
            'contracts.interest_rate: negative rate ' || interest_rate::varchar
            || ' on contract ' || contract_id
        )
        else interest_rate::double
    end as interest_rate
from contracts
order by contract_id
