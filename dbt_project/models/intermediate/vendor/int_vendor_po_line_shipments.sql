-- One row per PO line that any (not cancelled) shipment carries: the quantity shipped (eaches), the first ship
-- date, the latest estimated and actual delivery, how much is still on its way (shipments shipped and not
-- delivered) and the shipment ids. Only shipments with a ship date count as shipped.
with

shipments as (
    select * from {{ ref('int_vendor_shipments') }} where not is_cancelled
),

items as (
    select * from {{ ref('stg_vendor__shipment_items') }}
),

shipped_items as (
    select
        items.account_id,
        items.purchase_order_number,
        items.item_sequence_number,
        items.shipped_quantity,
        shipments.shipment_id,
        shipments.shipped_at,
        shipments.estimated_delivery_at,
        shipments.delivered_at,
        shipments.is_in_transit,
        shipments.carton_count
    from items
    inner join shipments
        on shipments.account_id = items.account_id
        and shipments.shipment_id = items.shipment_id
        and shipments.version_id = items.version_id
    where shipments.shipped_at is not null
)

select
    account_id,
    purchase_order_number,
    item_sequence_number,
    sum(shipped_quantity) as shipped_quantity,
    sum(case when is_in_transit then shipped_quantity else 0 end) as in_transit_quantity,
    min(shipped_at) as first_shipped_at,
    max(estimated_delivery_at) as estimated_delivery_at,
    max(delivered_at) as delivered_at,
    count(distinct shipment_id) as n_shipments,
    min(shipment_id) as shipment_id
from shipped_items
group by account_id, purchase_order_number, item_sequence_number
