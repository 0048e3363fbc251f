-- Keys already in the warehouse that a reference column may point to. Param: $table_name.
select customer_id as id from customers where $table_name = 'customers'
union all
select contract_id as id from contracts where $table_name = 'contracts'
union all
select payment_id as id from payments where $table_name = 'payments'
