-- ecl_movement: one row per grid date x segment x region x industry x stage: the movement of the
-- allowance over the period (previous grid date, as_of], money (decimal: exact). For each unit of
-- ecl_month (a customer's receivables or a loan), A0 = its allowance at the previous grid date
-- (stage s0), A1 = at as_of (stage s1), W = what was written off of it in the period (payment_events)
-- and used = least(W, A0), the allowance the write-off uses:
--   opening (s0) A0; write_offs (s0) -used;
--   present at both dates: transfers_out (s0) -(A0 - used) and transfers_in (s1) +(A0 - used) when
--     s1 <> s0; changes_in_risk (s1) A1 - (A0 - used) (new PD, LGD, loss rates, balances, repayments);
--   gone at as_of: derecognised (s0) -(A0 - used) (repaid or sold);
--   new at as_of: new_business (s1) A1;  closing (s1) A1.
-- So opening + new_business + transfers_in + transfers_out + changes_in_risk + derecognised +
-- write_offs = closing in every row, and closing at t = opening at the next grid date. The first
-- grid date has no opening: all its allowance is new business. No params.
create or replace table ecl_movement as
with grid as (
    select as_of, lag(as_of) over (order by as_of) as prev_as_of from month_grid
),

units as (
    select
        as_of,
        coalesce(contract_id, customer_id) as unit_id,
        approach,
        segment,
        region,
        industry,
        stage,
        allowance
    from ecl_month
),

write_offs as (
    select
        grid.as_of,
        case when b.contract_kind = 'loan' then b.contract_id else b.customer_id end as unit_id,
        case when b.contract_kind = 'loan' then 'general' else 'simplified' end as approach,
        sum(e.amount)::decimal(18, 2) as written_off
    from payment_events as e
    inner join payment_book as b on b.payment_id = e.payment_id
    inner join grid on e.occurred_on > grid.prev_as_of and e.occurred_on <= grid.as_of
    where e.kind = 'write_off'
    group by all
),

pairs as (
    select
        grid.as_of,
        coalesce(now.unit_id, before.unit_id) as unit_id,
        coalesce(now.approach, before.approach) as approach,
        coalesce(now.segment, before.segment) as segment,
        coalesce(now.region, before.region) as region,
        coalesce(now.industry, before.industry) as industry,
        before.stage as stage_before,
        before.allowance as opening,
        now.stage as stage_now,
        now.allowance as closing
    from grid
    inner join units as now on now.as_of = grid.as_of
    left join units as before
        on before.as_of = grid.prev_as_of
        and before.unit_id = now.unit_id
        and before.approach = now.approach
    union all
    -- units gone at as_of
    select
        grid.as_of, before.unit_id, before.approach, before.segment, before.region,
        before.industry, before.stage, before.allowance, null, null
    from grid
    inner join units as before on before.as_of = grid.prev_as_of
    anti join units as now
        on now.as_of = grid.as_of
        and now.unit_id = before.unit_id
        and now.approach = before.approach
),

used as (
    select
        p.*,
        case when p.opening is null then 0::decimal(18, 2)
            else least(coalesce(w.written_off, 0), p.opening) end as used
    from pairs as p
    left join write_offs as w
        on w.as_of = p.as_of and w.unit_id = p.unit_id and w.approach = p.approach
),

lines as (
    -- one line per unit and stage it touches
    select
        as_of, segment, region, industry, stage_before as stage,
        opening,
        0::decimal(18, 2) as new_business,
        0::decimal(18, 2) as transfers_in,
        case when stage_now is not null and stage_now <> stage_before
            then -(opening - used) else 0 end as transfers_out,
        case when stage_now = stage_before then closing - (opening - used) else 0 end
            as changes_in_risk,
        case when stage_now is null then -(opening - used) else 0 end as derecognised,
        -used as write_offs,
        case when stage_now = stage_before then closing else 0 end as closing
    from used
    where opening is not null
    union all
    select
        as_of, segment, region, industry, stage_now,
        0, case when opening is null then closing else 0 end,
        opening - used, 0, closing - (opening - used), 0, 0, closing
    from used
    where opening is not null and stage_now is not null and stage_now <> stage_before
    union all
    select as_of, segment, region, industry, stage_now, 0, closing, 0, 0, 0, 0, 0, closing
    from used
    where opening is null
),

final as (
    select
        as_of,
        segment,
        region,
        industry,
        stage,
        sum(opening)::decimal(18, 2) as opening,
        sum(new_business)::decimal(18, 2) as new_business,
        sum(transfers_in)::decimal(18, 2) as transfers_in,
        sum(transfers_out)::decimal(18, 2) as transfers_out,
        sum(changes_in_risk)::decimal(18, 2) as changes_in_risk,
        sum(derecognised)::decimal(18, 2) as derecognised,
        sum(write_offs)::decimal(18, 2) as write_offs,
        sum(closing)::decimal(18, 2) as closing
    from lines
    group by all
)

select * from final order by as_of, segment, region, industry, stage
