-- load_touched += the customers of every payment row the upsert of `staged` added or changed,
-- against change_before (load_snapshot_payments), through the row's contract before and after.
-- change_on: when only the payment (paid_on, amount_paid) changed, the earlier of the old and new
-- paid_on (9999-12-31 when neither is set: an unpaid row's amount_paid moves nothing); for a new
-- row with an issue date, the earliest of issued_on, due_on and paid_on; otherwise (a new row
-- without issued_on, whose exposure starts from its contract's terms, or a changed contract, due
-- date, amount or issue date) 0001-01-01. No params.
insert into load_touched
with after as (
    select t.*
    from payments as t
    semi join staged as s on s.payment_id = t.payment_id
),

changed as (
    select payment_id from (select * from after except select * from change_before)
    union
    select payment_id from (select * from change_before except select * from after)
),

pairs as (
    select
        a.contract_id as new_contract,
        b.contract_id as old_contract,
        case
            when b.payment_id is null and a.issued_on is not null
                then least(a.issued_on, a.due_on, a.paid_on)
            when b.payment_id is null then date '0001-01-01'
            when
                a.contract_id = b.contract_id
                and a.due_on = b.due_on
                and a.amount_due = b.amount_due
                and a.issued_on is not distinct from b.issued_on
                then coalesce(least(a.paid_on, b.paid_on), date '9999-12-31')
            else date '0001-01-01'
        end as change_on
    from changed as k
    inner join after as a on a.payment_id = k.payment_id
    left join change_before as b on b.payment_id = k.payment_id
),

contract_changes as (
    select new_contract as contract_id, change_on from pairs
    union
    select old_contract, change_on from pairs where old_contract is not null
)

select distinct 'payments' as source, c.customer_id, x.change_on
from contract_changes as x
inner join contracts as c on c.contract_id = x.contract_id
