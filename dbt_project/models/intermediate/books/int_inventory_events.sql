{%- set functional = var('functional_currency') | upper -%}
-- Every movement of stock per internal SKU, numbered in the order the cost methods consume them: purchases
-- (int_purchases_landed: their landed cost in {{ functional }} at the fx_policy rate of the purchase date), sales
-- (the quantity on a settlement's Order Principal line), when refund_restock is true refunds (the quantity on a
-- Refund Principal line, or the order's sold quantity when the refund line gives none) returning to stock, and units
-- Amazon reports lost or damaged in its warehouses and paid for in cash (FBA reimbursements Lost_Warehouse /
-- Damaged_Warehouse; units it replaced in inventory never left stock) written off. Within a day purchases come
-- first, then returns, then sales, then write-offs. Stock is pooled per internal SKU across stores: purchases.csv
-- names no store. A return names the sale it reverses (original_sale_seq: the order's latest sale of the SKU before
-- it), so the cost methods can put it back at that sale's cost.
with

purchase_events as (
    select
        internal_sku,
        purchase_date as movement_date,
        'purchase' as movement_type,
        1 as type_order,
        store_id,
        cast(null as {{ dbt.type_string() }}) as order_id,
        quantity,
        landed_cost_functional as value_in,
        source_file_sha256,
        source_line,
        cast(null as {{ dbt.type_string() }}) as reimbursement_id
    from {{ ref('int_purchases_landed') }}
),

principal as (
    select *
    from {{ ref('int_settlement_lines') }}
    where amount_type = 'ItemPrice' and amount_description = 'Principal' and internal_sku is not null
),

sold as (
    select store_id, order_id, internal_sku, sum(quantity) as quantity
    from principal
    where transaction_type = 'Order'
    group by store_id, order_id, internal_sku
),

sale_events as (
    select
        internal_sku, posted_date, 'sale', 3, store_id, order_id, quantity,
        cast(null as {{ money() }}), source_file_sha256, source_line, cast(null as {{ dbt.type_string() }})
    from principal
    where transaction_type = 'Order' and quantity > 0
),

return_events as (
    select
        principal.internal_sku, principal.posted_date, 'return', 2, principal.store_id, principal.order_id,
        coalesce(principal.quantity, sold.quantity),
        cast(null as {{ money() }}), principal.source_file_sha256, principal.source_line,
        cast(null as {{ dbt.type_string() }})
    from principal
    left join sold
        on sold.order_id = principal.order_id
        and sold.internal_sku = principal.internal_sku
        and {{ null_safe_equal('sold.store_id', 'principal.store_id') }}
    where principal.transaction_type = 'Refund'
        and {{ 'true' if var('refund_restock') else 'false' }}
        and coalesce(principal.quantity, sold.quantity) > 0
),

-- A report row names no store: the store is the one that sells the SKU when only one does.
sku_stores as (
    select sku, min(store_id) as store_id, min(internal_sku) as internal_sku
    from {{ ref('int_settlement_lines') }}
    where sku is not null and internal_sku is not null
    group by sku
    having count(distinct store_id) = 1 and count(distinct internal_sku) = 1
),

sku_internal as (
    select sku, min(internal_sku) as internal_sku
    from {{ ref('int_settlement_lines') }}
    where sku is not null and internal_sku is not null
    group by sku
    having count(distinct internal_sku) = 1
),

write_off_events as (
    select
        sku_internal.internal_sku,
        cast(reimbursements.approved_at as date),
        'write_off',
        4,
        sku_stores.store_id,
        cast(null as {{ dbt.type_string() }}),
        reimbursements.quantity_reimbursed_cash,
        cast(null as {{ money() }}),
        reimbursements.source_file_sha256,
        reimbursements.source_line,
        reimbursements.reimbursement_id
    from {{ ref('stg_amazon__fba_reimbursements') }} as reimbursements
    inner join sku_internal
        on sku_internal.sku = reimbursements.sku
    left join sku_stores
        on sku_stores.sku = reimbursements.sku
    where reimbursements.reason in ('Lost_Warehouse', 'Damaged_Warehouse')
        and reimbursements.quantity_reimbursed_cash > 0
),

events as (
    select * from purchase_events
    union all
    select * from sale_events
    union all
    select * from return_events
    union all
    select * from write_off_events
),

numbered as (
    select
        events.*,
        row_number() over (
            partition by internal_sku
            order by movement_date, type_order, source_file_sha256, source_line
        ) as event_seq
    from events
),

original_sales as (
    select returns.internal_sku, returns.event_seq, max(sales.event_seq) as original_sale_seq
    from numbered as returns
    inner join numbered as sales
        on sales.internal_sku = returns.internal_sku
        and sales.order_id = returns.order_id
        and {{ null_safe_equal('sales.store_id', 'returns.store_id') }}
        and sales.movement_type = 'sale'
        and sales.event_seq < returns.event_seq
    where returns.movement_type = 'return'
    group by returns.internal_sku, returns.event_seq
),

refunded_sales as (
    select distinct internal_sku, original_sale_seq from original_sales
)

select
    numbered.*,
    original_sales.original_sale_seq,
    refunded_sales.original_sale_seq is not null as is_refunded_sale
from numbered
left join original_sales
    on original_sales.internal_sku = numbered.internal_sku
    and original_sales.event_seq = numbered.event_seq
left join refunded_sales
    on refunded_sales.internal_sku = numbered.internal_sku
    and refunded_sales.original_sale_seq = numbered.event_seq
