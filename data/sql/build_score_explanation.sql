-- score_explanation (view): one row per customer per grid date per factor that adds to the score.
-- A weighted factor (policy_factors, weight > 0): factor_score (0-100), weight (0-1) and
-- contribution = weight x factor_score. A binned scorecard factor (cm_scorecard): its value at t
-- (null when missing), the bin it fell in (0: the missing bin) and contribution = the bin's points. A row's
-- contributions add up to customer_month.score. No params.
create or replace view score_explanation as
with factor_scores as (
    unpivot (
        select
            customer_id,
            as_of,
            dpd_score,
            late_score,
            rating_score,
            utilisation_score,
            operational_score,
            legal_score
        from customer_month
    )
    on dpd_score, late_score, rating_score, utilisation_score, operational_score, legal_score
    into name score_column value factor_score
),

weighted as (
    select
        s.customer_id,
        s.as_of,
        f.factor,
        s.factor_score,
        f.weight,
        f.weight * s.factor_score as contribution,
        null::double as value,
        null::integer as bin_no
    from factor_scores as s
    inner join policy_factors as f on s.score_column = f.factor || '_score'
    where f.weight > 0
),

binned as (
    select
        customer_id,
        as_of,
        factor,
        null::double as factor_score,
        null::double as weight,
        points as contribution,
        value::double as value,
        bin_no::integer as bin_no
    from cm_scorecard
),

final as (
    select * from weighted
    union all
    select * from binned
)

select * from final
