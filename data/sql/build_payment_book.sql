-- payment_book: one row per payment row with the dates that place it in exposure and receivables.
-- No params. booked_on: the day the row is exposure, = issued_on when stated; otherwise a loan's or
-- lease's scheduled instalment from the contract start, and any other row from its inferred invoice
-- date greatest(due_on - payment_terms_days, start_on). billed_on: the day the row is a receivable,
-- = issued_on, else greatest(due_on - payment_terms_days, start_on), for every kind (so on a book of
-- invoices only, booked_on = billed_on and exposure = receivables). settled_on: the first day it owes
-- nothing (paid, credited or written off; null while it owes). A row stays owed after its contract
-- ends. written_off, credited, recovered: totals of its adjustments (money). is_late: not settled by
-- payments and credit notes on or before due_on.
create or replace table payment_book as
with settled as (
    select
        payment_id,
        min(occurred_on) filter (where owed_after = 0) as settled_on,
        coalesce(sum(amount) filter (where kind = 'write_off'), 0) as written_off,
        coalesce(sum(amount) filter (where kind = 'credit_note'), 0) as credited,
        coalesce(sum(amount) filter (where kind in ('payment', 'credit_note') and occurred_on <= due_on), 0)
            as settled_by_due
    from payment_events
    inner join (select payment_id, due_on from payments) using (payment_id)
    group by payment_id
),

recovered as (
    select payment_id, sum(amount)::decimal(18, 2) as recovered
    from adjustments
    where kind = 'recovery'
    group by payment_id
),

final as (
    select
        p.payment_id,
        p.contract_id,
        k.customer_id,
        k.kind as contract_kind,
        k.start_on,
        coalesce(
            p.issued_on,
            case
                when k.kind in ('loan', 'lease') then k.start_on
                else greatest(p.due_on - k.payment_terms_days, k.start_on)
            end
        ) as booked_on,
        coalesce(p.issued_on, greatest(p.due_on - k.payment_terms_days, k.start_on)) as billed_on,
        p.due_on,
        p.amount_due::decimal(18, 2) as due,
        s.settled_on,
        coalesce(s.written_off, 0)::decimal(18, 2) as written_off,
        coalesce(s.credited, 0)::decimal(18, 2) as credited,
        coalesce(r.recovered, 0)::decimal(18, 2) as recovered,
        coalesce(s.settled_by_due, 0) < p.amount_due::decimal(18, 2) as is_late
    from payments as p
    inner join contracts as k on k.contract_id = p.contract_id
    left join settled as s on s.payment_id = p.payment_id
    left join recovered as r on r.payment_id = p.payment_id
)

select * from final order by payment_id
