-- load_touched += the customers whose row the upsert of `staged` added or changed (against
-- change_before, load_snapshot_customers). A customer's attributes (segment, region, limit, ...)
-- count in every month: change_on 0001-01-01. No params.
insert into load_touched
with after as (
    select t.*
    from customers as t
    semi join staged as s on s.customer_id = t.customer_id
),

changed as (
    select customer_id from (select * from after except select * from change_before)
    union
    select customer_id from (select * from change_before except select * from after)
)

select 'customers' as source, customer_id, date '0001-01-01' as change_on
from changed
