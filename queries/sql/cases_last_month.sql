-- Case studies: what moved in one month, for the note beside a jump in the last month. One row:
-- customers that went more than 30 days past due at $as_of (max DPD > 30 there, <= 30 or no row at
-- $previous), their exposure (money) and how many of them have a part-paid instalment more than 30
-- days past due still owed at $as_of; customers entering default at $as_of (not defaulted at
-- $previous) and the largest one's exposure (money); what was written off in the month and the
-- largest customer's share of it (money). Params: $as_of, $previous (month-ends), $segments,
-- $regions, $industries (lists; empty = all).
with now_rows as (
    select customer_id, exposure, max_dpd, defaulted, written_off
    from customer_month
    where as_of = $as_of
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
),

moved as (
    select
        now_rows.*,
        coalesce(before_rows.max_dpd, 0) as dpd_before,
        before_rows.defaulted as defaulted_before
    from now_rows
    left join customer_month as before_rows
        on before_rows.customer_id = now_rows.customer_id and before_rows.as_of = $previous
),

part_paid as (
    -- an instalment partly paid on or before $as_of, due more than 30 days before it, still owed
    select distinct book.customer_id
    from payment_book as book
    inner join payments on payments.payment_id = book.payment_id
    where payments.amount_paid > 0
      and payments.paid_on <= $as_of
      and book.due_on < $as_of - 30
      and (book.settled_on is null or book.settled_on > $as_of)
),

final as (
    select
        count(*) filter (where max_dpd > 30 and dpd_before <= 30) as new_30,
        coalesce(sum(exposure) filter (where max_dpd > 30 and dpd_before <= 30), 0) as new_30_exposure,
        count(*) filter (
            where max_dpd > 30 and dpd_before <= 30
              and customer_id in (select customer_id from part_paid)
        ) as new_30_part_paid,
        count(*) filter (where defaulted and defaulted_before = false) as new_defaults,
        coalesce(max(exposure) filter (where defaulted and defaulted_before = false), 0) as largest_default,
        coalesce(sum(written_off), 0) as written_off,
        coalesce(max(written_off), 0) as largest_write_off
    from moved
)

select * from final
