-- One row per refunded order item (settlement Refund lines): what went back to the buyer, the fees Amazon gave
-- back and the refund administration fee it kept, the net cost, and whether the unit came back or was reimbursed.
-- Amounts refunded and costs are positive numbers in the settlement currency.
with

lines as (
    select * from {{ ref('int_settlement_lines') }}
    where transaction_type = 'Refund' and order_id is not null
),

items as (
    select
        store_id,
        order_id,
        order_item_code,
        sku,
        currency,
        min(settlement_id) as settlement_id,
        min(fulfillment_id) as fulfillment_id,
        min(posted_at) as refunded_at,
        min(posted_date) as refund_date,
        sum(case when amount_type = 'ItemPrice' and amount_description = 'Principal' then quantity end) as quantity,
        -sum(case when amount_type = 'ItemPrice' and amount_description = 'Principal' then amount else 0 end) as principal_refunded,
        -sum(case when amount_type = 'ItemPrice' and amount_description = 'Shipping' then amount else 0 end) as shipping_refunded,
        -sum(case when amount_type = 'ItemPrice' and amount_description in ('Tax', 'ShippingTax', 'GiftWrapTax') then amount else 0 end) as tax_refunded,
        -sum(case when amount_type = 'Promotion' then amount else 0 end) as promotion_reversed,
        sum(case when amount_type = 'ItemFees' and amount_description <> 'RefundCommission' then amount else 0 end) as fees_refunded,
        -sum(case when amount_type = 'ItemFees' and amount_description = 'RefundCommission' then amount else 0 end) as refund_administration_fee,
        sum(case when amount_type = 'ItemWithheldTax' then amount else 0 end) as withheld_tax_returned,
        -sum(amount) as net_cost
    from lines
    group by store_id, order_id, order_item_code, sku, currency
),

returns as (
    select
        order_id,
        sku,
        min(returned_at) as returned_at,
        sum(quantity) as returned_quantity,
        min(detailed_disposition) as return_disposition
    from {{ ref('stg_amazon__fba_customer_returns') }}
    group by order_id, sku
),

reimbursements as (
    select order_id, sku, sum(amount_total) as reimbursed_amount, min(approved_at) as reimbursed_at
    from {{ ref('stg_amazon__fba_reimbursements') }}
    where order_id is not null
    group by order_id, sku
),

seller_fulfilled as (
    select distinct order_id from {{ ref('stg_amazon__seller_fulfilled_returns') }}
)

select
    items.store_id,
    items.order_id,
    items.order_item_code,
    items.sku,
    items.settlement_id,
    case when seller_fulfilled.order_id is not null then 'MFN' else coalesce(items.fulfillment_id, 'AFN') end as fulfillment_channel,
    items.refunded_at,
    items.refund_date,
    items.quantity,
    items.principal_refunded,
    items.shipping_refunded,
    items.tax_refunded,
    items.promotion_reversed,
    items.fees_refunded,
    items.refund_administration_fee,
    items.withheld_tax_returned,
    items.net_cost,
    items.currency,
    returns.order_id is not null as is_return_received,
    returns.returned_at,
    returns.returned_quantity,
    returns.return_disposition,
    coalesce(reimbursements.reimbursed_amount, 0) > 0 as is_reimbursed,
    reimbursements.reimbursed_amount,
    reimbursements.reimbursed_at,
    {{ dbt.datediff('items.refund_date', 'as_of.today', 'day') }} as days_since_refund
from items
left join returns
    on returns.order_id = items.order_id and returns.sku = items.sku
left join reimbursements
    on reimbursements.order_id = items.order_id and reimbursements.sku = items.sku
left join seller_fulfilled
    on seller_fulfilled.order_id = items.order_id
left join {{ ref('int_seller_as_of') }} as as_of
    on as_of.store_id = items.store_id
