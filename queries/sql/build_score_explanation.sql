-- score_explanation (view): one row per customer per grid date per score factor: factor_score
-- (0-100), weight (0-1) and contribution = weight x factor_score (score points; a row's
-- contributions add up to customer_month.score). No params: weights come from policy_factors.
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

final as (
    select
        s.customer_id,
        s.as_of,
        f.factor,
        s.factor_score,
        f.weight,
        f.weight * s.factor_score as contribution
    from factor_scores as s
    inner join policy_factors as f on s.score_column = f.factor || '_score'
)

select * from final
