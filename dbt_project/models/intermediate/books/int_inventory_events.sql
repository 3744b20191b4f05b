{%- set functional = var('functional_currency') | upper -%}
-- Every movement of stock per internal SKU, numbered in the order the cost methods consume them: purchases
-- (purchases.csv of loaded files, landed: unit cost x quantity + inbound freight 头程 + duty 关税 + other, in
-- {{ functional }} at the fx_policy rate of the purchase date), sales (the quantity on a settlement's Order
-- Principal line) and, when refund_restock is true, refunds (the quantity on a Refund Principal line, or the
-- order's sold quantity when the refund line gives none) returning to stock. Within a day purchases come first,
-- then returns, then sales. Stock is pooled per internal SKU across stores: purchases.csv names no store.
with

purchases as (
    select purchases.*
    from {{ ref('stg_books__purchases') }} as purchases
    inner join {{ ref('int_loaded_files') }} as files
        on files.source_file_sha256 = purchases.source_file_sha256
    where purchases.quantity > 0
),

purchase_events as (
    select
        purchases.internal_sku,
        purchases.purchase_date as movement_date,
        'purchase' as movement_type,
        1 as type_order,
        cast(null as {{ dbt.type_string() }}) as store_id,
        cast(null as {{ dbt.type_string() }}) as order_id,
        purchases.quantity,
        {{ to_functional(
            'purchases.unit_cost * purchases.quantity + purchases.inbound_freight + purchases.duty + purchases.other_landed_cost',
            policy_rate('purchases.currency', 'rates')) }} as value_in,
        purchases.source_file_sha256,
        purchases.source_line
    from purchases
    left join {{ ref('int_fx_policy_rates') }} as rates
        on rates.currency = purchases.currency
        and rates.calendar_date = purchases.purchase_date
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
        cast(null as {{ money() }}), source_file_sha256, source_line
    from principal
    where transaction_type = 'Order' and quantity > 0
),

return_events as (
    select
        principal.internal_sku, principal.posted_date, 'return', 2, principal.store_id, principal.order_id,
        coalesce(principal.quantity, sold.quantity),
        cast(null as {{ money() }}), principal.source_file_sha256, principal.source_line
    from principal
    left join sold
        on sold.order_id = principal.order_id
        and sold.internal_sku = principal.internal_sku
        and {{ null_safe_equal('sold.store_id', 'principal.store_id') }}
    where principal.transaction_type = 'Refund'
        and {{ 'true' if var('refund_restock') else 'false' }}
        and coalesce(principal.quantity, sold.quantity) > 0
),

events as (
    select * from purchase_events
    union all
    select * from sale_events
    union all
    select * from return_events
)

select
    events.*,
    row_number() over (
        partition by internal_sku
        order by movement_date, type_order, source_file_sha256, source_line
    ) as event_seq
from events
