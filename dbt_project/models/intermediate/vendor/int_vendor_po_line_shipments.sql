-- One row per PO line that any (not cancelled) shipment carries: the quantity shipped (eaches), the first ship
-- date, the latest estimated and actual delivery, how much is still on its way (shipments shipped and not
-- delivered) and the shipment ids. Only shipments with a ship date count as shipped. ASNs known only from a
-- dropped Vendor Central shipment export count too (their PO line found by PO number and ASIN or vendor SKU),
-- unless the API already holds that shipment id; a file row of the same shipment is read once per line.
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
),

exported_items as (
    select
        po_lines.account_id,
        exported.purchase_order_number,
        po_lines.item_sequence_number,
        max(exported.shipped_quantity) as shipped_quantity,
        exported.shipment_id,
        cast(min(exported.ship_date) as timestamp) as shipped_at,
        cast(max(exported.estimated_delivery_date) as timestamp) as estimated_delivery_at,
        cast(max(exported.delivery_date) as timestamp) as delivered_at,
        max(exported.delivery_date) is null as is_in_transit,
        max(exported.carton_count) as carton_count
    from {{ ref('stg_vendor__shipment_exports') }} as exported
    inner join {{ ref('int_vendor_po_lines') }} as po_lines
        on po_lines.purchase_order_number = exported.purchase_order_number
        and (po_lines.asin = exported.asin or po_lines.vendor_sku = exported.vendor_sku)
    where exported.ship_date is not null
        and exported.shipment_id not in (select shipment_id from shipments)
    group by po_lines.account_id, exported.purchase_order_number, po_lines.item_sequence_number, exported.shipment_id
),

all_items as (
    select * from shipped_items
    union all
    select account_id, purchase_order_number, item_sequence_number, shipped_quantity, shipment_id, shipped_at,
           estimated_delivery_at, delivered_at, is_in_transit, carton_count
    from exported_items
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
from all_items
group by account_id, purchase_order_number, item_sequence_number
