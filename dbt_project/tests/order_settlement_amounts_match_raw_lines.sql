-- Dagster shows this test as a check on the mart it tests (it reads the raw tables too).
{{ config(meta={'dagster': {'ref': {'name': 'fct_order_reconciliation_amounts'}}}) }}
-- Every order fct_order_reconciliation_amounts compares carries, over its amount types, exactly the raw
-- settlement lines of that order in the loaded files of its store's settlements (summed here from
-- raw.settlement_lines), so `difference` starts from the whole settlement side of the order.
with

loaded as (
    select distinct sha256 from {{ source('audit', 'file_loads') }} where status = 'loaded'
),

raw_lines as (
    select settlements.store_id, lines.order_id, sum(lines.amount) as raw_amount
    from {{ source('amazon', 'settlement_lines') }} as lines
    inner join {{ ref('fct_settlement_reconciliation') }} as settlements
        on settlements.settlement_id = lines.settlement_id
    where lines.source_file_sha256 in (select sha256 from loaded)
        and nullif(trim(lines.order_id), '') is not null
    group by settlements.store_id, lines.order_id
),

mart as (
    select store_id, order_id, sum(settlement_amount) as settlement_amount
    from {{ ref('fct_order_reconciliation_amounts') }}
    group by store_id, order_id
)

select mart.store_id, mart.order_id, mart.settlement_amount, coalesce(raw_lines.raw_amount, 0) as raw_amount
from mart
left join raw_lines
    on raw_lines.store_id = mart.store_id
    and raw_lines.order_id = mart.order_id
where mart.settlement_amount <> coalesce(raw_lines.raw_amount, 0)
