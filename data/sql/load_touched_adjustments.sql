-- load_touched += the customers of every adjustment the upsert of `staged` added or changed,
-- against change_before (load_snapshot_adjustments), through its payment row and contract before
-- and after. change_on: the earlier of the old and new occurred_on while the adjustment stays on
-- its payment row, else 0001-01-01. No params.
insert into load_touched
with after as (
    select t.*
    from adjustments as t
    semi join staged as s on s.adjustment_id = t.adjustment_id
),

changed as (
    select adjustment_id from (select * from after except select * from change_before)
    union
    select adjustment_id from (select * from change_before except select * from after)
),

pairs as (
    select
        a.payment_id as new_payment,
        b.payment_id as old_payment,
        case
            when b.adjustment_id is null or a.payment_id = b.payment_id
                then least(a.occurred_on, b.occurred_on)
            else date '0001-01-01'
        end as change_on
    from changed as k
    inner join after as a on a.adjustment_id = k.adjustment_id
    left join change_before as b on b.adjustment_id = k.adjustment_id
),

payment_changes as (
    select new_payment as payment_id, change_on from pairs
    union
    select old_payment, change_on from pairs where old_payment is not null
)

select distinct 'adjustments' as source, c.customer_id, x.change_on
from payment_changes as x
inner join payments as p on p.payment_id = x.payment_id
inner join contracts as c on c.contract_id = p.contract_id
