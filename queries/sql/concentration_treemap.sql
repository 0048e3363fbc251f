-- Exposure by industry and customer at $as_of for a treemap: the $per_industry largest customers of
-- each industry and one 'other' row per industry for the rest. Params: $as_of, $per_industry, filters.
with filtered as (
    select customer_id, name, industry, grade, exposure
    from customer_month
    where as_of = $as_of::date
      and exposure > 0
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
),

ranked as (
    select *, row_number() over (partition by industry order by exposure desc, customer_id) as rank
    from filtered
),

final as (
    select industry, customer_id, name, grade, exposure from ranked where rank <= $per_industry
    union all
    select industry, null, null, null, sum(exposure) from ranked where rank > $per_industry group by industry
)

select * from final order by industry, exposure desc
