-- One row per grid date x dimension over the 24 months to $as_of for the whole portfolio, read from the
-- materialised concentration_month (same columns as concentration_hhi_trend; scope = 'portfolio'). Params: $as_of.
with final as (
    select as_of, dimension, names, top10_share, hhi, effective_names, 'portfolio' as scope
    from concentration_month
    where as_of <= $as_of::date
      and as_of > $as_of::date - interval 24 month
      and hhi is not null
)

select * from final order by dimension, as_of
