{{ config(meta={'dagster': {'ref': {'name': 'fct_inventory_valuation'}}}) }}
-- 进销存: closing = opening + purchased - sold + returned in quantity and value; opening = the previous month's
-- closing; and the purchased quantity per SKU equals what the loaded purchases.csv files say (raw.purchases).
with

valuation as (
    select
        *,
        lag(closing_qty) over (partition by internal_sku order by month) as previous_qty,
        lag(closing_value) over (partition by internal_sku order by month) as previous_value
    from {{ ref('fct_inventory_valuation') }}
),

loaded as (
    select distinct sha256 from {{ source('audit', 'file_loads') }} where status = 'loaded'
),

raw_purchased as (
    select trim(internal_sku) as internal_sku, sum(quantity) as quantity
    from {{ source('books', 'purchases') }}
    where source_file_sha256 in (select sha256 from loaded) and quantity > 0
    group by trim(internal_sku)
),

purchased as (
    select internal_sku, sum(purchased_qty) as quantity from valuation group by internal_sku
)

select internal_sku, month, 'roll' as failure
from valuation
where closing_qty <> opening_qty + purchased_qty - sold_qty + returned_qty
    or closing_value <> opening_value + purchased_value - sold_value + returned_value
    or opening_qty <> coalesce(previous_qty, 0)
    or opening_value <> coalesce(previous_value, 0)
union all
select coalesce(raw_purchased.internal_sku, purchased.internal_sku), null, 'purchases'
from raw_purchased
full outer join purchased
    on purchased.internal_sku = raw_purchased.internal_sku
where coalesce(raw_purchased.quantity, 0) <> coalesce(purchased.quantity, 0)
