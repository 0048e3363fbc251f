-- HHI and effective names by customer, industry and region per grid date over the 24 months to $as_of for
-- the whole portfolio, from the materialised concentration_month. Params: $as_of.
select as_of, dimension, hhi, effective_names
from concentration_month
where as_of <= $as_of::date and as_of > $as_of::date - interval 24 month and hhi is not null
order by dimension, as_of
