-- payment_events: one row per dated change in what a payment row owes: a payment received, a
-- write-off or a credit note (recoveries come after a write-off and change nothing owed). No params.
-- Changes of a row are taken in date order (on one day: payment, then credit notes, then write-offs,
-- then by id); each takes at most what the row still owes, so the row never owes less than 0:
-- amount = least(stated amount, owed before), owed_after = owed before - amount (money).
create or replace table payment_events as
with stated as (
    select
        payment_id,
        paid_on as occurred_on,
        'payment' as kind,
        0 as kind_order,
        '' as adjustment_id,
        least(amount_paid, amount_due)::decimal(18, 2) as amount
    from payments
    where paid_on is not null and amount_paid > 0
    union all
    select
        payment_id,
        occurred_on,
        kind,
        case kind when 'credit_note' then 1 else 2 end,
        adjustment_id,
        amount::decimal(18, 2)
    from adjustments
    where kind in ('credit_note', 'write_off')
),

ordered as (
    select
        s.*,
        p.amount_due::decimal(18, 2) as due,
        coalesce(sum(s.amount) over (
            partition by s.payment_id
            order by s.occurred_on, s.kind_order, s.adjustment_id
            rows between unbounded preceding and 1 preceding
        ), 0) as stated_before
    from stated as s
    inner join payments as p on p.payment_id = s.payment_id
),

final as (
    select
        payment_id,
        occurred_on,
        kind,
        adjustment_id,
        least(amount, greatest(due - stated_before, 0)) as amount,
        greatest(due - stated_before - least(amount, greatest(due - stated_before, 0)), 0)
            as owed_after
    from ordered
)

select * from final order by payment_id, occurred_on, adjustment_id
