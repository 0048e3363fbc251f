-- daily_events: $events new risk events on $day for the daily-load benchmark, each on a customer
-- drawn by $seed and with a (category, kind, severity, source) already recorded in the warehouse.
-- Params: $day, $events, $seed.
with kinds as (
    select category, kind, severity, source, row_number() over (order by category, kind, severity, source) - 1 as k
    from (select distinct category, kind, severity, source from risk_events)
),

drawn as (
    select customer_id, row_number() over (order by hash(customer_id || 'event' || cast($seed as varchar))) - 1 as n
    from customers
    qualify n < $events
)

select
    'BENCH-EV-' || strftime($day::date, '%Y%m%d') || '-' || lpad(cast(d.n as varchar), 4, '0') as event_id,
    d.customer_id,
    $day::date as occurred_on,
    k.category,
    k.kind,
    k.severity,
    k.source,
    null::varchar as note
from drawn as d
inner join kinds as k on k.k = d.n % (select count(*) from kinds)
order by event_id
