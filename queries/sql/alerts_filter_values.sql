-- alerts_filter_values: what a subscription may filter on, one row per (filter_kind, value): the
-- regions, segments and owners of the warehouse's customers. No params.
with values_of as (
    select distinct 'region' as filter_kind, region as filter_value
    from customers
    where region is not null
    union all
    select distinct 'segment' as filter_kind, segment as filter_value
    from customers
    where segment is not null
    union all
    select distinct 'owner' as filter_kind, owner as filter_value
    from customers
    where owner is not null
)

select * from values_of
order by filter_kind, filter_value
