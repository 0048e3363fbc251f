-- load_touched += the customers of every credit_reviews row the upsert of `staged` added or changed
-- (the customer before and after), against change_before (load_snapshot_credit_reviews). change_on: the
-- earlier of the old and new effective_on (a row counts from that date on). No params.
insert into load_touched
with after as (
    select t.*
    from credit_reviews as t
    semi join staged as s on s.review_id = t.review_id
),

changed as (
    select review_id from (select * from after except select * from change_before)
    union
    select review_id from (select * from change_before except select * from after)
),

pairs as (
    select
        a.customer_id as new_customer,
        b.customer_id as old_customer,
        least(a.effective_on, b.effective_on) as change_on
    from changed as k
    inner join after as a on a.review_id = k.review_id
    left join change_before as b on b.review_id = k.review_id
)

select 'credit_reviews' as source, new_customer as customer_id, change_on from pairs
union
select 'credit_reviews', old_customer, change_on from pairs where old_customer is not null
