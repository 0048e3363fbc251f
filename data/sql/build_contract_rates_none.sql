-- contract_rates when the contracts table has no interest_rate column: every rate null (no
-- discounting). No params.
create or replace table contract_rates as
select contract_id, null::double as interest_rate
from contracts
order by contract_id
