-- Money Amazon probably owes, one row per case to file, with its evidence (keys and source rows):
--   refund_not_returned            a refunded FBA order item with no customer return more than 45 days after
--                                  the refund (the store's returns report reaching that far), and no
--                                  reimbursement for that order and SKU
--   damaged_return_not_reimbursed  a customer return Amazon's warehouse (DAMAGED) or its carrier (CARRIER_DAMAGED)
--                                  damaged, with no reimbursement for that order and SKU
--   reimbursement_reversed         a reimbursement Amazon later clawed back (negative amount-total): check the
--                                  reversal against the unit's fate before accepting it
with

refunds as (
    select * from {{ ref('fct_refunds') }}
),

reimbursed as (
    select distinct order_id, sku
    from {{ ref('stg_amazon__fba_reimbursements') }}
    where order_id is not null and amount_total > 0
),

orders as (
    select orders.*, stores.time_zone
    from {{ ref('int_seller_orders') }} as orders
    left join {{ ref('int_stores') }} as stores
        on stores.store_id = orders.store_id
),

-- A report row without an order id (a lost unit, a reversal) finds its store by SKU when one store sells it.
sku_stores as (
    select sku, min(store_id) as store_id
    from {{ ref('int_settlement_lines') }}
    where sku is not null
    group by sku
    having count(distinct store_id) = 1
),

-- How far each store's FBA customer returns reach: a refund counts as not returned only once a report
-- covering 45 days after it shows no return (so a store that loads no returns report raises nothing).
returns_reach as (
    select orders.store_id, max(cast(returns.returned_at as date)) as returns_until
    from {{ ref('stg_amazon__fba_customer_returns') }} as returns
    inner join orders
        on orders.order_id = returns.order_id
    group by orders.store_id
),

not_returned as (
    select
        'refund_not_returned' as opportunity_type,
        refunds.store_id,
        refunds.order_id,
        refunds.sku,
        refunds.principal_refunded as amount,
        refunds.currency,
        cast({{ dbt.dateadd('day', 46, 'refunds.refund_date') }} as date) as detected_on,
        cast(null as {{ dbt.type_string() }}) as reimbursement_id,
        {{ evidence_json([('order_id', 'refunds.order_id'), ('order_item_code', 'refunds.order_item_code'),
                          ('sku', 'refunds.sku'), ('refund_date', 'refunds.refund_date'),
                          ('settlement_id', 'refunds.settlement_id'), ('quantity', 'refunds.quantity')]) }} as evidence
    from refunds
    inner join returns_reach
        on returns_reach.store_id = refunds.store_id
        and returns_reach.returns_until >= cast({{ dbt.dateadd('day', 45, 'refunds.refund_date') }} as date)
    where refunds.fulfillment_channel = 'AFN'
        and not refunds.is_return_received
        and not refunds.is_reimbursed
        and refunds.days_since_refund > 45
),

damaged as (
    select
        'damaged_return_not_reimbursed' as opportunity_type,
        orders.store_id,
        returns.order_id,
        returns.sku,
        refunds.principal_refunded as amount,
        coalesce(refunds.currency, orders.currency) as currency,
        coalesce({{ to_local_date('returns.returned_at', 'orders.time_zone') }}, cast(returns.returned_at as date)) as detected_on,
        cast(null as {{ dbt.type_string() }}) as reimbursement_id,
        {{ evidence_json([('order_id', 'returns.order_id'), ('sku', 'returns.sku'),
                          ('returned_at', 'returns.returned_at'), ('detailed_disposition', 'returns.detailed_disposition'),
                          ('fulfillment_center_id', 'returns.fulfillment_center_id'),
                          ('license_plate_number', 'returns.license_plate_number'),
                          ('refund_date', 'refunds.refund_date')]) }} as evidence
    from {{ ref('stg_amazon__fba_customer_returns') }} as returns
    left join orders
        on orders.order_id = returns.order_id
    left join refunds
        on refunds.order_id = returns.order_id and refunds.sku = returns.sku
    where returns.detailed_disposition in ('DAMAGED', 'CARRIER_DAMAGED')
        and not exists (
            select 1 from reimbursed where reimbursed.order_id = returns.order_id and reimbursed.sku = returns.sku
        )
),

reversed as (
    select
        'reimbursement_reversed' as opportunity_type,
        coalesce(orders.store_id, sku_stores.store_id) as store_id,
        reimbursements.order_id,
        reimbursements.sku,
        -reimbursements.amount_total as amount,
        reimbursements.currency,
        cast(reimbursements.approved_at as date) as detected_on,
        reimbursements.reimbursement_id,
        {{ evidence_json([('reimbursement_id', 'reimbursements.reimbursement_id'),
                          ('original_reimbursement_id', 'reimbursements.original_reimbursement_id'),
                          ('original_reimbursement_type', 'reimbursements.original_reimbursement_type'),
                          ('sku', 'reimbursements.sku'), ('approval_date', 'reimbursements.approved_at'),
                          ('case_id', 'reimbursements.case_id')]) }} as evidence
    from {{ ref('stg_amazon__fba_reimbursements') }} as reimbursements
    left join orders
        on orders.order_id = reimbursements.order_id
    left join sku_stores
        on sku_stores.sku = reimbursements.sku
    where reimbursements.amount_total < 0
),

opportunities as (
    select * from not_returned
    union all
    select * from damaged
    union all
    select * from reversed
)

select
    opportunity_type || ':' || coalesce(reimbursement_id, order_id || ':' || coalesce(sku, '')) as opportunity_id,
    opportunities.*
from opportunities
