-- The currency each stored contract named in $contract_ids is written in, for those not in the
-- reporting currency $reporting (a contract not returned is in the reporting currency or unknown).
-- Params: contract_ids, reporting.
select contract_id, currency
from contracts
where contract_id in (select unnest($contract_ids::varchar[]))
    and currency <> $reporting
