-- provision_loss_rates: one row per grid date x segment x aging bucket (receivables, every contract
-- kind but loans): the historical lifetime loss rate of the provision matrix, from the segment's own
-- roll rates and write-offs net of recoveries over the look-back, the grid dates u with
-- last_day(as_of - $prov_lookback_months months) < u <= as_of (no look-ahead). Money, shares 0-1.
--   rolled_from:   balance in the bucket at the grid date before u, summed over the look-back
--   rolled_on:     of it, what is in a worse bucket at u (the last bucket: nothing rolls on)
--   roll_rate:     rolled_on / rolled_from (0 when nothing was in the bucket)
--   net_written_off: write-offs less recoveries of the segment's receivables over the look-back
--   inflow:        what rolled into the last bucket over the look-back (rolled_on of the one before)
--   step_rate:     roll_rate for every bucket but the last; the last's is
--                  min(1, max(0, net_written_off) / inflow) (0 when nothing rolled in)
--   historical_loss_rate of bucket b = product of step_rate over buckets b .. last
-- Params: prov_edges, prov_lookback_months.
create or replace table provision_loss_rates as
with grid as (
    select
        as_of,
        coalesce(
            lag(as_of) over (order by as_of), last_day(cast(as_of - interval 1 month as date))
        ) as prev_as_of
    from month_grid
),

buckets as (
    select unnest(range(len($prov_edges::integer[]) + 1)) as bucket
),

segments as (
    select distinct segment from customers
),

opening as (
    -- the balance of each bucket at the grid date before u, attributed to u
    select grid.as_of, a.segment, a.bucket, sum(a.outstanding) as rolled_from
    from receivable_aging as a
    inner join grid on grid.prev_as_of = a.as_of
    group by all
),

rolled as (
    select as_of, segment, bucket_before as bucket, sum(outstanding) as rolled_on
    from receivable_aging
    where bucket_before is not null and bucket > bucket_before
    group by all
),

net_write_offs as (
    -- write-offs (payment_events) less recoveries (adjustments) dated in (previous grid date, u]
    select grid.as_of, flows.segment, sum(flows.amount) as net_written_off
    from (
        select e.occurred_on as day, c.segment, e.amount::double as amount
        from payment_events as e
        inner join payment_book as b on b.payment_id = e.payment_id
        inner join customers as c on c.customer_id = b.customer_id
        where e.kind = 'write_off' and b.contract_kind <> 'loan'
        union all
        select a.occurred_on, c.segment, -a.amount::double
        from adjustments as a
        inner join payment_book as b on b.payment_id = a.payment_id
        inner join customers as c on c.customer_id = b.customer_id
        where a.kind = 'recovery' and b.contract_kind <> 'loan'
    ) as flows
    inner join grid on flows.day > grid.prev_as_of and flows.day <= grid.as_of
    group by all
),

periods as (
    select grid.as_of, segments.segment, buckets.bucket
    from grid cross join segments cross join buckets
),

by_period as (
    select
        p.as_of,
        p.segment,
        p.bucket,
        coalesce(o.rolled_from, 0) as rolled_from,
        coalesce(r.rolled_on, 0) as rolled_on,
        coalesce(w.net_written_off, 0) as net_written_off
    from periods as p
    left join opening as o using (as_of, segment, bucket)
    left join rolled as r using (as_of, segment, bucket)
    left join net_write_offs as w using (as_of, segment)
),

lookback as (
    select
        t.as_of,
        t.segment,
        t.bucket,
        sum(u.rolled_from) as rolled_from,
        sum(u.rolled_on) as rolled_on,
        sum(u.net_written_off) as net_written_off
    from by_period as t
    inner join by_period as u
        on u.segment = t.segment
        and u.bucket = t.bucket
        and u.as_of <= t.as_of
        and u.as_of > last_day(t.as_of - to_months($prov_lookback_months))
    group by all
),

steps as (
    select
        *,
        coalesce(rolled_on / nullif(rolled_from, 0), 0) as roll_rate,
        lag(rolled_on) over (partition by as_of, segment order by bucket) as inflow,
        bucket = len($prov_edges::integer[]) as is_last
    from lookback
),

rated as (
    select
        *,
        case
            when is_last then least(1, coalesce(greatest(0, net_written_off) / nullif(inflow, 0), 0))
            else least(1, roll_rate)
        end as step_rate
    from steps
),

final as (
    select
        as_of,
        segment,
        bucket::bigint as bucket,
        rolled_from,
        rolled_on,
        roll_rate,
        net_written_off,
        case when is_last then coalesce(inflow, 0) end as inflow,
        step_rate,
        product(step_rate) over (
            partition by as_of, segment order by bucket
            rows between current row and unbounded following
        ) as historical_loss_rate
    from rated
)

select * from final order by as_of, segment, bucket
