-- The allowance's movement over the grid dates in (last_day($as_of - $months months), $as_of] for
-- the filtered portfolio, one row per stage (money): opening = the opening of the first period,
-- closing = the closing at $as_of, every movement summed over the periods, so opening + new_business
-- + transfers_in + transfers_out + changes_in_risk + derecognised + write_offs = closing.
-- Params: $as_of, $months, $segments, $regions, $industries.
with filtered as (
    select *
    from ecl_movement
    where as_of <= $as_of::date
      and as_of > last_day($as_of::date - to_months($months))
      and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
      and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
      and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
),

first_period as (
    select min(as_of) as as_of from filtered
),

final as (
    select
        stage,
        coalesce(sum(opening) filter (where as_of = (select as_of from first_period)), 0)::double
            as opening,
        sum(new_business)::double as new_business,
        sum(transfers_in)::double as transfers_in,
        sum(transfers_out)::double as transfers_out,
        sum(changes_in_risk)::double as changes_in_risk,
        sum(derecognised)::double as derecognised,
        sum(write_offs)::double as write_offs,
        coalesce(sum(closing) filter (where as_of = $as_of::date), 0)::double as closing,
        (select as_of from first_period) as first_period
    from filtered
    group by stage
)

select * from final order by stage
