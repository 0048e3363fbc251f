-- One row: the latest recorded activity (payment made, invoice issued, adjustment booked, credit
-- review, risk event, contract signed), null when none. No params. The default as-of date of a build
-- is the last month-end on or before it.
with final as (
    select greatest(
        (select max(paid_on) from payments),
        (select max(issued_on) from payments),
        (select max(occurred_on) from adjustments),
        (select max(effective_on) from credit_reviews),
        (select max(occurred_on) from risk_events),
        (select max(signed_on) from contracts)
    ) as latest_on
)

select * from final
