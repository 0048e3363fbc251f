-- lgd_calibration: one row per customer segment: the unsecured LGD the build uses. Params:
-- lgd_unsecured (the prior), lgd_prior_weight, lgd_min_observations.
-- observations: written-off payment rows of the segment's customers; written_off and recovered:
-- their totals (money); observed_lgd = 1 - recovered / written_off, within 0-1 (null without
-- write-offs); posterior = (observations * observed_lgd + prior_weight * prior) /
-- (observations + prior_weight); lgd_unsecured_used: the posterior once the segment has at least
-- lgd_min_observations written-off rows, else the prior; source 'observed' or 'prior'.
create or replace table lgd_calibration as
with segments as (
    select distinct segment from customers
),

losses as (
    select
        c.segment,
        count(*) as observations,
        sum(b.written_off)::double as written_off,
        sum(b.recovered)::double as recovered
    from payment_book as b
    inner join customers as c on c.customer_id = b.customer_id
    where b.written_off > 0
    group by c.segment
),

estimated as (
    select
        s.segment,
        coalesce(l.observations, 0)::integer as observations,
        coalesce(l.written_off, 0.0) as written_off,
        coalesce(l.recovered, 0.0) as recovered,
        case when l.written_off > 0
            then least(1.0, greatest(0.0, 1 - l.recovered / l.written_off)) end as observed_lgd,
        $lgd_unsecured::double as prior_lgd,
        $lgd_prior_weight::double as prior_weight
    from segments as s
    left join losses as l on l.segment = s.segment
),

final as (
    select
        *,
        case when observations > 0 and observations + prior_weight > 0
            then (observations * observed_lgd + prior_weight * prior_lgd) / (observations + prior_weight)
            else prior_lgd end as posterior_lgd,
        case when observations >= greatest($lgd_min_observations, 1)
            then (observations * observed_lgd + prior_weight * prior_lgd) / (observations + prior_weight)
            else prior_lgd end as lgd_unsecured_used,
        case when observations >= greatest($lgd_min_observations, 1) then 'observed' else 'prior' end
            as source
    from estimated
)

select * from final order by segment
