-- The [provisions] entries of the policy in force (policy_in_force), key without the
-- 'provisions.' prefix and its text value, and how many loans carry an interest rate their ECL is
-- discounted at (contract_rates). No params.
select
    substr(key, length('provisions.') + 1) as key,
    value,
    (select count(*) from contract_rates where interest_rate is not null) as rated_contracts
from policy_in_force
where key like 'provisions.%'
order by key
