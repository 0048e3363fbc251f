-- build_scope.<source>: the source rows of the customers in load_touched, for an incremental build
-- (data.incremental): the build's per-customer steps run on them with build_scope first on the
-- search path, and their rows replace those customers' rows in main. Payments through their
-- contract, adjustments through their payment. The schema build_scope exists (the caller made it).
-- No params.
create table build_scope.customers as
select * from main.customers
where customer_id in (select customer_id from load_touched);

create table build_scope.contracts as
select * from main.contracts
where customer_id in (select customer_id from build_scope.customers);

create table build_scope.payments as
select * from main.payments
where contract_id in (select contract_id from build_scope.contracts);

create table build_scope.adjustments as
select * from main.adjustments
where payment_id in (select payment_id from build_scope.payments);

create table build_scope.credit_reviews as
select * from main.credit_reviews
where customer_id in (select customer_id from build_scope.customers);

create table build_scope.risk_events as
select * from main.risk_events
where customer_id in (select customer_id from build_scope.customers);
