-- rating_migration: one row per from-date (from_as_of, a month-end grid date) x horizon_months
-- (1, 3, 12) x from_grade x to_grade. No params. customers: count of customers graded from_grade at
-- from_as_of and to_grade at to_as_of = last_day(from_as_of + horizon months), present at both dates.
-- Every (from_as_of, horizon) with at least one such customer carries the full 5 x 5 matrix (zeros
-- included), so the page's transition rates = customers / sum(customers) over the from_grade row.
create or replace table rating_migration as
with horizons as (
    select cast(unnest([1, 3, 12]) as bigint) as horizon_months
),

grades as (
    select unnest(['A', 'B', 'C', 'D', 'E']) as grade
),

month_end_rows as (
    select customer_id, as_of, grade
    from customer_month
    -- the extra non-month-end as-of row is a snapshot, not a point on the monthly migration calendar
    where as_of = last_day(as_of)
),

transitions as (
    select
        start.as_of as from_as_of,
        horizons.horizon_months,
        finish.as_of as to_as_of,
        start.grade as from_grade,
        finish.grade as to_grade
    from month_end_rows as start
    cross join horizons
    inner join month_end_rows as finish
        on finish.customer_id = start.customer_id
        and finish.as_of = last_day(cast(start.as_of + to_months(horizons.horizon_months) as date))
),

counts as (
    select from_as_of, horizon_months, to_as_of, from_grade, to_grade, count(*) as customers
    from transitions
    group by from_as_of, horizon_months, to_as_of, from_grade, to_grade
),

periods as (
    select distinct from_as_of, horizon_months, to_as_of from counts
),

final as (
    select
        periods.from_as_of,
        periods.horizon_months,
        periods.to_as_of,
        from_grades.grade as from_grade,
        to_grades.grade as to_grade,
        coalesce(counts.customers, 0) as customers
    from periods
    cross join grades as from_grades
    cross join grades as to_grades
    left join counts
        on counts.from_as_of = periods.from_as_of
        and counts.horizon_months = periods.horizon_months
        and counts.from_grade = from_grades.grade
        and counts.to_grade = to_grades.grade
)

select * from final
order by from_as_of, horizon_months, from_grade, to_grade
