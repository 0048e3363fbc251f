-- The keys of the rows a spare file takes from the current one (data.delta.catch_up): the noted
-- customers (temporary table delta_customers, made by the caller), their contracts and those
-- contracts' payments in either file (main: the spare, cur: the current file, attached read-only),
-- so that a contract or payment that moved between customers is taken whole; and the loads the
-- current file has that the spare lacks. Temporary tables, dropped by the caller. No params.
create or replace temp table delta_contracts as
select contract_id from main.contracts
where customer_id in (select customer_id from delta_customers)
union
select contract_id from cur.contracts
where customer_id in (select customer_id from delta_customers);

create or replace temp table delta_payments as
select payment_id from main.payments
where contract_id in (select contract_id from delta_contracts)
union
select payment_id from cur.payments
where contract_id in (select contract_id from delta_contracts);

create or replace temp table delta_loads as
select load_id from cur.load_history
except
select load_id from main.load_history;
