-- Score distribution per grid date in the bins of a reference date, for PSI: one row per grid date
-- up to $as_of per bin (every bin of every date, zeros included). Params: $as_of, $reference,
-- $segments, $regions, $industries.
-- Bins: the score deciles of the reference date (quantile_disc at 0.1 ... 0.9, i.e. scores that occur
-- there), duplicates and the reference maximum dropped, so tied scores never straddle an edge and
-- every bin holds at least one reference customer. Bin k (0-based) = (edge k, edge k + 1]: the first
-- is open below, the last open above. Empty when the reference date has no customer.
with scored as (
    select as_of, score
    from customer_month
    where as_of <= $as_of::date
        and (len($segments::varchar[]) = 0 or list_contains($segments::varchar[], segment))
        and (len($regions::varchar[]) = 0 or list_contains($regions::varchar[], region))
        and (len($industries::varchar[]) = 0 or list_contains($industries::varchar[], industry))
),

reference as (
    select
        quantile_disc(score, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]) as deciles,
        max(score) as top
    from scored
    where as_of = $reference::date
),

sorted_edges as (
    select list_sort(list_filter(list_distinct(deciles), lambda e: e < top)) as edges
    from reference
    where top is not null
),

cut as (
    -- the (at most nine) edges also as plain columns: comparing a score with nine scalars is far
    -- cheaper than a lambda over a list on every customer-month
    select
        edges,
        edges[1] as e1, edges[2] as e2, edges[3] as e3, edges[4] as e4, edges[5] as e5,
        edges[6] as e6, edges[7] as e7, edges[8] as e8, edges[9] as e9
    from sorted_edges
),

bins as (
    select
        bin,
        case when bin > 0 then edges[bin] end as lower_edge,
        case when bin < len(edges) then edges[bin + 1] end as upper_edge
    from cut, unnest(range(len(edges) + 1)) as b(bin)
),

counted as (
    -- bin = how many edges lie below the score (a missing edge counts 0)
    select
        scored.as_of,
        coalesce((scored.score > cut.e1)::int, 0) + coalesce((scored.score > cut.e2)::int, 0)
        + coalesce((scored.score > cut.e3)::int, 0) + coalesce((scored.score > cut.e4)::int, 0)
        + coalesce((scored.score > cut.e5)::int, 0) + coalesce((scored.score > cut.e6)::int, 0)
        + coalesce((scored.score > cut.e7)::int, 0) + coalesce((scored.score > cut.e8)::int, 0)
        + coalesce((scored.score > cut.e9)::int, 0) as bin,
        count(*) as rows
    from scored, cut
    group by all
),

months as (
    select distinct as_of from scored
),

final as (
    select
        months.as_of,
        bins.bin,
        bins.lower_edge,
        bins.upper_edge,
        coalesce(counted.rows, 0) as rows
    from months
    cross join bins
    left join counted on counted.as_of = months.as_of and counted.bin = bins.bin
)

select * from final order by as_of, bin
