-- Grade migration of the filtered portfolio between $from_date and $to_date: one row per
-- (from_grade, to_grade) with the customers graded so at both dates (present at both).
-- Params: $from_date, $to_date, $segments, $regions, $industries.
with start as (
    select customer_id, grade
    from customer_month
    where as_of = $from_date::date
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
),

finish as (
    select customer_id, grade from customer_month where as_of = $to_date::date
),

final as (
    select s.grade as from_grade, f.grade as to_grade, count(*) as customers
    from start as s
    join finish as f on f.customer_id = s.customer_id
    group by s.grade, f.grade
)

select * from final order by from_grade, to_grade
