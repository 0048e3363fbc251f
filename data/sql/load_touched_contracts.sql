-- load_touched += the customers of every contract the upsert of `staged` added or changed (the
-- customer before and after, when the contract moved), against change_before
-- (load_snapshot_contracts). A contract's terms and status count in every month: change_on
-- 0001-01-01. No params.
insert into load_touched
with after as (
    select t.*
    from contracts as t
    semi join staged as s on s.contract_id = t.contract_id
),

changed as (
    select * from (select * from after except select * from change_before)
    union all
    select * from (select * from change_before except select * from after)
)

select distinct 'contracts' as source, customer_id, date '0001-01-01' as change_on
from changed
