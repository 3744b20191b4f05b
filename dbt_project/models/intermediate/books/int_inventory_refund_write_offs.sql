{%- set functional = var('functional_currency') | upper -%}
-- When var refund_restock is false (it is {{ var('refund_restock') | lower }}), refunded units do not come back to stock:
-- they are written off. They left stock when sold, so stock is not
-- touched again; the cost of the sale the refund reverses (the order's latest sale of the SKU on or before the
-- refund, pro rata to the units refunded) moves from 6401 主营业务成本 to 6711 营业外支出, in {{ functional }}.
-- A refund whose sale is not in the data, or had no known cost, writes off nothing.
with

principal as (
    select *
    from {{ ref('int_settlement_lines') }}
    where amount_type = 'ItemPrice' and amount_description = 'Principal' and internal_sku is not null
),

sales as (
    select * from {{ ref('int_inventory_costed') }} where movement_type = 'sale'
),

refunds as (
    select
        principal.store_id, principal.order_id, principal.internal_sku, principal.posted_date, principal.quantity,
        principal.source_file_sha256, principal.source_line, max(sales.event_seq) as sale_seq
    from principal
    inner join sales
        on sales.internal_sku = principal.internal_sku
        and sales.order_id = principal.order_id
        and {{ null_safe_equal('sales.store_id', 'principal.store_id') }}
        and sales.movement_date <= principal.posted_date
    where principal.transaction_type = 'Refund'
        and {{ 'false' if var('refund_restock') else 'true' }}
    group by principal.store_id, principal.order_id, principal.internal_sku, principal.posted_date, principal.quantity,
        principal.source_file_sha256, principal.source_line
)

select
    refunds.store_id,
    refunds.order_id,
    refunds.internal_sku,
    refunds.posted_date as movement_date,
    coalesce(refunds.quantity, sales.quantity) as quantity,
    sales.event_seq as original_sale_seq,
    cast({{ restocked_value('sales.value_moved', 'sales.quantity', 'coalesce(refunds.quantity, sales.quantity)', 'null') }} as {{ money() }}) as value_written_off,
    refunds.source_file_sha256,
    refunds.source_line
from refunds
inner join sales
    on sales.internal_sku = refunds.internal_sku
    and sales.event_seq = refunds.sale_seq
where sales.value_moved is not null and coalesce(refunds.quantity, sales.quantity) > 0
