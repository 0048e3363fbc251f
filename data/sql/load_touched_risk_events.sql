-- load_touched += the customers of every risk_events row the upsert of `staged` added or changed
-- (the customer before and after), against change_before (load_snapshot_risk_events). change_on: the
-- earlier of the old and new occurred_on (a row counts from that date on). No params.
insert into load_touched
with after as (
    select t.*
    from risk_events as t
    semi join staged as s on s.event_id = t.event_id
),

changed as (
    select event_id from (select * from after except select * from change_before)
    union
    select event_id from (select * from change_before except select * from after)
),

pairs as (
    select
        a.customer_id as new_customer,
        b.customer_id as old_customer,
        least(a.occurred_on, b.occurred_on) as change_on
    from changed as k
    inner join after as a on a.event_id = k.event_id
    left join change_before as b on b.event_id = k.event_id
)

select 'risk_events' as source, new_customer as customer_id, change_on from pairs
union
select 'risk_events', old_customer, change_on from pairs where old_customer is not null
