{{ config(meta={'dagster': {'ref': {'name': 'fct_inventory_valuation'}}}) }}
-- 进销存: closing = opening + purchased - sold + returned - written off in quantity and value; opening = the
-- previous month's closing; the closing equals the stock the cost method itself carried after the month's last
-- movement (qty_after / value_after of int_inventory_costed); and the purchased quantity per SKU equals what the
-- loaded purchases.csv files say (raw.purchases).
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

carried as (
    select internal_sku, month, qty_after, value_after
    from (
        select
            internal_sku,
            {{ period_of('movement_date') }} as month,
            qty_after,
            value_after,
            row_number() over (partition by internal_sku, {{ period_of('movement_date') }} order by event_seq desc) as from_last
        from {{ ref('int_inventory_costed') }}
    ) as ranked
    where from_last = 1
),

purchased as (
    select internal_sku, sum(purchased_qty) as quantity from valuation group by internal_sku
)

select internal_sku, month, 'roll' as failure
from valuation
where closing_qty <> opening_qty + purchased_qty - sold_qty + returned_qty - written_off_qty
    or closing_value <> opening_value + purchased_value - sold_value + returned_value - written_off_value
    or opening_qty <> coalesce(previous_qty, 0)
    or opening_value <> coalesce(previous_value, 0)
union all
select valuation.internal_sku, valuation.month, 'carried'
from valuation
inner join carried
    on carried.internal_sku = valuation.internal_sku
    and carried.month = valuation.month
where carried.qty_after <> valuation.closing_qty or carried.value_after <> valuation.closing_value
union all
select coalesce(raw_purchased.internal_sku, purchased.internal_sku), null, 'purchases'
from raw_purchased
full outer join purchased
    on purchased.internal_sku = raw_purchased.internal_sku
where coalesce(raw_purchased.quantity, 0) <> coalesce(purchased.quantity, 0)
