-- daily_reviews: $reviews credit decisions effective on $day for the daily-load benchmark: customers
-- drawn by $seed get 10 % more than their latest limit (100 000 without one).
-- Params: $day, $reviews, $seed.
with latest as (
    select customer_id, credit_limit
    from credit_reviews
    where effective_on <= $day::date
    qualify row_number() over (partition by customer_id order by effective_on desc, review_id desc) = 1
),

drawn as (
    select customer_id, row_number() over (order by hash(customer_id || 'review' || cast($seed as varchar))) - 1 as n
    from customers
    qualify n < $reviews
)

select
    'BENCH-CR-' || strftime($day::date, '%Y%m%d') || '-' || lpad(cast(d.n as varchar), 4, '0') as review_id,
    d.customer_id,
    $day::date as effective_on,
    round(coalesce(l.credit_limit, 100000) * 1.1, 2) as credit_limit,
    null::varchar as external_rating,
    'benchmark' as decided_by,
    null::varchar as note
from drawn as d
left join latest as l using (customer_id)
order by review_id
