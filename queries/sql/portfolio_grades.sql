-- Customers and exposure by grade at $as_of; one row per grade A-E (zeros included). Every customer
-- with a row at $as_of counts (as on What-if): `customers` those with exposure, `customers_no_exposure`
-- those without (graded all the same), so the two add up to every customer in the filter.
-- Params: $as_of, $segments, $regions, $industries.
with grades as (
    select unnest(['A', 'B', 'C', 'D', 'E']) as grade
),

filtered as (
    select grade, exposure, expected_loss
    from customer_month
    where as_of = $as_of::date
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
),

final as (
    select
        g.grade,
        count(f.grade) filter (where f.exposure > 0) as customers,
        count(f.grade) filter (where f.exposure <= 0) as customers_no_exposure,
        coalesce(sum(f.exposure), 0) as exposure,
        coalesce(sum(f.expected_loss), 0) as expected_loss
    from grades as g
    left join filtered as f on f.grade = g.grade
    group by g.grade
)

select * from final order by grade
